"""analysis.goenv against ``go env -json``: resolving Go's settings without the go command
must give the answers go gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gotool import require_go

from analysis.errors import GomodxError
from analysis.goenv import (
    DEFAULT_GOPROXY,
    GoEnv,
    env_file,
    load_goenv,
    mod_flag,
    netrc_path,
    read_env_file,
)

FIELDS = (
    "goproxy",
    "gonoproxy",
    "goprivate",
    "gonosumdb",
    "goinsecure",
    "gosumdb",
    "goflags",
    "gomodcache",
    "gopath",
    "gowork",
    "goauth",
    "goenv",
)


def base_env(tmp: Path) -> dict[str, str]:
    """A clean environment: no GO* variables, HOME and XDG under tmp."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GO") and k not in {"HOME", "XDG_CONFIG_HOME", "NETRC"}
    }
    env["HOME"] = str(tmp / "home")
    env["GOTOOLCHAIN"] = "local"
    env["GOTELEMETRY"] = "off"
    return env


def fields(e: GoEnv) -> dict[str, str]:
    return {name: getattr(e, name) for name in FIELDS}


# Each case: environment additions, GOENV file content (None: no file), extra files.
CASES: list[tuple[str, dict[str, str], str | None]] = [
    ("defaults", {}, None),
    ("goenv-off", {"GOENV": "off"}, None),
    ("private", {"GOPRIVATE": "*.corp.example,rsc.io/private"}, None),
    ("private-nonoproxy", {"GOPRIVATE": "corp.example", "GONOPROXY": "none"}, None),
    ("private-nosumdb", {"GOPRIVATE": "corp.example", "GONOSUMDB": "other.example"}, None),
    ("proxy-list", {"GOPROXY": "proxy.example|https://b.example,direct"}, None),
    ("proxy-off", {"GOPROXY": "off", "GOSUMDB": "off"}, None),
    ("flags", {"GOFLAGS": "-mod=vendor -x --mod=readonly"}, None),
    ("gopath-list", {"GOPATH": "/a/first" + os.pathsep + "/b/second"}, None),
    ("gopath-empty-first", {"GOPATH": os.pathsep + "/b"}, None),
    ("gomodcache", {"GOMODCACHE": "/somewhere/modcache"}, None),
    ("insecure-auth", {"GOINSECURE": "*.test", "GOAUTH": "off"}, None),
    ("gowork-off", {"GOWORK": "off"}, None),
    ("gowork-abs", {"GOWORK": "/x/y/go.work"}, None),
    ("no-home", {"HOME": ""}, None),
    ("xdg", {"XDG_CONFIG_HOME": "@TMP@/xdg"}, "GOPROXY=https://from-xdg.example\n"),
    (
        "file",
        {},
        "GOPROXY=direct\nGOPRIVATE=x.example\n#comment\n GOFLAGS=-mod=mod\nGONOSUMDB=\n"
        "GOSUMDB=off\nGOFLAGS=-mod=vendor\n",
    ),
    (
        "file-overridden-by-env",
        {"GOPROXY": "https://env.example", "GOPRIVATE": ""},
        "GOPROXY=direct\nGOPRIVATE=x.example\nGOMODCACHE=/file/cache\nGOPATH=/file/gopath\n",
    ),
    ("file-gopath", {}, "GOPATH=/file/gopath\n"),
    ("explicit-goenv", {"GOENV": "@TMP@/custom.env"}, "GONOPROXY=a.example\nGOINSECURE=b\n"),
    ("explicit-goenv-missing", {"GOENV": "@TMP@/missing.env"}, None),
]


def _materialise(tmp: Path, extra: dict[str, str], file: str | None) -> dict[str, str]:
    env = base_env(tmp)
    for key, value in extra.items():
        env[key] = value.replace("@TMP@", str(tmp))
    (tmp / "home").mkdir(exist_ok=True)
    target = env_file(env)
    if file is not None and target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(file)
    return env


@pytest.mark.go
@pytest.mark.parametrize(("name", "extra", "file"), CASES, ids=[c[0] for c in CASES])
def test_matches_go_env(tmp_path: Path, name: str, extra: dict[str, str], file: str | None) -> None:
    require_go()
    env = _materialise(tmp_path, extra, file)
    work = tmp_path / "work"
    work.mkdir()
    by_go = load_goenv(env, cwd=work)
    by_hand = load_goenv(env, use_go=False, cwd=work)
    assert by_go.source == "go"
    assert by_hand.source == "environment"
    assert fields(by_hand) == fields(by_go)


@pytest.mark.go
def test_gowork_found_upwards(tmp_path: Path) -> None:
    require_go()
    env = _materialise(tmp_path, {}, None)
    (tmp_path / "ws" / "a" / "b").mkdir(parents=True)
    (tmp_path / "ws" / "go.work").write_text("go 1.22\n")
    cwd = tmp_path / "ws" / "a" / "b"
    assert load_goenv(env, use_go=False, cwd=cwd).gowork == load_goenv(env, cwd=cwd).gowork
    assert load_goenv(env, use_go=False, cwd=cwd).gowork.endswith("go.work")


