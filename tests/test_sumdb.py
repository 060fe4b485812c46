"""The checksum database client: notes, tiles, GOSUMDB settings, and differential tests
against the go command and a real checksum database (Go's own server code) on 127.0.0.1."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import subprocess
from pathlib import Path

import anyio
import httpx
import pytest
from gotool import environ, go_env, require_go, run_go
from sumdbserver import SumDBServer
from universe import Layout, Universe

from analysis.download import DownloadSummary
from analysis.goenv import GoEnv
from analysis.goproxy import FetchEvent
from analysis.hashes import gomod_hash, zip_hash
from analysis.modpath import escape_path, escape_version
from analysis.signednote import NoteError, Verifier, open_note
from analysis.sumdb import (
    SumDBClient,
    SumDBError,
    SumDBSecurityError,
    parse_gosumdb,
    use_sumdb,
)
from analysis.tlog import (
    EMPTY_HASH,
    Tile,
    TlogError,
    Tree,
    node_hash,
    parse_record,
    parse_tree,
    read_hashes,
    record_hash,
    stored_hash_index,
    tile_for_index,
    tile_path,
    tree_hash,
)

# -- notes and keys -------------------------------------------------------------------------

NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
).encode()
PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"


def test_note_vector_verifies() -> None:
    text = open_note(NOTE, Verifier.parse(PETER))
    assert text.endswith(b"what your problem is.\n")


def test_note_with_a_changed_text_or_signature_is_refused() -> None:
    v = Verifier.parse(PETER)
    with pytest.raises(NoteError, match=r"invalid signature for key PeterNeumann\+c74f20a3"):
        open_note(NOTE.replace(b"answer", b"Answer"), v)
    with pytest.raises(NoteError, match="malformed note"):
        open_note(NOTE.replace(b"\n\n", b"\n"), v)
    with pytest.raises(NoteError, match="malformed note"):
        open_note(NOTE.replace(b"is.\n", b"is.\x01\n"), v)
    other = Verifier.parse(KNOWN)
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(NOTE, other)


KNOWN = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a b c", "invalid GOSUMDB: too many fields"),
        (
            "sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
            "invalid GOSUMDB: invalid verifier hash",
        ),
        ("nokey", "invalid GOSUMDB: malformed verifier id"),
        ("", "missing GOSUMDB"),
    ],
)
def test_gosumdb_errors(value: str, message: str) -> None:
    with pytest.raises(SumDBError, match=re.escape(message)):
        parse_gosumdb(value)


def test_gosumdb_values() -> None:
    assert parse_gosumdb("off") is None
    known = parse_gosumdb("sum.golang.org")
    assert known is not None and known.key == KNOWN and known.url == ""
    china = parse_gosumdb("sum.golang.google.cn")
    assert china is not None and china.name == "sum.golang.org"
    assert china.url == "https://sum.golang.google.cn"
    v = Verifier.parse(KNOWN)
    assert (v.name, f"{v.hash:08x}") == ("sum.golang.org", "033de0ae")


def test_which_modules_are_checked() -> None:
    env = GoEnv(gosumdb="sum.golang.org", gonosumdb="*.corp.example,example.com/private")
    assert use_sumdb(env, "golang.org/x/text")
    assert not use_sumdb(env, "git.corp.example/a/b")
    assert not use_sumdb(env, "example.com/private/x")
    assert use_sumdb(env, "example.com/privateer")
    # GOINSECURE does not turn checking off; GOSUMDB=off does, except for the toolchain
    assert use_sumdb(dataclasses.replace(env, goinsecure="*"), "golang.org/x/text")
    off = dataclasses.replace(env, gosumdb="off")
    assert not use_sumdb(off, "golang.org/x/text")
    assert use_sumdb(off, "golang.org/toolchain")
    assert not use_sumdb(dataclasses.replace(off, goproxy="file:///srv/p"), "golang.org/toolchain")


# -- the log ----------------------------------------------------------------------------------


def test_tile_paths() -> None:
    assert tile_path(Tile(3, 4, 1234067, 1)) == "tile/3/4/x001/x234/067.p/1"
    assert tile_path(Tile(3, 4, 1234067, 8)) == "tile/3/4/x001/x234/067"
    assert tile_path(Tile(8, -1, 0, 5)) == "tile/8/data/000.p/5"
    assert tile_for_index(8, stored_hash_index(0, 300)) == Tile(8, 0, 1, 45)


class _Log:
    """A log built the plain way: every level of the tree kept in lists."""

    def __init__(self, records: list[bytes]) -> None:
        self.levels = [[record_hash(r) for r in records]]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )
        self.stored: dict[int, bytes] = {}
        for level, hashes in enumerate(self.levels):
            for n, h in enumerate(hashes):
                self.stored[stored_hash_index(level, n)] = h

    def root(self, n: int) -> bytes:
        def mth(lo: int, hi: int) -> bytes:
            if hi - lo == 1:
                return self.levels[0][lo]
            k = 1
            while k * 2 < hi - lo:
                k *= 2
            return node_hash(mth(lo, lo + k), mth(lo + k, hi))

        return mth(0, n) if n else EMPTY_HASH

    def tile(self, t: Tile) -> bytes:
        level = t.l * t.h
        start = t.n << t.h
        return b"".join(self.levels[level][start : start + t.w])


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 255, 256, 257, 300, 513])
def test_tree_hash_and_tiles_agree_with_a_plain_merkle_tree(n: int) -> None:
    log = _Log([f"record {i}\n".encode() for i in range(n)])
    tree = Tree(n, log.root(n))
    assert tree_hash(n, lambda ix: [log.stored[i] for i in ix]) == tree.hash
    for height in (2, 8):
        for rec in {0, n // 2, n - 1}:
            (h,) = read_hashes(
                tree, height, [stored_hash_index(0, rec)], lambda ts: [log.tile(t) for t in ts]
            )
            assert h == log.levels[0][rec]


def test_a_tile_that_does_not_hash_to_the_root_is_refused() -> None:
    log = _Log([f"record {i}\n".encode() for i in range(300)])
    tree = Tree(300, log.root(300))

    def bad(tiles: list[Tile]) -> list[bytes]:
        out = [log.tile(t) for t in tiles]
        out[-1] = bytes([out[-1][0] ^ 1]) + out[-1][1:]
        return out

    for height in (2, 8):
        with pytest.raises(TlogError, match="downloaded inconsistent tile"):
            read_hashes(tree, height, [stored_hash_index(0, 5)], bad)


def test_tree_notes_and_records() -> None:
    h = base64.b64encode(hashlib.sha256(b"x").digest())
    assert parse_tree(b"go.sum database tree\n5\n" + h + b"\nextra\n") == Tree(
        5, hashlib.sha256(b"x").digest()
    )
    for bad in (b"go.sum database tree\n05\n" + h + b"\n", b"go.sum tree\n5\n" + h + b"\n"):
        with pytest.raises(TlogError, match="malformed tree note"):
            parse_tree(bad)
    assert parse_record(b"7\na v1 h1:x\n\nnote") == (7, b"a v1 h1:x\n", b"note")
    with pytest.raises(TlogError, match="malformed record data"):
        parse_record(b"7\na v1 h1:x\nnote")


# -- against go and a real checksum database -------------------------------------------------


def _universe(tmp_path: Path) -> Layout:
    u = Universe()
    u.add("example.com/a", "v1.0.0")
    u.add("example.com/b", "v1.1.0", requires=[("example.com/a", "v1.0.0")])
    u.add("example.com/c", "v0.3.0")
    u.add("example.com/Upper", "v2.0.0+incompatible")
    u.require("example.com/b", "v1.1.0")
    u.require("example.com/c", "v0.3.0")
    u.require("example.com/Upper", "v2.0.0+incompatible")
    return u.write(tmp_path / "u")


MODULES = [
    ("example.com/a", "v1.0.0"),
    ("example.com/b", "v1.1.0"),
    ("example.com/c", "v0.3.0"),
    ("example.com/Upper", "v2.0.0+incompatible"),
]


def _env(root: Path, layout: Layout, gosumdb: str, **extra: str) -> dict[str, str]:
    return go_env(root, proxy=layout.proxy_url, GOSUMDB=gosumdb, **extra)


def _goenv(env: dict[str, str]) -> GoEnv:
    return GoEnv(
        goproxy=env["GOPROXY"],
        gosumdb=env["GOSUMDB"],
        gonosumdb=env.get("GONOSUMDB", ""),
        gomodcache=env["GOMODCACHE"],
        gopath=env["GOPATH"],
    )


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def _hashes(layout: Layout, path: str, version: str) -> tuple[str, str]:
    base = layout.proxy_dir / escape_path(path) / "@v" / escape_version(version)
    return (
        zip_hash(base.with_name(base.name + ".zip")),
        gomod_hash(base.with_name(base.name + ".mod").read_bytes()),
    )


def _check_all(client: SumDBClient, layout: Layout, modules: list[tuple[str, str]]) -> list[str]:
    """Check every module's zip and go.mod hash; the lines the database gave."""

    async def go() -> list[str]:
        lines: list[str] = []
        try:
            for path, version in modules:
                zh, mh = _hashes(layout, path, version)
                await client.check(path, version, zh)
                await client.check(path, version + "/go.mod", mh)
                lines += await client.lookup(path, version)
                lines += await client.lookup(path, version + "/go.mod")
        finally:
            await client.aclose()
        return lines

    return anyio.run(go)


