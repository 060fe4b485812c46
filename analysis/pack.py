"""gomodx's own cache of small files (``.mod``, ``.info``, version lists) in one SQLite file.

A cold graph load fetches thousands of go.mod files. Stored one file each (a temporary
file, a write, a rename, directories), they cost more than fetching them: a few syscalls
per file, and a writer thread that fights the event loop for the GIL. Here they wait in
memory and reach the disk in one transaction at :meth:`SmallFiles.flush` (the end of a
load, a preview, the process) — a few milliseconds for thousands of files.

The names are the files' names in the GOPROXY layout (``example.com/!m/@v/v1.0.0.mod``),
so lookups by module stay prefix scans. Nothing read from here is trusted more than a
file: every go.mod and ``.info`` is checked when read (go.sum, or its syntax), so a lost
or damaged row is a cache miss, never an answer. That is also why the database runs
with ``synchronous=NORMAL`` in WAL mode: a crash may lose the last transaction, never the
database. A database that cannot be opened or read (a read-only directory, a disk full,
a file that is not a database) turns the cache off for this process; a file that is not
a database is moved aside (``*.corrupt``) and started afresh, once.

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as d:
...     files = SmallFiles(Path(d))
...     files.put("example.com/a/@v/v1.0.0.mod", b"module example.com/a\\n")
...     files.flush()
...     SmallFiles(Path(d)).get("example.com/a/@v/v1.0.0.mod")
b'module example.com/a\\n'
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

__all__ = ["SmallFiles"]

_SCHEMA = 1


class SmallFiles:
    """Small cache files of one cache root, kept in ``<root>/files/small.sqlite3``.

    Thread-safe. :meth:`put` only buffers (reads see the buffer); :meth:`flush` writes.
    Every buffered file is written when the interpreter exits, too.
    """

    DIR = "files"
    """A name no module path can take (its first element would need a dot)."""

    NAME = "small.sqlite3"

    BATCH = 4096
    """Buffered files that make :meth:`put` flush by itself (a long load keeps what it
    fetched even if it is killed later; a few milliseconds each time)."""

    def __init__(self, root: Path) -> None:
        self.path = root / self.DIR / self.NAME
        self._lock = threading.RLock()
        self._pending: dict[str, bytes | None] = {}
        self._conn: sqlite3.Connection | None = None
        self._off = False
        self._absent = False  # no database yet: reads need not open one
        _OPEN.add(self)

    # -- reading ------------------------------------------------------------------------

    def get(self, name: str) -> bytes | None:
        """The bytes stored under ``name``, or ``None``."""
        with self._lock:
            if name in self._pending:
                return self._pending[name]
            conn = self._connect(create=False)
            if conn is None:
                return None
            try:
                row = conn.execute("SELECT data FROM files WHERE name = ?", (name,)).fetchone()
            except _errors() as exc:
                self._failed(exc)
                return None
            return bytes(row[0]) if row is not None else None

    def names(self, prefix: str) -> list[str]:
        """Every stored name that starts with ``prefix``."""
        with self._lock:
            found = {n for n, d in self._pending.items() if n.startswith(prefix) and d is not None}
            gone = {n for n, d in self._pending.items() if d is None}
            conn = self._connect(create=False)
            if conn is not None:
                try:
                    rows = conn.execute(
                        "SELECT name FROM files WHERE name >= ? AND name < ?",
                        (prefix, prefix + "\U0010ffff"),
                    ).fetchall()
                except _errors() as exc:
                    self._failed(exc)
                    rows = []
                found.update(r[0] for r in rows if r[0] not in gone)
            return sorted(found)

    # -- writing ------------------------------------------------------------------------

    def put(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name`` (on disk at the next :meth:`flush`)."""
        with self._lock:
            if self._off:
                return
            self._pending[name] = bytes(data)
            full = len(self._pending) >= self.BATCH
        if full:
            self.flush()

    def delete(self, name: str) -> None:
        """Forget ``name`` (on disk at once: a refused file must not survive a crash)."""
        with self._lock:
            if self._off:
                return
            self._pending[name] = None
        self.flush()

    def flush(self) -> None:
        """Write everything :meth:`put` and :meth:`delete` buffered, in one transaction.
        A failure drops the buffer (a later cache miss, never a wrong answer)."""
        with self._lock:
            if not self._pending:
                return
            pending, self._pending = self._pending, {}
            conn = self._connect(create=True)
            if conn is None:
                return
            # In key order: the B-tree is filled page after page (a quarter faster).
            puts = sorted((n, d) for n, d in pending.items() if d is not None)
            drops = [(n,) for n, d in pending.items() if d is None]
            try:
                # One transaction (the connection is in autocommit mode: without BEGIN,
                # every row would be a transaction of its own, ten times the work).
                conn.execute("BEGIN IMMEDIATE")
                try:
                    if puts:
                        conn.executemany(
                            "INSERT OR REPLACE INTO files(name, data) VALUES (?, ?)", puts
                        )
                    if drops:
                        conn.executemany("DELETE FROM files WHERE name = ?", drops)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        with contextlib.suppress(Exception):
                            conn.execute("ROLLBACK")
                    raise
            except _errors() as exc:
                self._failed(exc)

    def close(self) -> None:
        """Flush, then close the database (a later call opens it again)."""
        self.flush()
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.close()
                self._conn = None

    # -- the database -------------------------------------------------------------------

    def _connect(self, *, create: bool) -> sqlite3.Connection | None:
        if self._conn is not None or self._off:
            return self._conn
        if not create and (self._absent or not self.path.is_file()):
            self._absent = True
            return None
        import sqlite3

        set_aside = False
        for attempt in range(_LOCKED_TRIES):
            try:
                if create:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(
                    self.path, timeout=10.0, isolation_level=None, check_same_thread=False
                )
            except (OSError, sqlite3.Error):
                self._off = True
                return None
            try:
                _prepare(conn)
            except sqlite3.DatabaseError as exc:
                conn.close()
                if not set_aside and _not_a_database(exc) and self._set_aside():
                    set_aside = True
                    continue
                if _locked(exc) and attempt + 1 < _LOCKED_TRIES:
                    # Another process is making the database (switching it to WAL takes
                    # a lock SQLite does not wait for): a moment later it is there. Off
                    # here, this process would lose every file it fetched.
                    time.sleep(0.01 * (attempt + 1))
                    continue
                self._off = True
                return None
            self._conn = conn
            self._absent = False
            return conn
        return None  # pragma: no cover (the loop returns)

    def _set_aside(self) -> bool:
        """Move a damaged database aside (its WAL files with it) so a new one can start."""
        try:
            os.replace(self.path, self.path.with_name(self.path.name + ".corrupt"))
        except OSError:
            return False
        for tail in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(self.path.with_name(self.path.name + tail))
        return True

    def _failed(self, exc: BaseException) -> None:
        # A locked database (another gomodx writing for longer than the timeout) is a miss
        # this time; anything else (disk full, damage found while reading) turns it off.
        if _locked(exc):
            return
        self._off = True
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def _prepare(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute("PRAGMA synchronous=NORMAL")
    if version == _SCHEMA:
        return
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID"
    )
    conn.execute(f"PRAGMA user_version={_SCHEMA}")


_LOCKED_TRIES = 20
"""Attempts at opening a database another process holds locked (about 2 s in all)."""


def _locked(exc: BaseException) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _not_a_database(exc: BaseException) -> bool:
    text = str(exc)
    return "not a database" in text or "malformed" in text


def _errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    return (sqlite3.Error, OSError)


_OPEN: weakref.WeakSet[SmallFiles] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    for files in list(_OPEN):
        with contextlib.suppress(Exception):
            files.close()
