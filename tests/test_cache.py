"""Module caches: Go's layout, atomic writes, validated paths, offline answers."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import anyio
import pytest
from universe import Universe

from analysis.cache import CacheStack, DownloadCache
from analysis.errors import FileWriteError, ModuleError, ModuleNotFound
from analysis.goenv import GoEnv
from analysis.goproxy import FetchEvent
from analysis.hashes import GoSum, gomod_hash
from analysis.proxy import ProxyClient


def test_layout_matches_go(tmp_path: Path) -> None:
    cache = DownloadCache(tmp_path, writable=True)
    assert cache.file("github.com/Azure/go", "v1.0.0-RC1", "mod") == (
        tmp_path / "github.com/!azure/go/@v/v1.0.0-!r!c1.mod"
    )
    assert cache.list_file("example.com/M") == tmp_path / "example.com/!m/@v/list"
    cache.write("example.com/a", "v2.0.0+incompatible", "info", b"{}")
    assert (tmp_path / "example.com/a/@v/v2.0.0+incompatible.info").read_bytes() == b"{}"


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("../etc", "v1.0.0"),
        ("example.com/../../x", "v1.0.0"),
        ("/abs/path.com", "v1.0.0"),
        ("example.com/a", "../../v1.0.0"),
        ("example.com/a", "v1.0"),  # not canonical
        ("example.com/a", "v1.0.0+meta"),  # not canonical
        ("example.com/a", "master"),
        ("example.com/a", "v1.0.0/../../x"),
        ("example.com/a\\..\\x", "v1.0.0"),
        ("", "v1.0.0"),
    ],
)
def test_bad_paths_never_become_files(tmp_path: Path, path: str, version: str) -> None:
    cache = DownloadCache(tmp_path / "c", writable=True)
    with pytest.raises(ModuleError):
        cache.write(path, version, "mod", b"x")
    assert cache.read(path, version, "mod") is None
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").rglob("*"))


def test_unknown_suffix_and_read_only(tmp_path: Path) -> None:
    with pytest.raises(ModuleError):
        DownloadCache(tmp_path, writable=True).file("example.com/a", "v1.0.0", "exe")
    with pytest.raises(Exception, match="read-only"):
        DownloadCache(tmp_path, writable=False).write("example.com/a", "v1.0.0", "mod", b"")


def test_cache_write_never_leaves_partial_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DownloadCache(tmp_path, writable=True)
    target = cache.write("example.com/a", "v1.0.0", "mod", b"old")

    def enospc(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", enospc)
    with pytest.raises(FileWriteError) as info:
        cache.write("example.com/a", "v1.0.0", "mod", b"new content")
    monkeypatch.undo()
    assert str(info.value) == f"writing {target}: no space left on device"
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["v1.0.0.mod"]


def test_unwritable_own_cache_costs_only_cache_misses(tmp_path: Path) -> None:
    """gomodx's cache directory under a regular file (ENOTDIR, unwritable even for root):
    writes fail with a one-line error, and the client still answers from the proxy."""
    (tmp_path / "file").write_text("")
    own = tmp_path / "file" / "cache"
    with pytest.raises(FileWriteError, match=r"^writing .*/file/cache/.*: not a directory$"):
        DownloadCache(own, writable=True).write_list("example.com/a", b"v1.0.0\n")
    proxy = _universe(tmp_path)

    async def fetch() -> None:
        client, _ = _client(proxy.as_uri(), own)
        async with client:
            assert (await client.versions("example.com/a")).versions == ("v1.0.0", "v1.1.0")
            assert b"example.com/b" in (await client.gomod("example.com/a", "v1.1.0")).data

    anyio.run(fetch)
    assert (tmp_path / "file").read_text() == ""


def test_cached_versions_and_ziphash(tmp_path: Path) -> None:
    cache = DownloadCache(tmp_path, writable=True)
    cache.write("example.com/a", "v1.2.0", "mod", b"module example.com/a\n")
    cache.write("example.com/a", "v1.10.0", "info", b'{"Version":"v1.10.0"}')
    cache.write("example.com/a", "v1.0.0-RC1", "mod", b"module example.com/a\n")
    (tmp_path / "example.com/a/@v/junk.mod").write_bytes(b"")
    assert cache.cached_versions("example.com/a") == ["v1.0.0-RC1", "v1.2.0", "v1.10.0"]
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("example.com/a@v1.2.0/go.mod", "module example.com/a\n")
    cache.write_zip("example.com/a", "v1.2.0", buf.getvalue())
    assert cache.read_ziphash("example.com/a", "v1.2.0") is not None
    assert cache.read_info("example.com/a", "v1.10.0") == {"Version": "v1.10.0"}
    assert cache.read_info("example.com/a", "v1.2.0") is None


# -- the client and the caches ---------------------------------------------------------------


def _universe(tmp: Path) -> Path:
    u = Universe()
    u.add("example.com/a", "v1.0.0")
    u.add("example.com/a", "v1.1.0", requires=[("example.com/b", "v1.0.0")])
    u.add("example.com/b", "v1.0.0")
    return u.write(tmp / "u").proxy_dir


def _client(
    proxy: str, own: Path, gomodcache: str = "", **kw: object
) -> tuple[ProxyClient, list[FetchEvent]]:
    env = GoEnv(goproxy=proxy, gomodcache=gomodcache)
    client = ProxyClient(env, caches=CacheStack.for_env(gomodcache, own), **kw)  # type: ignore[arg-type]
    events: list[FetchEvent] = []
    client.subscribe(events.append)
    return client, events


def test_fetch_fills_own_cache_then_offline_answers(tmp_path: Path) -> None:
    proxy = _universe(tmp_path)
    own = tmp_path / "own"

    async def online() -> None:
        client, _ = _client(proxy.as_uri(), own)
        async with client:
            assert (await client.versions("example.com/a")).versions == ("v1.0.0", "v1.1.0")
            await client.gomod("example.com/a", "v1.1.0")
            await client.stat("example.com/a", "v1.1.0")

    async def offline() -> None:
        client, events = _client(proxy.as_uri(), own, offline=True)
        async with client:
            listed = await client.versions("example.com/a")
            assert listed.versions == ("v1.0.0", "v1.1.0") and listed.stale
            mod = await client.gomod("example.com/a", "v1.1.0")
            assert b"example.com/b" in mod.data
            info = await client.stat("example.com/a", "v1.1.0")
            assert info.version == "v1.1.0"
            with pytest.raises(ModuleNotFound):
                await client.gomod("example.com/b", "v1.0.0")
        assert all(e.outcome == "cache_hit" for e in events)
        assert all(e.url == "" or not e.url.startswith("file:") for e in events)

    anyio.run(online)
    # Small files live in one database (analysis.pack), written when the client closed.
    stored = DownloadCache.own(own)
    assert (
        stored.read("example.com/a", "v1.1.0", "mod")
        == (proxy / "example.com/a/@v/v1.1.0.mod").read_bytes()
    )
    assert stored.read_list("example.com/a") == b"v1.0.0\nv1.1.0\n"
    assert stored.cached_versions("example.com/a") == ["v1.1.0"]
    assert [p.name for p in own.rglob("*") if p.suffix in (".mod", ".info", ".tmp")] == []
    anyio.run(offline)


def test_goproxy_off_reads_caches(tmp_path: Path) -> None:
    proxy = _universe(tmp_path)
    own = tmp_path / "own"

    async def fill() -> None:
        client, _ = _client(proxy.as_uri(), own)
        async with client:
            await client.versions("example.com/b")

    async def off() -> None:
        client, _ = _client("off", own)
        async with client:
            assert client.offline
            assert (await client.versions("example.com/b")).stale

    anyio.run(fill)
    anyio.run(off)


def test_network_failure_falls_back_to_stale_cache(tmp_path: Path) -> None:
    proxy = _universe(tmp_path)
    own = tmp_path / "own"

    async def fill() -> None:
        client, _ = _client(proxy.as_uri(), own)
        async with client:
            await client.versions("example.com/a")

    async def down() -> None:
        # Nothing listens on port 9 of 127.0.0.1: connection refused (not worth a retry),
        # then the cache.
        from analysis.goproxy import RetryPolicy

        client, events = _client(
            "http://127.0.0.1:9", own, retry=RetryPolicy(attempts=2, base_delay=0.0)
        )
        async with client:
            listed = await client.versions("example.com/a")
        assert listed.stale and listed.versions == ("v1.0.0", "v1.1.0")
        assert [e.outcome for e in events] == ["error", "cache_hit"]

    anyio.run(fill)
    anyio.run(down)


def test_corrupt_cache_entries_are_misses(tmp_path: Path) -> None:
    proxy = _universe(tmp_path)
    own = tmp_path / "own"
    own_file = own / "example.com/a/@v/v1.1.0.mod"
    own_file.parent.mkdir(parents=True)
    own_file.write_bytes(b"module example.com/a\n\nrequire (\n\texample.com/b v1")  # truncated

    async def main() -> None:
        client, events = _client(proxy.as_uri(), own)
        async with client:
            mod = await client.gomod("example.com/a", "v1.1.0")
        assert mod.data == (proxy / "example.com/a/@v/v1.1.0.mod").read_bytes()
        assert [e.outcome for e in events] == ["ok"]

    anyio.run(main)
    # The good copy is what the cache answers from now on.
    good = (proxy / "example.com/a/@v/v1.1.0.mod").read_bytes()
    assert DownloadCache.own(own).read("example.com/a", "v1.1.0", "mod") == good

    async def again() -> None:
        client, events = _client(proxy.as_uri(), own, offline=True)
        async with client:
            assert (await client.gomod("example.com/a", "v1.1.0")).data == good
        assert [e.outcome for e in events] == ["cache_hit"]

    anyio.run(again)


def test_go_cache_is_read_first_and_never_written(tmp_path: Path) -> None:
    proxy = _universe(tmp_path)
    gomodcache = tmp_path / "modcache"
    download = gomodcache / "cache/download/example.com/a/@v"
    download.mkdir(parents=True)
    data = b"module example.com/a\n\n// from go's cache\n"
    (download / "v1.0.0.mod").write_bytes(data)
    before = sorted(p.name for p in download.iterdir())
    sums = GoSum()
    sums.add("example.com/a", "v1.0.0/go.mod", gomod_hash(data))

    async def main() -> None:
        client, events = _client(proxy.as_uri(), tmp_path / "own", str(gomodcache), gosum=sums)
        async with client:
            mod = await client.gomod("example.com/a", "v1.0.0")
            await client.gomod("example.com/b", "v1.0.0")
        assert mod.data == data and mod.verified and mod.origin == "GOMODCACHE"
        assert events[0].outcome == "cache_hit"

    anyio.run(main)
    assert sorted(p.name for p in download.iterdir()) == before
    assert not (gomodcache / "cache/download/example.com/b").exists()


def test_goproxy_off_with_goprivate_still_reads_caches(tmp_path: Path) -> None:
    proxy = _universe(tmp_path)
    own = tmp_path / "own"

    async def fill() -> None:
        client, _ = _client(proxy.as_uri(), own)
        async with client:
            await client.versions("example.com/b")

    async def off() -> None:
        env = GoEnv(goproxy="off", goprivate="corp.example", gonoproxy="corp.example")
        client = ProxyClient(env, caches=CacheStack.for_env("", own), use_go=False)
        async with client:
            assert (await client.versions("example.com/b")).stale
            with pytest.raises(ModuleNotFound, match="go command"):
                await client.versions("corp.example/x")

    anyio.run(fill)
    anyio.run(off)


def test_misses_are_remembered_only_while_a_load_runs(tmp_path: Path) -> None:
    stack = CacheStack.for_env(str(tmp_path / "gopath" / "pkg" / "mod"), tmp_path / "own")
    go = stack.go
    assert go is not None and stack.own is not None
    mod = b"module example.com/a\n"

    def put_by_go(version: str) -> None:  # as another process (go) would
        target = go.file("example.com/a", version, "mod")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(mod)

    # Outside a load nothing is remembered: a file go writes is read at once.
    assert go.read("example.com/a", "v1.0.0", "mod") is None
    put_by_go("v1.0.0")
    assert go.read("example.com/a", "v1.0.0", "mod") == mod

    with stack.remembering_misses():
        assert go.read("example.com/b", "v1.0.0", "mod") is None
        target = go.file("example.com/b", "v1.1.0", "mod")
        target.parent.mkdir(parents=True)
        target.write_bytes(b"module example.com/b\n")
        # The module had no directory when first looked for: not looked for again ...
        assert go.read("example.com/b", "v1.1.0", "mod") is None
        # ... but a module whose directory is there is read as usual.
        assert go.read("example.com/a", "v1.0.0", "mod") == mod
        # This process's own writes are seen at once.
        assert stack.own.read("example.com/c", "v1.0.0", "zip") is None
        stack.own.write("example.com/c", "v1.0.0", "zip", b"PK")
        assert stack.own.read("example.com/c", "v1.0.0", "zip") == b"PK"
    # After the load, the file written meanwhile is found.
    assert go.read("example.com/b", "v1.1.0", "mod") == b"module example.com/b\n"


@pytest.mark.parametrize("bad", ["../outside", "/etc", "a/./b", "a//b", "a/.."])
def test_a_path_that_would_leave_the_cache_is_refused_even_if_the_check_missed_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    """Belt and braces: should the module path check ever let such a path through, no
    read or write may reach outside the cache root."""
    from analysis import cache as cache_module

    monkeypatch.setattr(cache_module, "check_path", lambda path: None)
    monkeypatch.setattr(cache_module, "escape_path", lambda path: path)
    cache_module._module_dir.cache_clear()
    cache_module._name.cache_clear()
    cache_module._version_dir.cache_clear()
    (tmp_path / "outside" / "@v").mkdir(parents=True)
    (tmp_path / "outside" / "@v" / "v1.0.0.mod").write_bytes(b"module outside\n")
    (tmp_path / "root" / "a" / "b" / "@v").mkdir(parents=True)
    cache = DownloadCache(tmp_path / "root", writable=True)
    try:
        assert cache.read(bad, "v1.0.0", "mod") is None
        with pytest.raises(ModuleError, match="escapes the cache"):
            cache.write(bad, "v1.0.0", "mod", b"module x\n")
    finally:
        cache_module._module_dir.cache_clear()
        cache_module._name.cache_clear()
        cache_module._version_dir.cache_clear()
    # Nothing was written anywhere: the only go.mod is the one that was there.
    mods = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.mod"))
    assert mods == ["outside/@v/v1.0.0.mod"]