def _go_sum_lines(main: Path) -> list[str]:
    return sorted((main / "go.sum").read_text().splitlines())


@pytest.mark.go
def test_go_and_gomodx_agree_with_an_honest_database(tmp_path: Path) -> None:
    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir) as db:
        # go accepts the server: go.sum written from it, caches in go's layout
        genv = _env(tmp_path / "go", layout, db.gosumdb)
        run_go(["mod", "download", "all"], layout.main_dir, genv)
        go_sum = _go_sum_lines(layout.main_dir)
        go_cache = _files(Path(genv["GOMODCACHE"]) / "cache" / "download" / "sumdb")
        go_latest = next(Path(genv["GOPATH"]).rglob("sumdb/sumdb.test/latest")).read_bytes()
        assert len(go_sum) == 8

        # gomodx, with caches of its own: the same lines, the same files, the same tree
        xenv = _env(tmp_path / "x", layout, db.gosumdb)
        events: list[FetchEvent] = []
        lines = _check_all(SumDBClient(_goenv(xenv), emit=events.append), layout, MODULES)
        assert sorted(lines) == go_sum
        ours = _files(Path(xenv["GOMODCACHE"]) / "cache" / "download" / "sumdb")
        # go saw the tree grow one record per lookup (tiles .p/1 .. .p/4); gomodx came
        # later and needed only the last: every file it wrote is go's, byte for byte
        # and the same lookups, whose records are go's (the tree notes after them differ:
        # each answer carries the tree as it was when it was asked for)
        assert {k for k in ours if "/lookup/" in k} == {k for k in go_cache if "/lookup/" in k}
        for k in (k for k in ours if "/lookup/" in k):
            assert parse_record(ours[k])[:2] == parse_record(go_cache[k])[:2]
        assert {k: v for k, v in ours.items() if "/tile/" in k} == {
            k: go_cache[k] for k in ours if "/tile/" in k
        }
        assert [k for k in ours if "/tile/" in k] == ["sumdb.test/tile/8/0/000.p/4"]
        latest = Path(xenv["GOPATH"]) / "pkg" / "sumdb" / "sumdb.test" / "latest"
        assert latest.read_bytes() == go_latest
        assert any("/lookup/example.com/!upper@v2.0.0+incompatible" in e.url for e in events)

        # a second run answers from go's caches: no lookups, no tiles
        events.clear()
        _check_all(SumDBClient(_goenv(xenv), emit=events.append), layout, MODULES)
        assert [e.url for e in events] == []

        # and go trusts what gomodx cached: a fresh go.sum, go on gomodx's sumdb caches
        (layout.main_dir / "go.sum").unlink()
        xgo = dict(genv, GOPATH=xenv["GOPATH"])
        run_go(["mod", "download", "all"], layout.main_dir, xgo)
        assert _go_sum_lines(layout.main_dir) == go_sum


