"""The package metadata installs without deprecation warnings (pyproject.toml)."""

from __future__ import annotations

import re
import tomllib

from feedback.core.config import PROJECT_ROOT


def _pyproject() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_licence_is_an_spdx_string_that_setuptools_understands():
    """A ``license = {text = ...}`` table makes every install warn that such builds will stop
    working; setuptools reads an SPDX expression string from version 77 on."""
    data = _pyproject()
    assert data["project"]["license"] == "MIT"
    setuptools = next(r for r in data["build-system"]["requires"] if r.startswith("setuptools"))
    minimum = re.search(r">=\s*(\d+)", setuptools)
    assert minimum and int(minimum.group(1)) >= 77, setuptools
