"""analysis.userdirs names gomodx's per-user directories as platformdirs does.

On many environments (HOME absolute, relative, with a trailing slash or unset; each XDG
variable unset, empty, blank, absolute, with a trailing slash, relative, or with spaces
around it) the answer must be platformdirs' own; the plain cases must be answered
without platformdirs (that is the point) and the others by it.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import platformdirs
import pytest

from analysis import userdirs

HOMES = [None, "/home/u", "/home/u/", "/", "relative/home"]
VALUES = [None, "", "  ", "/x/dir", "/x/dir/", "rel/dir", " /x/dir "]
KINDS = {
    "cache": ("XDG_CACHE_HOME", platformdirs.user_cache_dir),
    "state": ("XDG_STATE_HOME", platformdirs.user_state_dir),
    "config": ("XDG_CONFIG_HOME", platformdirs.user_config_dir),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_same_directories_as_platformdirs(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    variable, theirs = KINDS[kind]
    plain = 0
    for home, value in itertools.product(HOMES, VALUES):
        for name, setting in (("HOME", home), (variable, value)):
            if setting is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, setting)
        try:
            want: str | type[Exception] = theirs("gomodx", appauthor=False)
        except RuntimeError:  # platformdirs finds no home to use
            want = RuntimeError
        ours = userdirs.plain_user_dir(kind)  # type: ignore[arg-type]
        if ours is not None:
            plain += 1
            assert ours == want, (home, value)
        try:
            got: str | type[Exception] = userdirs.user_dir(kind)  # type: ignore[arg-type]
        except RuntimeError:
            got = RuntimeError
        assert got == want, (home, value)
    if sys.platform == "linux":
        assert plain >= 10  # the usual cases never load platformdirs


def test_the_default_dirs_use_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from analysis.cache import default_cache_dir
    from analysis.journal import default_backup_root

    monkeypatch.delenv("GOMODX_CACHE", raising=False)
    monkeypatch.delenv("GOMODX_STATE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    assert (
        default_cache_dir()
        == Path(platformdirs.user_cache_dir("gomodx", appauthor=False)) / "download"
    )
    assert (
        default_backup_root()
        == Path(platformdirs.user_state_dir("gomodx", appauthor=False)) / "undo"
    )