@pytest.mark.go
def test_a_lying_database_is_a_security_error_for_both(tmp_path: Path) -> None:
    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir, lie="example.com/c") as db:
        genv = _env(tmp_path / "go", layout, db.gosumdb)
        proc = run_go(["mod", "download", "example.com/c"], layout.main_dir, genv, check=False)
        assert proc.returncode != 0
        go_err = proc.stderr
        assert "SECURITY ERROR" in go_err
        modcache = Path(genv["GOMODCACHE"])
        # nothing of the module in go's caches
        assert not list(modcache.glob("example.com/c@*"))
        assert not list((modcache / "cache" / "download" / "example.com" / "c").rglob("*.zip"))

        xenv = _env(tmp_path / "x", layout, db.gosumdb)
        client = SumDBClient(_goenv(xenv))
        zh, _ = _hashes(layout, "example.com/c", "v0.3.0")

        async def check() -> None:
            try:
                await client.check("example.com/c", "v0.3.0", zh)
            finally:
                await client.aclose()

        with pytest.raises(SumDBSecurityError) as info:
            anyio.run(check)
        ours = f"go: {info.value}"
        assert ours in go_err, (ours, go_err)
        assert "downloaded: " + zh in ours


@pytest.mark.go
def test_the_database_through_the_proxy(tmp_path: Path) -> None:
    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir) as db:
        # GOSUMDB names the key only: go asks the proxy for /sumdb/<name>/supported
        env = go_env(tmp_path / "go", proxy=db.url, GOSUMDB=db.vkey)
        run_go(["mod", "download", "all"], layout.main_dir, env)
        go_sum = _go_sum_lines(layout.main_dir)
        xenv = go_env(tmp_path / "x", proxy=db.url, GOSUMDB=db.vkey)
        events: list[FetchEvent] = []
        lines = _check_all(SumDBClient(_goenv(xenv), emit=events.append), layout, MODULES)
        assert sorted(lines) == go_sum
        urls = [e.url for e in events]
        assert urls[0] == f"{db.url}/sumdb/sumdb.test/supported"
        assert all(u.startswith(f"{db.url}/sumdb/sumdb.test/") for u in urls)


