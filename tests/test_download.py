"""``gomodx download``: Go's cache layout, verification against go.sum, resuming, module
arguments, the CLI — against a real HTTP proxy on 127.0.0.1 and the real go command.

The strongest check is differential: for the same main module, the files gomodx writes
under ``$GOMODCACHE/cache/download`` are byte-for-byte the files ``go mod download all``
writes, and afterwards go works with ``GOPROXY=off``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import json
import os
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from gotool import go_env, run_go
from proxyserver import ProxyServer
from universe import Layout, Universe, escape, random_universe

from analysis import download as dlmod
from analysis import fsio, semver
from analysis.cache import CacheStack
from analysis.download import (
    DownloadProgress,
    DownloadSummary,
    download,
    rewrite_version_list,
)
from analysis.errors import GomodxError
from analysis.goenv import GoEnv
from analysis.goproxy import RetryPolicy
from analysis.hashes import GoSum, gomod_hash, is_valid_sum, zip_hash
from analysis.proxy import ProxyClient

FAST = RetryPolicy(attempts=6, base_delay=0.01, max_delay=0.05, retry_after_cap=1.0)


# -- helpers (also used by test_download_faults.py) -----------------------------------------


def write_gosum(u: Universe, layout: Layout) -> GoSum:
    """A go.sum listing every module version of the universe (go.mod and zip hashes)."""
    sums = GoSum()
    for path, version in u.mods:
        base = layout.proxy_dir / escape(path) / "@v" / escape(version)
        sums.add(path, version + "/go.mod", gomod_hash(_sibling(base, ".mod").read_bytes()))
        sums.add(path, version, zip_hash(_sibling(base, ".zip").read_bytes()))
    (layout.main_dir / "go.sum").write_bytes(sums.format())
    return sums


def _sibling(base: Path, suffix: str) -> Path:
    return base.with_name(base.name + suffix)


def make_env(url: str, cache: Path, **kw: str) -> GoEnv:
    kw.setdefault("gosumdb", "off")
    return GoEnv(goproxy=url, gomodcache=str(cache), **kw)  # type: ignore[arg-type]


def download_client(main: Path | None, env: GoEnv, **kw: Any) -> tuple[ProxyClient, GoSum]:
    """What a session hands the downloader: a client with no cache layers, and go.sum."""
    kw.setdefault("retry", FAST)
    kw.setdefault("timeout", 5.0)
    gosum_path = (main or Path.cwd()) / "go.sum"
    gosum = GoSum.read(gosum_path) if (main or Path.cwd()).joinpath("go.mod").is_file() else GoSum()
    return ProxyClient(env, caches=CacheStack(), gosum=gosum, **kw), gosum


def run_download(
    main: Path | None, env: GoEnv, modules: tuple[str, ...] = (), **kw: Any
) -> DownloadSummary:
    client_kw = {k: kw.pop(k) for k in ("retry", "timeout") if k in kw}
    if "concurrency" in kw:
        client_kw["concurrency"] = kw["concurrency"]

    async def main_() -> DownloadSummary:
        client, gosum = download_client(main, env, **client_kw)
        async with client:
            return await download(main, env, modules, client=client, gosum=gosum, **kw)

    return anyio.run(main_)


def cache_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root/cache/download`` (sumdb caches left out) by relative path."""
    base = root / "cache" / "download"
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in base.rglob("*")
        if p.is_file() and not str(p.relative_to(base)).startswith("sumdb/")
    }


def assert_cache_sound(cache: Path, gosum: GoSum | None) -> int:
    """No file at a final name looks valid unless it is: zips read and match their
    .ziphash (and go.sum), go.mod files match go.sum, infos parse, lists name .mod files.
    Returns how many files were checked."""
    base = cache / "cache" / "download"
    checked = 0
    for f in base.rglob("*"):
        if not f.is_file() or f.name.endswith(".tmp"):
            continue
        vdir = f.parent
        rel = f.relative_to(base)
        module = "/".join(rel.parts[:-2])
        stem, _, suffix = f.name.rpartition(".")
        if suffix == "zip":
            h = zip_hash(f)
            recorded = (vdir / (stem + ".ziphash")).read_bytes()
            assert recorded == h.encode(), f"{f}: ziphash {recorded!r} != {h}"
            if gosum is not None:
                assert h in gosum.hashes(_unesc(module), _unesc(stem)), f
        elif suffix == "ziphash":
            assert is_valid_sum(f.read_bytes()), f
        elif suffix == "mod":
            if gosum is not None:
                listed = gosum.gomod_hashes(_unesc(module), _unesc(stem))
                assert gomod_hash(f.read_bytes()) in listed, f
        elif suffix == "info":
            assert json.loads(f.read_bytes())["Version"] == _unesc(stem), f
        elif f.name == "list":
            for line in f.read_text().splitlines():
                assert (vdir / (line + ".mod")).is_file(), f"{f} lists {line}"
        elif suffix not in ("lock",):
            raise AssertionError(f"unexpected file {f}")
        checked += 1
    return checked


