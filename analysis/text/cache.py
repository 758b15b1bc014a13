"""Disk cache for trained models, so a worker process does not retrain at every start.

Why: training takes a few seconds, and every web and queue process would pay them on first use.
A model is stored under `ANALYSIS_CACHE_DIR` (default `~/.cache/coalition-feedback`) in a file
named after a fingerprint of its training data, the model code version and the scikit-learn and
numpy versions, so changing any of them trains a fresh model instead of loading a stale one.

The files are pickles (joblib): the cache directory must be writable only by the service user.
An unreadable or corrupt file is ignored and replaced; an unwritable directory only costs the
retraining.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import joblib
import numpy
import sklearn

__all__ = ["MODEL_CODE_VERSION", "cache_dir", "cached_model", "library_versions"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Bump when model code changes in a way old pickles would not reflect.
MODEL_CODE_VERSION = "2"


def library_versions() -> tuple[str, ...]:
    """Strings that make a pickle incompatible when they change."""
    return (f"code={MODEL_CODE_VERSION}", f"sklearn={sklearn.__version__}",
            f"numpy={numpy.__version__}")


def cache_dir() -> Path:
    """`ANALYSIS_CACHE_DIR` when set, else `~/.cache/coalition-feedback` (read at each call)."""
    configured = os.environ.get("ANALYSIS_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "coalition-feedback"


def cached_model(name: str, fingerprint: str, train: Callable[[], T]) -> T:
    """Load `<name>-<fingerprint>.joblib` from the cache dir, or train, store and return it."""
    directory = cache_dir()
    path = directory / f"{name}-{fingerprint[:20]}.joblib"
    if path.exists():
        try:
            return joblib.load(path)
        except Exception:  # a truncated or foreign file: retrain rather than fail the caller
            log.warning("ignoring unreadable model cache %s", path, exc_info=True)
    model = train()
    tmp = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        os.close(handle)
        joblib.dump(model, tmp)
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
        tmp = None
    except OSError:
        log.warning("cannot write model cache in %s; models will retrain", directory,
                    exc_info=True)
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return model