@pytest.mark.go
def test_gonosumdb_skips_the_database(tmp_path: Path) -> None:
    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir, lie="example.com/c") as db:
        env = _env(tmp_path / "go", layout, db.gosumdb, GONOSUMDB="example.com/c")
        run_go(["mod", "download", "example.com/c"], layout.main_dir, env)
        genv = _goenv(env)
        assert not use_sumdb(genv, "example.com/c") and use_sumdb(genv, "example.com/a")
        client = SumDBClient(genv)

        async def lookup() -> None:
            try:
                await client.lookup("example.com/c", "v0.3.0")
            finally:
                await client.aclose()

        with pytest.raises(SumDBError, match=r"skipped \(listed in GONOSUMDB\)"):
            anyio.run(lookup)


@pytest.mark.go
def test_tiles_that_do_not_hash_to_the_signed_root(tmp_path: Path) -> None:
    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir, bad_tiles=True) as db:
        env = _env(tmp_path / "go", layout, db.gosumdb)
        proc = run_go(["mod", "download", "example.com/a"], layout.main_dir, env, check=False)
        assert "downloaded inconsistent tile" in proc.stderr
        # go checks Upper's go.mod first (the module graph needs it): so does gomodx here
        xenv = _env(tmp_path / "x", layout, db.gosumdb)
        client = SumDBClient(_goenv(xenv))
        _, mh = _hashes(layout, "example.com/Upper", "v2.0.0+incompatible")

        async def check() -> None:
            try:
                await client.check("example.com/Upper", "v2.0.0+incompatible/go.mod", mh)
            finally:
                await client.aclose()

        with pytest.raises(SumDBError) as info:
            anyio.run(check)
        where = "example.com/Upper@v2.0.0+incompatible"
        assert str(info.value) == (
            f"{where}: verifying go.mod: {where}/go.mod: downloaded inconsistent tile"
        )
        # go's words are the same; which module and tree it was checking depends on how
        # its concurrent lookups grew the log (``checking tree#1 against tree#2: ...``)
        assert re.fullmatch(
            r"go: (\S+)@(\S+): verifying go.mod: \1@\2/go.mod: "
            r"(checking tree#\d+ against tree#\d+: )?downloaded inconsistent tile\n",
            proc.stderr,
        ), proc.stderr
        sumdb_cache = Path(xenv["GOMODCACHE"]) / "cache" / "download" / "sumdb"
        assert not sumdb_cache.exists() or not any(p.is_file() for p in sumdb_cache.rglob("*"))


