from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GOMODX_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """``../shared/corpus``, or skip cleanly when the shared data is not beside the checkout."""
    path = SHARED / "corpus"
    if not path.is_dir():
        pytest.skip("../shared/corpus is not present")
    return path


@pytest.fixture(scope="session", autouse=True)
def _shared_gocache(tmp_path_factory: pytest.TempPathFactory) -> None:
    # One go build cache for the whole session keeps differential tests fast.
    os.environ.setdefault("GOMODX_TEST_GOCACHE", str(tmp_path_factory.mktemp("gocache")))


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # The app keeps settings in the user configuration directory: never the real one.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    # Nor the user's caches: test universes reuse module paths and versions with other
    # contents, which a shared download cache (or graph snapshot) would mix up.
    monkeypatch.setenv("GOMODX_CACHE", str(tmp_path_factory.mktemp("gomodx-cache")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