def test_relative_gowork_is_an_error(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    env["GOWORK"] = "rel.work"
    with pytest.raises(GomodxError, match="invalid GOWORK: not an absolute path"):
        load_goenv(env, use_go=False)


def test_goroot_go_env_defaults(tmp_path: Path) -> None:
    goroot = tmp_path / "goroot"
    goroot.mkdir()
    (goroot / "go.env").write_text("GOPROXY=https://corp-mirror.example\nGOSUMDB=off\n")
    env = base_env(tmp_path)
    env["GOROOT"] = str(goroot)
    env["GOENV"] = "off"
    resolved = load_goenv(env, use_go=False)
    assert resolved.goproxy == "https://corp-mirror.example"
    assert resolved.gosumdb == "off"


def test_shipped_defaults_without_goroot(tmp_path: Path) -> None:
    resolved = load_goenv({"HOME": str(tmp_path), "GOENV": "off"}, use_go=False)
    assert resolved.goproxy == DEFAULT_GOPROXY
    assert resolved.gosumdb == "sum.golang.org"
    assert resolved.gomodcache == str(tmp_path / "go" / "pkg" / "mod")
    assert resolved.download_dir == tmp_path / "go" / "pkg" / "mod" / "cache" / "download"


def test_go_missing_falls_back(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    env["PATH"] = str(tmp_path)  # no go here
    env["GOPROXY"] = "off"
    resolved = load_goenv(env)
    assert resolved.source == "environment"
    assert resolved.goproxy == "off"


def test_mod_flag() -> None:
    assert mod_flag("") == ""
    assert mod_flag("-mod=vendor") == "vendor"
    assert mod_flag("-x -mod=vendor --mod=mod") == "mod"
    assert mod_flag("-mod vendor") == ""
    assert mod_flag("---mod=x") == ""
    assert GoEnv(goflags="-modcacherw -mod=readonly").mod == "readonly"


def test_read_env_file_rules(tmp_path: Path) -> None:
    f = tmp_path / "env"
    f.write_bytes(b"A=1\n#B=2\n c=3\nlower=4\nNOEQ\nD=x=y\nA=5\n\nE=")
    assert read_env_file(f) == {"A": "5", "D": "x=y", "E": ""}
    assert read_env_file(tmp_path / "missing") == {}


def test_netrc_path(tmp_path: Path) -> None:
    assert netrc_path({"NETRC": "/x/netrc", "HOME": "/h"}) == "/x/netrc"
    assert netrc_path({"HOME": "/h"}) == os.path.join("/h", ".netrc")
    assert netrc_path({}) == ""


def test_env_file_locations() -> None:
    assert env_file({"GOENV": "off", "HOME": "/h"}) == ""
    assert env_file({"GOENV": "/custom"}) == "/custom"
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert env_file({"HOME": "/h"}) == "/h/.config/go/env"
        assert env_file({"HOME": "/h", "XDG_CONFIG_HOME": "/x"}) == "/x/go/env"
        assert env_file({"HOME": "/h", "XDG_CONFIG_HOME": "rel"}) == ""
        assert env_file({}) == ""


def test_frozen() -> None:
    e = GoEnv()
    with pytest.raises(AttributeError):
        e.goproxy = "off"  # type: ignore[misc]


def test_go_env_answers_are_kept_until_an_input_changes(tmp_path: Path) -> None:
    """``go env`` runs once; its answer is reused while the environment, the GOENV file,
    the go.work files above the directory and the binary stay as they were, and a cache
    file that cannot be read is a miss."""
    go = require_go()
    env = base_env(tmp_path)
    env["GOENV"] = str(tmp_path / "goenv")
    (tmp_path / "goenv").write_text("GOPRIVATE=a.example\n")
    work = tmp_path / "w" / "m"
    work.mkdir(parents=True)
    cache = tmp_path / "cache"
    calls: list[int] = []
    import analysis.goenv as goenv_module

    real = goenv_module._run_go_env

    def counting(*args: object, **kw: object) -> dict[str, object]:
        calls.append(1)
        return real(*args, **kw)  # type: ignore[arg-type]

    def load() -> GoEnv:
        return load_goenv(env, go=go, cwd=work, cache_dir=cache)

    goenv_module._run_go_env = counting  # type: ignore[assignment]
    try:
        first = load()
        assert first.goprivate == "a.example" and len(calls) == 1
        assert load() == first and len(calls) == 1  # kept
        (tmp_path / "goenv").write_text("GOPRIVATE=b.example\n")
        assert load().goprivate == "b.example" and len(calls) == 2
        env["GONOSUMDB"] = "c.example"
        assert load().gonosumdb == "c.example" and len(calls) == 3
        (tmp_path / "w" / "go.work").write_text("go 1.22\n\nuse ./m\n")
        assert load().gowork == str(tmp_path / "w" / "go.work") and len(calls) == 4
        assert load().gowork == str(tmp_path / "w" / "go.work") and len(calls) == 4
        for f in (cache / "goenv").iterdir():
            f.write_bytes(b"{not json")
        assert load().gowork == str(tmp_path / "w" / "go.work") and len(calls) == 5
        uncached = load_goenv(env, go=go, cwd=work)
        assert uncached == load() and len(calls) == 6
    finally:
        goenv_module._run_go_env = real