@pytest.mark.go
def test_a_forked_log_is_misbehaviour(tmp_path: Path) -> None:
    go = require_go()
    layout = _universe(tmp_path)
    xenv = _env(tmp_path / "x", layout, "")
    with SumDBServer(go, layout.proxy_dir) as honest:
        xenv["GOSUMDB"] = honest.gosumdb
        _check_all(SumDBClient(_goenv(xenv)), layout, MODULES[:2])
        keys = (honest.skey, honest.vkey)
    # the same key signs another log, whose first record differs
    with SumDBServer(go, layout.proxy_dir, lie="example.com/a", skey=keys[0], vkey=keys[1]) as fork:
        xenv["GOSUMDB"] = f"{keys[1]} {fork.url}"
        # a lookup gomodx has not cached: the fork's answer comes with the fork's tree,
        # checked against the latest tree and the tiles kept from the honest log
        with pytest.raises(SumDBSecurityError) as info:
            _check_all(SumDBClient(_goenv(xenv)), layout, MODULES[2:3])
        message = str(info.value)
        assert "go.sum database server misbehavior detected!" in message
        assert "old database:" in message and "proof of misbehavior:" in message
        latest = Path(xenv["GOPATH"]) / "pkg" / "sumdb" / "sumdb.test" / "latest"
        before = latest.read_bytes()
        # go, on the same files, says the same and keeps the honest tree too
        proc = run_go(["mod", "download", "example.com/c"], layout.main_dir, xenv, check=False)
        assert latest.read_bytes() == before
        # word for word, with the same proof of misbehaviour
        assert proc.stderr == f"{message}\n"


def test_malformed_answers_are_errors_and_not_cached(tmp_path: Path) -> None:
    answers = {"/lookup/example.com/a@v1.0.0": b"not a record"}

    def handler(request: httpx.Request) -> httpx.Response:
        body = answers.get(request.url.path)
        return httpx.Response(200, content=body) if body else httpx.Response(404)

    env = GoEnv(
        goproxy="off",
        gosumdb=f"{PETER} http://127.0.0.1:9",
        gomodcache=str(tmp_path / "modcache"),
        gopath=str(tmp_path / "gopath"),
    )
    client = SumDBClient(env, transport=httpx.MockTransport(handler))

    async def lookup() -> list[str]:
        try:
            return await client.lookup("example.com/a", "v1.0.0")
        finally:
            await client.aclose()

    with pytest.raises(SumDBError, match=r"example.com/a@v1.0.0: malformed record data"):
        anyio.run(lookup)
    # a record whose note is not signed by the key GOSUMDB names
    answers["/lookup/example.com/a@v1.0.0"] = b"0\nexample.com/a v1.0.0 h1:x\n\n" + NOTE.replace(
        b"answer", b"Answer"
    )
    client = SumDBClient(env, transport=httpx.MockTransport(handler))
    with pytest.raises(SumDBError, match=r"reading tree note: invalid signature for key"):
        anyio.run(lookup)
    assert not (tmp_path / "modcache").exists()
    assert not (tmp_path / "gopath").exists()


def test_go_sees_the_same_note_errors() -> None:
    # the wording above is go's: x/mod's note package says exactly these words
    go = require_go()
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
    src = (Path(goroot) / "src/cmd/vendor/golang.org/x/mod/sumdb/note/note.go").read_text()
    assert '"malformed note"' in src
    assert "invalid signature for key %s+%08x" in src
    assert '"note has no verifiable signatures"' in src


# -- gomodx download through the session ------------------------------------------------------