def _unesc(text: str) -> str:
    out = []
    bang = False
    for c in text:
        if bang:
            out.append(c.upper())
            bang = False
        elif c == "!":
            bang = True
        else:
            out.append(c)
    return "".join(out)


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Universe, Layout, GoSum, ProxyServer]]:
    u = Universe(main_go="1.21")
    u.add("example.com/a", "v1.0.0", requires=[("example.com/Big", "v1.1.0")], go="1.16")
    u.add("example.com/a", "v1.2.0", requires=[("example.com/Big", "v1.1.0")], go="1.21")
    u.add("example.com/a", "v1.3.0-pre", go="1.21")
    u.add("example.com/Big", "v1.0.0")
    u.add("example.com/Big", "v1.1.0", requires=[("example.com/c", "v0.1.0")], go="1.16")
    u.add("example.com/c", "v0.1.0", go=None)
    u.add("example.com/c", "v0.2.0", go=None)
    u.add("example.com/d", "v2.0.0+incompatible", has_go_mod=False)
    u.add("example.com/old", "v1.0.0")
    u.add("example.com/new", "v1.5.0")
    u.require("example.com/a", "v1.0.0")
    u.require("example.com/c", "v0.2.0")
    u.require("example.com/d", "v2.0.0+incompatible")
    u.require("example.com/old", "v1.0.0")
    u.replace("example.com/old", "", "example.com/new", "v1.5.0")
    layout = u.write(tmp_path / "u")
    gosum = write_gosum(u, layout)
    with ProxyServer(layout.proxy_dir) as server:
        yield u, layout, gosum, server


# -- layout and resuming ------------------------------------------------------------------


def test_downloads_build_list_and_graph_gomods(small: Any, tmp_path: Path) -> None:
    _, layout, gosum, server = small
    env = make_env(server.url, tmp_path / "mc", gosumdb="sum.golang.org")
    events: list[DownloadProgress] = []
    s = run_download(layout.main_dir, env, on_progress=events.append)
    assert s.ok, s.to_json()
    got = {str(r): r for r in s.modules}
    # The replaced module is downloaded as its replacement; the main module is not.
    assert set(got) == {
        "example.com/a@v1.0.0",
        "example.com/Big@v1.1.0",
        "example.com/c@v0.2.0",
        "example.com/d@v2.0.0+incompatible",
        "example.com/new@v1.5.0",
    }
    # c@v0.1.0 is in the graph (a is at go 1.16, so unpruned) but not selected.
    assert [str(r) for r in s.gomods] == ["example.com/c@v0.1.0"]
    assert s.gomods[0].downloaded == ("mod",) and s.gomods[0].gomod_only
    assert got["example.com/new@v1.5.0"].replaces == "example.com/old@v1.0.0"
    for r in s.modules:
        assert set(r.downloaded) == {"mod", "info", "zip"}
        assert Path(r.zip).is_file() and Path(r.info).is_file() and Path(r.gomod).is_file()
        assert r.sum == zip_hash(Path(r.zip)) and r.gomod_sum == gomod_hash(
            Path(r.gomod).read_bytes()
        )
        assert r.sum in gosum.hashes(r.path, r.version)
    assert s.downloaded_files == {"info": 5, "mod": 6, "zip": 5}
    assert assert_cache_sound(tmp_path / "mc", gosum) > 15
    assert events[-1].phase == "done" and events[-1].done == events[-1].total
    # Files for the escaped path live under example.com/!big.
    assert (tmp_path / "mc/cache/download/example.com/!big/@v/v1.1.0.ziphash").is_file()


