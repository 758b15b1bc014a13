"""The deployed-app tier: the app run as ``scripts/run.sh`` runs it, tested over HTTP.

``start_deployment(tmp_path, ...)`` (in deployment.py) starts gunicorn with several worker
processes and the queue worker on a fresh database; the session-scoped ``deployed`` fixture
is one shared deployment for read-mostly tests. See docs/testing.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deployment import Deployment, start_deployment  # noqa: E402,F401


def pytest_collection_modifyitems(config, items):
    """Every test under tests/deployed carries the ``deployed`` marker (``-m deployed``)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.deployed)


@pytest.fixture(scope="session")
def deployed(tmp_path_factory):
    """One deployment (2 web workers + queue worker, demo seeded) shared by the session."""
    with start_deployment(tmp_path_factory.mktemp("deployed")) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def sessions(deployed):
    """Signed-in sessions cached per (role, locale), so a crawl signs in once per pair."""
    cache: dict = {}

    def get(role, locale):
        key = (role, locale)
        if key not in cache:
            cache[key] = deployed.session(role, locale)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def demo(deployed):
    """Ids and keys from the demo data that fill the routes' path parameters (crawl.py)."""
    from crawl import demo_values

    return demo_values(deployed)