def _session_download(main: Path, env: dict[str, str]) -> DownloadSummary:
    from analysis.session import Session, SessionOptions, run_sync

    session = Session.open(main, SessionOptions(source="proxy", use_go=False), environ=env)
    return run_sync(session, session.download)


@pytest.mark.go
def test_download_verifies_against_the_database_like_go(tmp_path: Path) -> None:
    go = require_go()
    layout = _universe(tmp_path)
    assert not (layout.main_dir / "go.sum").exists()
    with SumDBServer(go, layout.proxy_dir, lie="example.com/c") as db:
        genv = _env(tmp_path / "go", layout, db.gosumdb)
        proc = run_go(["mod", "download", "all"], layout.main_dir, genv, check=False)
        xenv = _env(tmp_path / "x", layout, db.gosumdb)
        summary = _session_download(layout.main_dir, xenv)
    by_path = {r.path: r for r in (*summary.modules, *summary.gomods)}
    # the honest modules: verified by the database, in the cache
    for path, _ in MODULES:
        if path == "example.com/c":
            continue
        r = by_path[path]
        assert r.ok and r.verified_by == ("sumdb.test",), r
        assert Path(r.zip).is_file()
    # the one it lies about: go's SECURITY ERROR, word for word, and nothing cached
    c = by_path["example.com/c"]
    assert c.error_class == "checksum"
    assert f"go: {c.error}" in proc.stderr
    assert "SECURITY ERROR" in c.error
    ours = _files(Path(xenv["GOMODCACHE"]) / "cache" / "download" / "example.com" / "c")
    theirs = _files(Path(genv["GOMODCACHE"]) / "cache" / "download" / "example.com" / "c")
    # the go.mod is honest, so both keep it (go also its .info); the code, neither
    assert set(ours) <= set(theirs)
    assert not [k for k in (*ours, *theirs) if k.endswith((".zip", ".ziphash"))]
    assert not list(Path(xenv["GOMODCACHE"]).glob("example.com/c@*"))
    assert not summary.ok


@pytest.mark.go
def test_download_with_gonosumdb_and_go_sum(tmp_path: Path) -> None:
    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir, lie="example.com/c") as db:
        # GONOSUMDB: the lie is never asked about, as go never asks
        env = _env(tmp_path / "x", layout, db.gosumdb, GONOSUMDB="example.com/c")
        summary = _session_download(layout.main_dir, env)
        assert summary.ok
        c = next(r for r in summary.modules if r.path == "example.com/c")
        assert c.verified_by == () and not c.unverified
        # go.sum present: what it lists is trusted, the database is not asked again
        honest = _env(tmp_path / "y", layout, db.gosumdb)
        run_go(["mod", "download", "all"], layout.main_dir, dict(honest, GONOSUMDB="example.com/c"))
        assert (layout.main_dir / "go.sum").is_file()
        events: list[FetchEvent] = []
        summary = _session_download_events(layout.main_dir, honest, events)
        assert summary.ok
        assert all(r.verified_by == ("go.sum",) for r in summary.modules)
        assert not [e for e in events if e.kind == "sumdb"]


def _session_download_events(
    main: Path, env: dict[str, str], events: list[FetchEvent]
) -> DownloadSummary:
    from analysis.session import Session, SessionOptions, run_sync

    session = Session.open(main, SessionOptions(source="proxy", use_go=False), environ=env)
    session.subscribe(events.append)
    return run_sync(session, session.download)


