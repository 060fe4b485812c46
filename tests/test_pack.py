"""gomodx's small-files database (analysis.pack): buffered writes, one transaction, and a
damaged or unusable database is a cache miss, never an error or a wrong answer."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from test_cache import _universe

from analysis.cache import CacheStack, DownloadCache
from analysis.goenv import GoEnv
from analysis.pack import SmallFiles
from analysis.proxy import ProxyClient

ROOT = Path(__file__).resolve().parent.parent


def test_buffered_until_flush_then_on_disk(tmp_path: Path) -> None:
    files = SmallFiles(tmp_path)
    files.put("example.com/a/@v/v1.0.0.mod", b"module example.com/a\n")
    files.put("example.com/a/@v/list", b"v1.0.0\n")
    files.put("example.com/ab/@v/v1.0.0.mod", b"module example.com/ab\n")
    # Visible at once in this process, nothing on disk yet.
    assert files.get("example.com/a/@v/v1.0.0.mod") == b"module example.com/a\n"
    assert not files.path.exists()
    assert SmallFiles(tmp_path).get("example.com/a/@v/v1.0.0.mod") is None
    files.flush()
    other = SmallFiles(tmp_path)
    assert other.get("example.com/a/@v/list") == b"v1.0.0\n"
    assert other.names("example.com/a/@v/") == [
        "example.com/a/@v/list",
        "example.com/a/@v/v1.0.0.mod",
    ]
    # delete is on disk at once, and hides the name from names().
    other.delete("example.com/a/@v/v1.0.0.mod")
    assert SmallFiles(tmp_path).get("example.com/a/@v/v1.0.0.mod") is None
    assert SmallFiles(tmp_path).names("example.com/a/") == ["example.com/a/@v/list"]


def test_a_flush_is_one_transaction(tmp_path: Path) -> None:
    # A flush commits once: the write-ahead log holds each page it touched about once,
    # where a transaction per row would have appended a frame for every row.
    files = SmallFiles(tmp_path)
    files.put("example.com/first/@v/v1.0.0.mod", b"module example.com/first\n")
    files.flush()  # the database exists; the next flush is the measured one
    # No checkpoint may empty the log while it is counted.
    files._conn.execute("PRAGMA wal_autocheckpoint=0")  # type: ignore[union-attr]
    rows = 600
    for i in range(rows):
        files.put(f"example.com/m{i:04d}/@v/v1.0.0.mod", b"module example.com/m\n" * 8)
    conn = sqlite3.connect(files.path)
    try:
        before = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        files.flush()
        busy, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    assert before[0] == 0 and busy == 0
    assert frames < rows // 4, frames
    assert SmallFiles(tmp_path).get("example.com/m0599/@v/v1.0.0.mod") is not None


def test_not_a_database_is_set_aside_and_started_afresh(tmp_path: Path) -> None:
    files = SmallFiles(tmp_path)
    files.path.parent.mkdir(parents=True)
    files.path.write_bytes(b"this is not a database\n" * 300)
    assert files.get("example.com/a/@v/v1.0.0.mod") is None
    files.put("example.com/a/@v/v1.0.0.mod", b"module example.com/a\n")
    files.flush()
    assert SmallFiles(tmp_path).get("example.com/a/@v/v1.0.0.mod") == b"module example.com/a\n"
    corrupt = files.path.with_name(files.path.name + ".corrupt")
    assert corrupt.read_bytes().startswith(b"this is not a database")


def test_unusable_directory_costs_only_misses(tmp_path: Path) -> None:
    # A regular file where the database's directory should be: unwritable even for root.
    (tmp_path / SmallFiles.DIR).write_text("keep me")
    files = SmallFiles(tmp_path)
    files.put("example.com/a/@v/v1.0.0.mod", b"module example.com/a\n")
    files.flush()
    assert files.get("example.com/a/@v/v1.0.0.mod") is None
    assert files.names("example.com/") == []
    assert (tmp_path / SmallFiles.DIR).read_text() == "keep me"


def test_written_when_the_interpreter_exits(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from analysis.pack import SmallFiles\n"
        "f = SmallFiles(Path(sys.argv[1]))\n"
        "for i in range(500): f.put(f'example.com/m{i}/@v/v1.0.0.mod', b'module x%d' % i)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, cwd=ROOT)
    # The WAL was checkpointed on close: one file, nothing half-written beside it.
    db = tmp_path / SmallFiles.DIR
    assert sorted(p.name for p in db.iterdir()) == [SmallFiles.NAME]
    files = SmallFiles(tmp_path)
    assert len(files.names("example.com/")) == 500
    assert files.get("example.com/m499/@v/v1.0.0.mod") == b"module x499"


def test_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from analysis.pack import SmallFiles\n"
        "f = SmallFiles(Path(sys.argv[1])); w = sys.argv[2]\n"
        "for r in range(20):\n"
        "    for i in range(50): f.put(f'example.com/{w}/@v/v1.{r}.{i}.mod', w.encode())\n"
        "    f.flush()\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path), f"w{n}"], cwd=ROOT)
        for n in range(4)
    ]
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    files = SmallFiles(tmp_path)
    for n in range(4):
        assert len(files.names(f"example.com/w{n}/")) == 1000


def test_a_database_another_process_is_making_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four processes creating the database at once: switching it to WAL takes a lock
    # SQLite does not wait for, and one of them was told "database is locked" (under load,
    # 3 times in 80 races). It must open the database a moment later, not turn the cache
    # off and lose every file it fetched.
    import analysis.pack

    real = analysis.pack._prepare
    refusals = 3

    def prepare(conn: sqlite3.Connection) -> None:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise sqlite3.OperationalError("database is locked")
        real(conn)

    monkeypatch.setattr(analysis.pack, "_prepare", prepare)
    files = SmallFiles(tmp_path)
    files.put("example.com/a/@v/v1.0.0.mod", b"module example.com/a\n")
    files.flush()
    assert refusals == 0
    assert SmallFiles(tmp_path).get("example.com/a/@v/v1.0.0.mod") == b"module example.com/a\n"


def _gomod(proxy: str, own: Path, path: str, version: str, offline: bool = False) -> bytes:
    async def main() -> bytes:
        env = GoEnv(goproxy=proxy)
        async with ProxyClient(env, caches=CacheStack.for_env("", own), offline=offline) as c:
            return (await c.gomod(path, version)).data

    return anyio.run(main)


def test_damaged_row_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    proxy = _universe(tmp_path)
    own = tmp_path / "own"
    good = (proxy / "example.com/a/@v/v1.1.0.mod").read_bytes()
    files = SmallFiles(own)
    files.put("example.com/a/@v/v1.1.0.mod", good[: len(good) // 2] + b"\x00(")
    files.flush()
    assert _gomod(proxy.as_uri(), own, "example.com/a", "v1.1.0") == good
    assert SmallFiles(own).get("example.com/a/@v/v1.1.0.mod") == good


def test_files_from_earlier_versions_still_answer(tmp_path: Path) -> None:
    """A cache written one file per go.mod (gomodx before the database) is still read."""
    _universe(tmp_path)
    own = tmp_path / "own"
    legacy = own / "example.com/b/@v/v1.0.0.mod"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"module example.com/b\n// kept from an earlier gomodx\n")
    assert b"earlier gomodx" in _gomod("off", own, "example.com/b", "v1.0.0", offline=True)
    assert DownloadCache.own(own).cached_versions("example.com/b") == ["v1.0.0"]