def test_each_version_list_is_rewritten_once_and_names_every_gomod(
    small: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module's go.mod files arrive at several moments of the walk; its ``list`` is
    rewritten once, at the end of the phase, and then names exactly the directory's
    ``.mod`` files, sorted as go sorts them (c has two: v0.1.0 and v0.2.0)."""
    _, layout, _, server = small
    rewritten: list[str] = []
    real = dlmod.rewrite_version_list

    def counting(vdir: str | os.PathLike[str]) -> None:
        rewritten.append(str(vdir))
        real(vdir)

    monkeypatch.setattr(dlmod, "rewrite_version_list", counting)
    s = run_download(layout.main_dir, make_env(server.url, tmp_path / "mc"))
    assert s.ok, s.to_json()
    base = tmp_path / "mc" / "cache" / "download"
    vdirs = sorted(str(p.parent) for p in base.rglob("*.mod"))
    assert sorted(rewritten) == sorted(set(vdirs))  # once per directory
    for vdir in map(Path, set(vdirs)):
        mods = [p.name.removesuffix(".mod") for p in vdir.glob("*.mod")]
        listed = (vdir / "list").read_text().splitlines()
        assert listed == semver.sort_versions(mods), vdir
    assert (base / "example.com/c/@v/list").read_text() == "v0.1.0\nv0.2.0\n"


def test_second_run_downloads_nothing(small: Any, tmp_path: Path) -> None:
    _, layout, _, server = small
    env = make_env(server.url, tmp_path / "mc")
    first = run_download(layout.main_dir, env)
    assert first.ok and first.present_total == 0
    before = len(server.requests)
    second = run_download(layout.main_dir, env)
    assert second.ok
    assert second.downloaded_total == 0 and second.requests == 0
    assert second.present_total == first.downloaded_total
    assert len(server.requests) == before
    assert all(r.status == "present" for r in second.modules)


def test_resumes_only_what_is_missing(small: Any, tmp_path: Path) -> None:
    _, layout, _, server = small
    cache = tmp_path / "mc"
    env = make_env(server.url, cache)
    assert run_download(layout.main_dir, env).ok
    vdir = cache / "cache/download/example.com/c/@v"
    (vdir / "v0.2.0.zip").unlink()
    (vdir / "v0.2.0.info").unlink()
    ziphash_only = cache / "cache/download/example.com/a/@v/v1.0.0.ziphash"
    ziphash_only.unlink()  # a lost .ziphash is recomputed from the zip, not re-downloaded
    (vdir / "list").write_text("v0.1.0\n")  # killed between a .mod rename and the list
    before = len(server.requests)
    s = run_download(layout.main_dir, env)
    assert s.ok
    new = [r.path for r in server.requests[before:]]
    assert sorted(new) == ["/example.com/c/@v/v0.2.0.info", "/example.com/c/@v/v0.2.0.zip"]
    assert s.downloaded_files == {"info": 1, "zip": 1}
    assert is_valid_sum(ziphash_only.read_bytes())
    assert (vdir / "list").read_text() == "v0.1.0\nv0.2.0\n"


@pytest.mark.go
@pytest.mark.parametrize("seed", [3, 6, 14, 19])  # go 1.16 / 1.21 / no go line / 1.23
def test_same_files_as_go_and_go_works_offline(tmp_path: Path, seed: int) -> None:
    """Differential: byte-identical cache/download tree to `go mod download all`."""
    u = random_universe(seed=seed, modules=30, versions=4)
    layout = u.write(tmp_path / "u")
    write_gosum(u, layout)
    pristine = (layout.main_dir / "go.mod").read_bytes()
    with ProxyServer(layout.proxy_dir) as server:
        s = run_download(layout.main_dir, make_env(server.url, tmp_path / "ours"))
    assert s.ok, s.to_json()

    # go rewrites go.mod under -mod=mod; give it its own copy of the main module.
    go_main = tmp_path / "go-main"
    shutil.copytree(layout.main_dir, go_main)
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    run_go(["mod", "download", "all"], go_main, env)
    theirs = cache_files(tmp_path / "go" / "modcache")
    ours = cache_files(tmp_path / "ours")
    assert len(ours) > 40 and sorted(ours) == sorted(theirs)
    differ = {name: (ours[name], theirs[name]) for name in ours if ours[name] != theirs[name]}
    assert differ == {}, "ours, go's: " + repr(differ)

    offline = go_env(tmp_path / "off", proxy="off", GOMODCACHE=str(tmp_path / "ours"))
    (layout.main_dir / "go.mod").write_bytes(pristine)
    listed = run_go(["list", "-m", "all"], layout.main_dir, offline).stdout
    run_go(["mod", "download", "all"], layout.main_dir, offline)
    online = run_go(["list", "-m", "all"], go_main, env).stdout
    assert listed == online
    out = run_go(["mod", "download", "-json", "all"], layout.main_dir, offline).stdout
    decoder = json.JSONDecoder()
    go_mods: dict[str, dict[str, str]] = {}
    text = out.strip()
    while text:
        obj, end = decoder.raw_decode(text)
        go_mods[f"{obj['Path']}@{obj['Version']}"] = obj
        text = text[end:].strip()
    for r in s.modules:
        theirs_json = go_mods[str(r)]
        ours_json = r.to_json()
        for key in ("Path", "Version", "Info", "GoMod", "Zip", "Sum", "GoModSum"):
            assert ours_json[key] == theirs_json[key], key


# -- verification --------------------------------------------------------------------------


def _tamper_zip(layout: Layout, path: str, version: str) -> None:
    target = layout.proxy_dir / escape(path) / "@v" / (escape(version) + ".zip")
    prefix = f"{path}@{version}/"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(prefix + "go.mod", f"module {path}\n")
        z.writestr(prefix + "evil.go", "package evil // not what go.sum recorded\n")
    target.write_bytes(buf.getvalue())


def test_tampered_zip_is_refused_and_never_lands(small: Any, tmp_path: Path) -> None:
    _, layout, gosum, server = small
    _tamper_zip(layout, "example.com/c", "v0.2.0")
    cache = tmp_path / "mc"
    s = run_download(layout.main_dir, make_env(server.url, cache))
    assert not s.ok
    bad = next(r for r in s.modules if r.path == "example.com/c")
    assert bad.error_class == "checksum" and bad.status == "failed"
    expected = gosum.hashes("example.com/c", "v0.2.0")[0]
    assert "checksum mismatch" in bad.error and "SECURITY ERROR" in bad.error
    assert f"go.sum:     {expected}" in bad.error
    assert "downloaded: h1:" in bad.error and server.url in bad.error
    vdir = cache / "cache/download/example.com/c/@v"
    for suffix in (".zip", ".ziphash", ".info"):
        assert not (vdir / ("v0.2.0" + suffix)).exists(), suffix
    assert not list(vdir.glob("*.tmp"))
    assert s.failed["checksum"] == 1 and sum(s.failed.values()) == 1
    assert all(r.ok for r in s.modules if r.path != "example.com/c")
    assert_cache_sound(cache, gosum)


def test_tampered_gomod_is_refused(small: Any, tmp_path: Path) -> None:
    _, layout, _, server = small
    mod = layout.proxy_dir / "example.com/!big/@v/v1.1.0.mod"
    mod.write_text(mod.read_text() + "// tampered\n")
    cache = tmp_path / "mc"
    s = run_download(layout.main_dir, make_env(server.url, cache))
    assert not s.ok
    assert s.failed["checksum"] == 1 and sum(s.failed.values()) == 1  # counted once
    assert s.errors and "checksum mismatch" in s.errors[0].message
    assert s.errors[0].module == "example.com/Big@v1.1.0"
    assert "example.com/a@v1.0.0 requires" in s.errors[0].message
    assert not (cache / "cache/download/example.com/!big/@v/v1.1.0.mod").exists()


def test_hashes_missing_from_gosum(small: Any, tmp_path: Path) -> None:
    _, layout, gosum, server = small
    del gosum.entries[("example.com/c", "v0.2.0")]
    (layout.main_dir / "go.sum").write_bytes(gosum.format())
    # With the checksum database on (and not implemented): written, but unverified.
    env = make_env(server.url, tmp_path / "a", gosumdb="sum.golang.org")
    s = run_download(layout.main_dir, env)
    c = next(r for r in s.modules if r.path == "example.com/c")
    assert not s.ok and c.unverified and c.status == "unverified" and c.not_in_gosum == ("zip",)
    assert Path(c.zip).is_file()
    assert sum(s.failed.values()) == 0 and s.unverified == (c,)
    # GONOSUMDB (or GOPRIVATE's default) and GOSUMDB=off accept it, as go does.
    for kw in ({"gosumdb": "sum.golang.org", "gonosumdb": "example.com/c"}, {"gosumdb": "off"}):
        s = run_download(layout.main_dir, make_env(server.url, tmp_path / kw["gosumdb"], **kw))
        c = next(r for r in s.modules if r.path == "example.com/c")
        assert s.ok and c.not_in_gosum == ("zip",) and not c.unverified


def test_cached_copy_contradicting_gosum(small: Any, tmp_path: Path) -> None:
    _, layout, _, server = small
    cache = tmp_path / "mc"
    env = make_env(server.url, cache)
    assert run_download(layout.main_dir, env).ok
    vdir = cache / "cache/download/example.com/c/@v"
    good = (vdir / "v0.2.0.zip").read_bytes()
    bogus = io.BytesIO()
    with zipfile.ZipFile(bogus, "w") as z:
        z.writestr("example.com/c@v0.2.0/x.go", "package x\n")
    (vdir / "v0.2.0.zip").write_bytes(bogus.getvalue())
    (vdir / "v0.2.0.ziphash").write_text(zip_hash(bogus.getvalue()))
    # No extracted tree: the bad copy is replaced by a verified download.
    s = run_download(layout.main_dir, env)
    assert s.ok and (vdir / "v0.2.0.zip").read_bytes() == good
    c = next(r for r in s.modules if r.path == "example.com/c")
    assert c.downloaded == ("zip",) and "replaced" in c.notes[0]
    # With an extracted tree go would use it: refuse, and touch nothing.
    (vdir / "v0.2.0.zip").write_bytes(bogus.getvalue())
    (vdir / "v0.2.0.ziphash").write_text(zip_hash(bogus.getvalue()))
    (cache / "example.com/c@v0.2.0").mkdir(parents=True)
    s = run_download(layout.main_dir, env)
    c = next(r for r in s.modules if r.path == "example.com/c")
    assert not s.ok and c.error_class == "checksum" and "go clean -modcache" in c.error
    assert (vdir / "v0.2.0.zip").read_bytes() == bogus.getvalue()


# -- Go's file conventions -------------------------------------------------------------------


def test_version_list_rewritten_in_place(tmp_path: Path) -> None:
    vdir = tmp_path / "@v"
    vdir.mkdir()
    for name in ("v1.0.0", "v0.9.0", "v1.0.0-rc.1", "v2.0.0+incompatible", "v1.0.0-!r!c1", "v1.0"):
        (vdir / (name + ".mod")).write_text("module x\n")
    (vdir / "v3.0.0.info").write_text("{}")
    (vdir / "list").write_text("stale stale stale stale stale stale stale\n")
    inode = (vdir / "list").stat().st_ino
    rewrite_version_list(vdir)
    # Escaped (upper-case) and non-canonical names are left out, exactly as go leaves them.
    assert (vdir / "list").read_text() == "v0.9.0\nv1.0.0-rc.1\nv1.0.0\nv2.0.0+incompatible\n"
    assert (vdir / "list").stat().st_ino == inode


def test_version_list_read_under_its_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two .mod writes rewriting one list concurrently: the one that locks last must see
    both .mod files, so the directory is read only once the list's lock is held."""
    vdir = tmp_path / "@v"
    vdir.mkdir()
    (vdir / "v1.0.0.mod").write_text("module x\n")
    real = dlmod._flocked
    waiting = threading.Event()

    @contextlib.contextmanager
    def flocked(path: Path) -> Iterator[int]:
        waiting.set()
        with real(path) as fd:
            yield fd

    monkeypatch.setattr(dlmod, "_flocked", flocked)
    fd = os.open(vdir / "list", os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a concurrent rewrite (ours or go's) holds the list
    worker = threading.Thread(target=rewrite_version_list, args=(vdir,))
    worker.start()
    assert waiting.wait(10)
    (vdir / "v1.1.0.mod").write_text("module x\n")  # ... after writing its own .mod
    os.write(fd, b"v1.0.0\nv1.1.0\n")
    os.close(fd)
    worker.join(10)
    assert not worker.is_alive()
    assert (vdir / "list").read_text() == "v1.0.0\nv1.1.0\n"


def test_waits_for_a_go_command_holding_the_version_lock(small: Any, tmp_path: Path) -> None:
    _, layout, _, server = small
    cache = tmp_path / "mc"
    lock = cache / "cache/download/example.com/c/@v/v0.2.0.lock"
    lock.parent.mkdir(parents=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what `go` holds while it downloads c@v0.1.0
    released = threading.Event()

    def release() -> None:
        time.sleep(0.6)
        released.set()
        os.close(fd)

    threading.Thread(target=release, daemon=True).start()
    s = run_download(layout.main_dir, make_env(server.url, cache))
    assert s.ok and released.is_set()
    assert (lock.parent / "v0.2.0.zip").stat().st_mtime >= time.time() - 5


def test_a_lock_held_elsewhere_does_not_stop_the_other_modules(small: Any, tmp_path: Path) -> None:
    """Small files are written on the event loop's thread, but a lock another process
    holds is waited for in a worker thread: everything else goes on meanwhile."""
    _, layout, _, server = small
    first = run_download(layout.main_dir, make_env(server.url, tmp_path / "first"))
    zips = len(list((tmp_path / "first/cache/download").rglob("*.zip")))
    assert first.ok and zips > 1
    cache = tmp_path / "mc"
    lock = cache / "cache/download/example.com/c/@v/v0.2.0.lock"
    lock.parent.mkdir(parents=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    others: list[bool] = []

    def release() -> None:
        # Released once every other zip is in place (or after 60 s, and the test fails):
        # a wait for the lock on the loop's thread would have stopped them all.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len(list((cache / "cache/download").rglob("*.zip"))) == zips - 1:
                others.append(True)
                break
            time.sleep(0.01)
        os.close(fd)

    releaser = threading.Thread(target=release, daemon=True)
    releaser.start()
    s = run_download(layout.main_dir, make_env(server.url, cache))
    releaser.join()
    assert others == [True]
    assert s.ok and (lock.parent / "v0.2.0.zip").is_file()


def test_interrupted_commit_leaves_nothing_valid_looking(
    small: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, layout, gosum, server = small
    cache = tmp_path / "mc"
    real = fsio.write_atomic

    def crash(target: Path, data: bytes, **kw: Any) -> None:
        if target.name.endswith(".ziphash"):
            raise KeyboardInterrupt  # killed between the temp zip and its .ziphash
        real(target, data, **kw)

    monkeypatch.setattr(fsio, "write_atomic", crash)
    with pytest.raises(BaseException):  # noqa: B017 - the interruption itself
        run_download(layout.main_dir, make_env(server.url, cache))
    monkeypatch.setattr(fsio, "write_atomic", real)
    assert not list((cache / "cache/download").rglob("*.zip"))
    assert_cache_sound(cache, gosum)
    s = run_download(layout.main_dir, make_env(server.url, cache))
    assert s.ok
    assert not [p for p in (cache / "cache/download").rglob("*.zip*.tmp")]
    assert_cache_sound(cache, gosum)


def test_disk_full_fails_each_module_in_one_line(
    small: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC as the .ziphash is renamed into place: the zip waiting in its temporary file goes
    too, and every module version reports one line naming the file."""
    _, layout, gosum, server = small
    cache = tmp_path / "mc"
    real_replace = os.replace

    def enospc(src: str, dst: str) -> None:
        if str(dst).endswith(".ziphash"):  # rename(2) can need a block the disk lacks
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", enospc)
    s = run_download(layout.main_dir, make_env(server.url, cache))
    monkeypatch.setattr(os, "replace", real_replace)
    failed = [m for m in s.modules if m.error]
    assert failed and len(failed) == len(s.modules)
    for m in failed:
        assert m.error.startswith("writing ") and m.error.endswith(
            ".ziphash: no space left on device"
        ), m.error
        assert "\n" not in m.error
    assert not list((cache / "cache/download").rglob("*.zip"))
    assert not list((cache / "cache/download").rglob("*.tmp"))
    assert_cache_sound(cache, gosum)


def test_unwritable_module_cache_is_a_one_line_error(
    small: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GOMODCACHE under a regular file (ENOTDIR: unwritable even for root)."""
    from tui.cli import main

    _, layout, _, server = small
    (tmp_path / "file").write_text("")
    _cli_env(monkeypatch, tmp_path, server.url, tmp_path / "file" / "mc")
    assert main(["download", str(layout.main_dir), "--json"]) == 1
    out = capsys.readouterr()
    data = json.loads(out.out)
    errors = [e["Error"] for e in data["Summary"]["Errors"]]
    errors += [m["Error"] for m in data["GoMods"] + data["Modules"] if "Error" in m]
    assert errors
    for e in errors:
        assert "writing " in e and e.endswith(": not a directory"), e
        assert "Errno" not in e and "\n" not in e
    assert "Traceback" not in out.err and "Errno" not in out.err
    assert (tmp_path / "file").read_text() == ""


def test_info_time_formats_as_go() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from analysis.goproxy import RevInfo

    assert dlmod._info_json(RevInfo("v1.0.0", datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC))) == (
        b'{"Version":"v1.0.0","Time":"2020-01-02T03:04:05Z"}'
    )
    east = timezone(timedelta(hours=5, minutes=30))
    assert dlmod._go_time(datetime(2020, 1, 2, 3, 4, 5, 120000, tzinfo=east)) == (
        "2020-01-02T03:04:05.12+05:30"
    )
    assert dlmod._go_time(None) == "0001-01-01T00:00:00Z"


# -- module arguments ------------------------------------------------------------------------


def test_module_arguments(small: Any, tmp_path: Path) -> None:
    _, layout, _, server = small
    env = make_env(server.url, tmp_path / "mc")
    s = run_download(
        layout.main_dir,
        env,
        ("example.com/a@latest", "example.com/c", "example.com/Big@v1", "example.com/nope"),
    )
    got = {r.path: r for r in s.modules}
    assert got["example.com/a"].version == "v1.2.0" and got["example.com/a"].query == "latest"
    assert got["example.com/c"].version == "v0.2.0"  # the selected version
    assert got["example.com/Big"].version == "v1.1.0" and got["example.com/Big"].query == "v1"
    assert got["example.com/nope"].error_class == "not_found"
    assert "not a known dependency" in got["example.com/nope"].error
    assert not s.ok and s.failed["not_found"] == 1
    assert Path(got["example.com/a"].zip).is_file()

    s = run_download(layout.main_dir, env, ("example.com/...", "example.com/main"))
    assert {str(r) for r in s.modules} >= {"example.com/a@v1.0.0", "example.com/new@v1.5.0"}
    assert any("main module" in n for n in s.notes)
    assert s.ok


def test_query_without_a_main_module(small: Any, tmp_path: Path) -> None:
    _, _, _, server = small
    empty = tmp_path / "empty"
    empty.mkdir()
    env = make_env(server.url, tmp_path / "mc")
    s = run_download(empty, env, ("example.com/c@v0.1.0", "example.com/a@none-such"))
    got = {r.path: r for r in s.modules}
    assert got["example.com/c"].ok and got["example.com/c"].version == "v0.1.0"
    assert got["example.com/a"].error
    with pytest.raises(GomodxError, match="without an explicit version"):
        run_download(empty, env, ("example.com/c",))
    with pytest.raises(GomodxError, match=r"go\.mod file not found"):
        run_download(empty, env)


@pytest.mark.go
def test_latest_resolves_like_go(tmp_path: Path) -> None:
    u = random_universe(seed=5, modules=12, versions=5)
    layout = u.write(tmp_path / "u")
    write_gosum(u, layout)
    paths = [p for p in u.paths() if any(not v.endswith("+incompatible") for v in u.versions(p))]
    queries = tuple(f"{p}@latest" for p in paths[:6])
    with ProxyServer(layout.proxy_dir) as server:
        s = run_download(layout.main_dir, make_env(server.url, tmp_path / "mc"), queries)
    go_main = tmp_path / "go-main"
    shutil.copytree(layout.main_dir, go_main)
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    out = run_go(["mod", "download", "-json", *queries], go_main, env, check=False).stdout
    decoder = json.JSONDecoder()
    text = out.strip()
    theirs: dict[str, dict[str, str]] = {}
    while text:
        obj, end = decoder.raw_decode(text)
        theirs[obj["Path"]] = obj
        text = text[end:].strip()
    assert len(s.modules) == len(queries) == len(theirs)
    for r in s.modules:
        t = theirs[r.path]
        assert (r.version, bool(r.error)) == (t["Version"], "Error" in t), (r, t)


# -- errors and the command line -------------------------------------------------------------


def test_unusable_settings(small: Any, tmp_path: Path) -> None:
    _, layout, _, server = small
    with pytest.raises(GomodxError, match="relative"):
        run_download(layout.main_dir, make_env(server.url, Path("rel/cache")))
    with pytest.raises(GomodxError, match="scheme"):
        run_download(layout.main_dir, make_env("ftp://x", tmp_path / "mc"))
    with pytest.raises(GomodxError, match="relative path"):
        run_download(layout.main_dir, make_env(server.url, tmp_path / "mc"), ("./x",))


def test_vendor_mode_in_goflags_does_not_apply(
    small: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.cli import main

    _, layout, _, server = small
    _cli_env(monkeypatch, tmp_path, server.url, tmp_path / "mc")
    monkeypatch.setenv("GOFLAGS", "-mod=vendor -trimpath")  # the session drops -mod
    assert main(["download", str(layout.main_dir)]) == 0


def test_offline_with_empty_cache_fails_as_not_found(small: Any, tmp_path: Path) -> None:
    _, layout, _, _ = small
    s = run_download(layout.main_dir, make_env("off", tmp_path / "mc"))
    assert not s.ok and s.errors and s.errors[0].kind == "not_found"


def _cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, cache: Path) -> None:
    for key in list(os.environ):
        if key.startswith("GO"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GOENV", "off")
    monkeypatch.setenv("GOPROXY", url)
    monkeypatch.setenv("GOMODCACHE", str(cache))
    monkeypatch.setenv("GOSUMDB", "off")
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    monkeypatch.setenv("GOTOOLCHAIN", "local")
    monkeypatch.setenv("GOMODX_TEST_GOCACHE", os.environ.get("GOMODX_TEST_GOCACHE", ""))


def test_cli_json_and_exit_codes(
    small: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    _, layout, _, server = small
    cache = tmp_path / "mc"
    _cli_env(monkeypatch, tmp_path, server.url, cache)
    assert main(["download", str(layout.main_dir), "--json"]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert data["Summary"]["OK"] is True and data["Summary"]["Downloaded"]["zip"] == 5
    first = data["Modules"][0]
    assert {"Path", "Version", "Info", "GoMod", "Zip", "Sum", "GoModSum"} <= set(first)
    assert "Error" not in first and first["Status"] == "downloaded"
    assert "gomodx: loading the module graph" in out.err  # plain log: stderr is no tty

    assert main(["download", str(layout.main_dir)]) == 0
    out = capsys.readouterr()
    assert "downloaded 0 files" in out.out and "ok: everything needed" in out.out

    _tamper_zip(layout, "example.com/d", "v2.0.0+incompatible")
    shutil.rmtree(cache)
    assert main(["download", str(layout.main_dir), "-v"]) == 1
    out = capsys.readouterr()
    assert "1 checksum" in out.out and "FAILED" in out.out
    assert "example.com/d@v2.0.0+incompatible: checksum" in out.out
    assert " zip " in out.err  # -v prints every request

    assert main(["download", str(tmp_path / "missing-dir")]) == 2


def test_split_targets(tmp_path: Path) -> None:
    from tui.commands.download import split_targets

    assert split_targets([]) == (Path("."), [])
    assert split_targets([str(tmp_path), "a.com/x"]) == (tmp_path, ["a.com/x"])
    assert split_targets(["a.com/x@latest"]) == (Path("."), ["a.com/x@latest"])
    assert split_targets(["all"]) == (Path("."), ["all"])
    assert split_targets(["./sub", "all"]) == (Path("sub"), ["all"])


def test_tty_progress_line(small: Any, tmp_path: Path) -> None:
    from tui.commands.download import _Display

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    display = _Display(out)
    _, layout, _, server = small
    run_download(layout.main_dir, make_env(server.url, tmp_path / "mc"), on_progress=display.update)
    display.close()
    text = out.getvalue()
    assert "\r" in text and "\x1b[K" in text and "downloaded" in text
    assert text.endswith("\r\x1b[K")


def test_the_download_command_defaults_to_the_engines_concurrency() -> None:
    from analysis.download import DEFAULT_CONCURRENCY
    from analysis.session import DEFAULT_JOBS
    from tui.cli import build_parser

    assert build_parser("download").parse_args(["download"]).jobs == DEFAULT_CONCURRENCY
    assert build_parser("graph").parse_args(["graph"]).jobs == DEFAULT_JOBS