@pytest.mark.go
def test_go_sum_lines_a_plan_adds_are_checked(tmp_path: Path) -> None:
    from analysis.session import Session, SessionOptions, run_sync

    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir, lie="example.com/c") as db:
        env = _env(tmp_path / "x", layout, db.gosumdb, GONOSUMDB="example.com/Upper")
        lines = []
        for path, version in MODULES:
            zh, mh = _hashes(layout, path, version)
            lines += [f"{path} {version} {zh}", f"{path} {version}/go.mod {mh}"]
        session = Session.open(layout.main_dir, SessionOptions(use_go=False), environ=env)
        checks = run_sync(session, lambda: session.verify_sums(lines))
        verdicts = [(c.line.split()[0], c.verdict, c.by) for c in checks]
        assert verdicts == [
            ("example.com/a", "verified", "sumdb.test"),
            ("example.com/a", "verified", "sumdb.test"),
            ("example.com/b", "verified", "sumdb.test"),
            ("example.com/b", "verified", "sumdb.test"),
            ("example.com/c", "mismatch", "sumdb.test"),
            ("example.com/c", "verified", "sumdb.test"),  # its go.mod is honest
            ("example.com/Upper", "skipped", "GONOSUMDB"),
            ("example.com/Upper", "skipped", "GONOSUMDB"),
        ]
        assert "SECURITY ERROR" in checks[4].error and not checks[4].ok
        # offline: not asked, and said so
        offline = Session.open(
            layout.main_dir, SessionOptions(use_go=False, offline=True), environ=env
        )
        checks = run_sync(offline, lambda: offline.verify_sums(lines[:1]))
        assert [(c.verdict, c.error) for c in checks] == [
            ("error", "offline: the checksum database was not consulted")
        ]


@pytest.mark.go
def test_download_command_says_what_vouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gotool import environ

    from tui.cli import main

    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir) as db:
        env = _env(tmp_path / "x", layout, db.gosumdb, GOMODX_CACHE=str(tmp_path / "gx"))
        with environ(env):
            code = main(["download", str(layout.main_dir)])
        out = capsys.readouterr().out
        assert code == 0, out
        assert "by the checksum database sumdb.test" in out
        with environ(env):
            code = main(["download", str(layout.main_dir), "--json"])
        rows = json.loads(capsys.readouterr().out)["Modules"]
        assert code == 0
        assert {r["Path"]: r["VerifiedBy"] for r in rows} == {
            path: ["sumdb.test"] for path, _ in MODULES
        }


@pytest.mark.go
@pytest.mark.parametrize("lie", [None, "example.com/c"])
def test_a_plan_is_checked_against_the_database_like_go_get(
    tmp_path: Path, lie: str | None
) -> None:
    """go get checks the go.sum lines it adds against GOSUMDB before writing: a lying
    database is go's SECURITY ERROR and a refused plan; an honest one vouches for every
    line, and go writes the same go.sum."""
    import shutil

    from analysis.session import Session, SessionOptions, run_sync

    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir, lie=lie) as db:
        genv = _env(tmp_path / "go", layout, db.gosumdb)
        go_dir = tmp_path / "go-main"
        shutil.copytree(layout.main_dir, go_dir)
        proc = run_go(["get", "example.com/c@v0.3.0"], go_dir, genv, check=False)

        own = tmp_path / "gomodx-cache"
        xenv = _env(tmp_path / "x", layout, db.gosumdb, GOMODX_CACHE=str(own))
        with environ(xenv):
            session = Session.open(layout.main_dir, SessionOptions(use_go=False), environ=xenv)
            plan = run_sync(session, lambda: session.plan("example.com/c@v0.3.0", suggest=False))
        if lie:
            assert proc.returncode != 0 and "SECURITY ERROR" in proc.stderr
            assert not plan.ok and plan.error is not None
            first = str(plan.error).splitlines()[0]
            assert first in proc.stderr, (first, proc.stderr)
            assert "SECURITY ERROR" in str(plan.error)
            # the code the database contradicts is in no cache: not go's, not gomodx's
            for root in (Path(genv["GOMODCACHE"]), Path(xenv["GOMODCACHE"]), own):
                assert not [
                    k
                    for k in _files(root)
                    if "example.com/c" in k and k.endswith((".zip", ".ziphash"))
                ], root
            assert not list(Path(xenv["GOMODCACHE"]).glob("example.com/c@*"))
        else:
            assert proc.returncode == 0, proc.stderr
            assert plan.ok, plan.error
            added = {*plan.gosum_added, *plan.zip_sums_added}
            assert added == set(_go_sum_lines(go_dir))
            assert dict(plan.verified) == dict.fromkeys(added, "sumdb.test")
            # the zip the preview downloaded is kept in Go's cache, as go get keeps it
            assert (
                Path(xenv["GOMODCACHE"]) / "cache/download/example.com/c/@v/v0.3.0.zip"
            ).is_file()
