"""Resilient, verified module download into Go's own module cache (``gomodx download``).

::

    download(main_dir, env)
      │  graph: load_module_graph through a source that writes every go.mod it reads
      │         into $GOMODCACHE/cache/download/<path>/@v/<v>.mod (and rewrites ``list``)
      ▼
    build list (replacements applied; directory replacements need nothing)
      │  files: per module version, concurrently: .zip and .info fetched together;
      │         the zip is hashed and checked against go.sum, then .ziphash and .zip are
      │         committed under <v>.lock; the .info is written only after the zip
      ▼
    DownloadSummary (per-module results, files downloaded/present, retries, failures)

Everything goes through :class:`~analysis.proxy.ProxyClient`, so GOPROXY lists
(``,``/``|`` fallthrough, ``off``, ``direct``), retries with backoff, Retry-After and the
concurrency limit all apply. Afterwards the go command can run with ``GOPROXY=off``.

Cache conventions, as cmd/go 1.27 follows them (``modfetch/fetch.go``, ``cache.go``,
``lockedfile``), so that a go command running at the same time is never confused:

* every file is written to ``<name><random digits>.tmp`` in its own directory (mode 0666
  less the umask; a file replaced keeps its bits), then renamed over ``<name>``
  (:mod:`analysis.fsio`): a reader sees the old file, the new one, or none — never half.
  As go does, no file is fsynced on its own (every one is checked when read: go.sum, the
  ``.ziphash``, the zip's CRCs); unlike go, the file system is flushed once (``syncfs``)
  before :func:`download` returns, so what it reports written is on disk;
* small files are written by the event loop's own thread (a hop to a worker thread, and
  the fight for the GIL that follows, costs more than the write); zips over 1 MiB, and any
  lock another process holds, are left to a worker thread;
* ``.zip`` and ``.ziphash`` are written only while holding an exclusive ``flock`` on the
  empty file ``<v>.lock`` (cmd/go's ``lockVersion``); the ``.ziphash`` (``h1:…``, no
  newline) goes in before the zip is renamed into place, and stale ``<v>.zip*.tmp`` files
  are removed under that lock, as go removes them;
* ``list`` is rewritten after every ``.mod`` write, in place, under an exclusive ``flock``
  on ``list`` itself (``lockedfile.Edit``): every ``<v>.mod`` whose name is a canonical
  version, in semver order, one per line;
* ``.info`` is Go's compact ``{"Version":…,"Time":…}`` (the proxy's ``Origin`` is not kept);
* module trees are not extracted: go extracts a verified zip itself, offline, under its
  own lock and ``.partial`` marker, the first time it needs the directory. gomodx never
  creates ``.partial`` files.

A cache gomodx cannot write (EACCES, EROFS, ENOSPC, ...) fails the module versions it
touches, each with one line such as ``writing $GOMODCACHE/cache/download/…/v1.0.0.mod:
permission denied`` (:class:`~analysis.errors.FileWriteError`); no temporary file stays.

Verification (go.sum, ``h1:``): every go.mod and zip is hashed. A hash that go.sum lists
must match, or the file is refused with both hashes and its source
(:class:`~analysis.errors.SumMismatch`) and nothing not yet written for that module
version is written (its go.mod, checked against its own go.sum line, was written while
the graph was loaded). A hash go.sum does not list is

* accepted, as go accepts it, when ``GOSUMDB=off`` or GONOSUMDB (default GOPRIVATE)
  matches the path;
* otherwise checked against the checksum database (:mod:`analysis.sumdb`) before it is
  written, as go checks it: a hash the database contradicts is go's SECURITY ERROR
  (:class:`~analysis.errors.SumDBSecurityError`) and nothing of that module version is
  written; ``VerifiedBy`` names what vouched for each module version;
* without a database client (offline), written but reported **unverified**, and the
  download does not succeed. Writing is safe because go re-checks every cached go.mod
  and zip that go.sum does not list against GOSUMDB before it uses it
  (``checkGoMod``/``checkMod``); it only saves the transfer.

A cached file that contradicts go.sum is downloaded again and replaced, unless the
module's extracted directory exists (go would use that tree; only ``go clean -modcache``
can repair it), which is reported as a checksum failure.

>>> summary = anyio.run(download, "path/to/main", load_goenv())   # doctest: +SKIP
>>> summary.ok, summary.downloaded_total, summary.present_total   # doctest: +SKIP
(True, 1203, 0)
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import json
import os
import re
import sys
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from analysis import fsio, semver
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    GomodxError,
    InvalidResponse,
    ModuleError,
    ModuleLoadError,
    ModuleNotFound,
    ProxyError,
    ProxyUnavailable,
    QueryError,
    SumMismatch,
)
from analysis.goenv import GoEnv, without_flag
from analysis.goproxy import FetchEvent, RevInfo, format_time
from analysis.hashes import GoSum, gomod_hash, is_valid_sum, zip_hash
from analysis.loader import LoadedGraph, load_module_graph, load_workspace_graph
from analysis.modfile import ModFile, parse, parse_lax
from analysis.modpath import escape_path, escape_version, match_prefix_patterns
from analysis.module import ModuleVersion
from analysis.proxy import ProxyClient
from analysis.query import is_revision_query
from analysis.source import ModuleView

if TYPE_CHECKING:
    from analysis.sumdb import SumDBClient
    from analysis.workspace import Workspace

__all__ = [
    "FAILURE_CLASSES",
    "DownloadProgress",
    "DownloadSummary",
    "Failure",
    "ModuleResult",
    "download",
    "failure_class",
    "keep_in_gomodcache",
    "rewrite_version_list",
]

FAILURE_CLASSES = ("network", "not_found", "auth", "checksum", "other")
"""How failures are counted: transfer kept failing, no such module/version, credentials,
hash mismatch against go.sum, anything else."""

DEFAULT_CONCURRENCY = 128
"""Requests in flight (the session's ``jobs``): go.mod files during the graph, zips and
infos of half as many module versions afterwards."""

_ZERO_TIME = "0001-01-01T00:00:00Z"
"""How Go marshals a zero ``time.Time`` (an .info without a Time)."""


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A failure of the whole run (the module graph could not be loaded), worded as go
    words it (with the chain of requirements). ``module`` names the module version whose
    own result carries the same failure, if any (it is then counted once)."""

    kind: str
    message: str
    module: str = ""


@dataclass(frozen=True)
class ModuleResult:
    """What happened to one module version.

    The first fields are ``go mod download -json``'s (file paths absolute, ``sum`` the
    zip's ``h1:``, ``gomod_sum`` the go.mod's). ``downloaded`` and ``present`` name the
    files (``mod``, ``info``, ``zip``) fetched now or found valid in the cache;
    ``not_in_gosum`` the hashes go.sum does not list (``go.mod``, ``zip``); ``unverified``
    is true when one of those would need the checksum database. ``gomod_only`` marks
    versions whose go.mod the module graph needs but whose code the build does not.
    """

    path: str
    version: str
    query: str = ""
    info: str = ""
    gomod: str = ""
    zip: str = ""
    dir: str = ""
    sum: str = ""
    gomod_sum: str = ""
    error: str = ""
    error_class: str = ""
    downloaded: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    not_in_gosum: tuple[str, ...] = ()
    unverified: bool = False
    verified_by: tuple[str, ...] = ()
    retries: int = 0
    replaces: str = ""
    gomod_only: bool = False
    notes: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """``failed``, ``unverified``, ``downloaded`` (something fetched now) or ``present``."""
        if self.error:
            return "failed"
        if self.unverified:
            return "unverified"
        return "downloaded" if self.downloaded else "present"

    @property
    def ok(self) -> bool:
        return not self.error and not self.unverified

    def __str__(self) -> str:
        return f"{self.path}@{self.version}" if self.version else self.path

    def to_json(self) -> dict[str, Any]:
        """Go's ``ModuleJSON`` names (empty fields left out, as go does) plus gomodx's."""
        out: dict[str, Any] = {}
        for key, value in (
            ("Path", self.path),
            ("Version", self.version),
            ("Query", self.query),
            ("Error", self.error),
            ("Info", self.info),
            ("GoMod", self.gomod),
            ("Zip", self.zip),
            ("Dir", self.dir),
            ("Sum", self.sum),
            ("GoModSum", self.gomod_sum),
        ):
            if value:
                out[key] = value
        out["Status"] = self.status
        extras: tuple[tuple[str, object], ...] = (
            ("ErrorClass", self.error_class),
            ("Downloaded", list(self.downloaded)),
            ("Present", list(self.present)),
            ("NotInGoSum", list(self.not_in_gosum)),
            ("Unverified", self.unverified),
            ("VerifiedBy", list(self.verified_by)),
            ("Retries", self.retries),
            ("Replaces", self.replaces),
            ("GoModOnly", self.gomod_only),
            ("Notes", list(self.notes)),
        )
        for key, extra in extras:
            if extra:
                out[key] = extra
        return out


@dataclass(frozen=True)
class DownloadProgress:
    """A snapshot sent to the progress callback after anything notable.

    ``phase`` is ``graph`` (loading go.mod files), ``files`` (zips and infos) or ``done``.
    ``total``/``done`` count module versions known so far / finished. ``event`` is the
    request behind this update, if any; ``message`` a line worth showing (a failure).
    """

    phase: str
    total: int
    done: int
    downloaded: int
    present: int
    failed: int
    retried: int
    bytes: int
    elapsed: float
    current: str = ""
    message: str = ""
    event: FetchEvent | None = None


@dataclass(frozen=True)
class DownloadSummary:
    """The outcome of :func:`download`; :attr:`ok` means everything needed is cached and
    verified, so the go command can work with ``GOPROXY=off``."""

    cache_dir: str
    modules: tuple[ModuleResult, ...]
    gomods: tuple[ModuleResult, ...]
    errors: tuple[Failure, ...] = ()
    downloaded_files: Mapping[str, int] = field(default_factory=dict)
    present_files: Mapping[str, int] = field(default_factory=dict)
    bytes: int = 0
    requests: int = 0
    retried: int = 0
    fell_through: int = 0
    elapsed: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def downloaded_total(self) -> int:
        return sum(self.downloaded_files.values())

    @property
    def present_total(self) -> int:
        return sum(self.present_files.values())

    @property
    def failed(self) -> dict[str, int]:
        """Failed module versions (and whole-run failures) by class, every class present."""
        failed = {str(r) for r in (*self.modules, *self.gomods) if r.error}
        counts = Counter(r.error_class for r in (*self.modules, *self.gomods) if r.error)
        counts.update(f.kind for f in self.errors if f.module not in failed)
        return {kind: counts.get(kind, 0) for kind in FAILURE_CLASSES}

    @property
    def unverified(self) -> tuple[ModuleResult, ...]:
        return tuple(r for r in (*self.modules, *self.gomods) if r.unverified and not r.error)

    @property
    def ok(self) -> bool:
        return not self.errors and all(r.ok for r in (*self.modules, *self.gomods))

    def to_json(self) -> dict[str, Any]:
        return {
            "Summary": {
                "OK": self.ok,
                "Cache": self.cache_dir,
                "Modules": len(self.modules),
                "GoModOnly": len(self.gomods),
                "Downloaded": dict(self.downloaded_files),
                "Present": dict(self.present_files),
                "Bytes": self.bytes,
                "Requests": self.requests,
                "Retried": self.retried,
                "FellThrough": self.fell_through,
                "Failed": self.failed,
                "Unverified": len(self.unverified),
                "Errors": [
                    {"Class": f.kind, "Error": f.message, "Module": f.module} for f in self.errors
                ],
                "Notes": list(self.notes),
                "Seconds": round(self.elapsed, 3),
            },
            "Modules": [r.to_json() for r in self.modules],
            "GoMods": [r.to_json() for r in self.gomods],
        }


def failure_class(exc: BaseException) -> str:
    """The failure class of an engine error: one of :data:`FAILURE_CLASSES`."""
    if isinstance(exc, ChecksumMismatch):
        return "checksum"
    if isinstance(exc, ModuleNotFound):
        return "not_found"
    if isinstance(exc, AuthRequired):
        return "auth"
    if isinstance(exc, ProxyUnavailable):
        return "network"
    if isinstance(exc, InvalidResponse):
        return "network"  # bodies that kept arriving broken: a transfer problem
    cause = getattr(exc, "err", None)
    if isinstance(cause, BaseException) and cause is not exc:
        return failure_class(cause)
    return "other"


# -- the cache, Go's way -------------------------------------------------------------------


_R = TypeVar("_R")

_INLINE_BYTES = 1 << 20
"""Work on data up to this size runs on the event loop's thread (see the docstring)."""


class _Busy(Exception):
    """A lock another process holds, met on the loop's thread: do it in a worker thread."""


_ON_LOOP = threading.local()


async def _disk(fn: Callable[..., _R], *args: Any, size: int = 0) -> _R:
    """``fn(*args)``: file system work, run at once on this thread when ``size`` is small
    and no lock has to be waited for, else in a worker thread. ``fn`` must take its lock
    before it changes anything (only then may :class:`_Busy` send it to a thread)."""
    if size <= _INLINE_BYTES:
        _ON_LOOP.active = True
        try:
            return fn(*args)
        except _Busy:
            pass
        finally:
            _ON_LOOP.active = False
    return await anyio.to_thread.run_sync(functools.partial(fn, *args))


class _flocked:
    """Hold an exclusive ``flock`` on ``path`` (created empty, 0666), as lockedfile does.

    Raises :class:`~analysis.errors.FileWriteError` (``locking PATH: permission denied``)
    when the lock cannot be had; on the event loop's thread (:func:`_disk`) a lock held
    elsewhere is not waited for: :class:`_Busy`. (A class, not a generator: a download
    takes thousands of these locks.)"""

    __slots__ = ("fd", "name")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.name = os.fspath(path)
        self.fd = -1

    def __enter__(self) -> int:
        name = self.name
        with fsio.writing(name, "locking"):
            parent = os.path.dirname(name) or "."
            fsio.ensure_dir(parent)
            try:
                fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o666)
            except FileNotFoundError:
                if not fsio.forget_dir(parent):
                    raise
                fsio.ensure_dir(parent)  # removed since it was made: again
                fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                if sys.platform != "win32":
                    import fcntl

                    if getattr(_ON_LOOP, "active", False):
                        try:
                            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        except BlockingIOError:
                            raise _Busy(name) from None
                    else:
                        fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
        self.fd = fd
        return fd

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing the descriptor releases the lock


def rewrite_version_list(version_dir: str | os.PathLike[str]) -> None:
    """cmd/go's ``rewriteVersionList``: ``@v/list`` names every ``<v>.mod`` in the directory
    whose (escaped) name is a canonical version, semver-sorted, one per line.

    The file is edited in place under an exclusive lock on itself, never renamed, because
    concurrent go commands lock that very file; an unchanged list is not rewritten.

    The directory is read only once the lock is held, as go reads it: read before, a
    rewrite for ``v1.mod`` could see only ``v1.mod``, wait while a concurrent rewrite for
    ``v2.mod`` writes ``v1 v2``, and then overwrite that with its stale ``v1``.
    """
    list_file = os.path.join(version_dir, "list")
    with _flocked(list_file) as fd, fsio.writing(list_file):
        versions = []
        for name in os.listdir(version_dir):
            stem = name[:-4] if name.endswith(".mod") else ""
            if stem and semver.canonical_version(stem) == stem:
                versions.append(stem)
        text = "".join(v + "\n" for v in semver.sort_versions(versions)).encode()
        if os.fstat(fd).st_size == len(text) and os.read(fd, len(text) + 1) == text:
            return
        # Zero-fill first, as go does, so a torn write shows up as NUL bytes.
        os.ftruncate(fd, 0)
        os.ftruncate(fd, len(text))
        os.lseek(fd, 0, os.SEEK_SET)
        view = memoryview(text)
        while view:
            view = view[os.write(fd, view) :]


def _info_json(info: RevInfo) -> bytes:
    """The ``.info`` bytes go writes: ``json.Marshal(RevInfo)``, compact, no newline."""
    return json.dumps(
        {"Version": info.version, "Time": _go_time(info.time)}, separators=(",", ":")
    ).encode()


def _go_time(when: datetime | None) -> str:
    """``time.Time`` as Go's JSON marshals it (the zero time for an unknown one)."""
    return _ZERO_TIME if when is None else format_time(when)


class _Layout:
    """File names under ``$GOMODCACHE`` for one module version (paths already validated)."""

    def __init__(self, gomodcache: Path, mv: ModuleVersion) -> None:
        self.mv = mv
        self._gomodcache = gomodcache
        self._base = escape_version(mv.version)
        # Most versions need only their go.mod: the other names are made when asked for.
        self.vdir_name = os.path.join(gomodcache, "cache", "download", escape_path(mv.path), "@v")
        self.mod_name = os.path.join(self.vdir_name, self._base + ".mod")

    @functools.cached_property
    def download_root(self) -> Path:
        return self._gomodcache / "cache" / "download"

    @functools.cached_property
    def vdir(self) -> Path:
        return Path(self.vdir_name)

    @functools.cached_property
    def mod(self) -> Path:
        return Path(self.mod_name)

    def _file(self, suffix: str) -> Path:
        return self.vdir / f"{self._base}.{suffix}"

    @property
    def info(self) -> Path:
        return self._file("info")

    @property
    def zip(self) -> Path:
        return self._file("zip")

    @property
    def ziphash(self) -> Path:
        return self._file("ziphash")

    @property
    def lock(self) -> Path:
        return self._file("lock")

    @property
    def partial(self) -> Path:
        return self._file("partial")

    @functools.cached_property
    def dir(self) -> Path:
        return self._gomodcache / f"{escape_path(self.mv.path)}@{self._base}"

    def extracted_dir(self) -> str:
        """The module tree, when go has extracted it completely (cmd/go's DownloadDir)."""
        if self.dir.is_dir() and not self.partial.exists() and self.ziphash.exists():
            return str(self.dir)
        return ""


def _read_valid_info(path: Path, version: str) -> bool:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("Version") == version


def _zip_readable(path: Path) -> bool:
    """Whether the zip's central directory reads (cheap; catches truncated files)."""
    try:
        with zipfile.ZipFile(path) as archive:
            archive.infolist()
    except (OSError, zipfile.BadZipFile, EOFError):
        return False
    return True


def _check_zip_prefix(mv: ModuleVersion, data: bytes) -> None:
    """cmd/go's ``downloadZip`` check: every entry lies under ``path@version/``."""
    prefix = f"{mv.path}@{mv.version}/"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ProxyError(f"{mv}: invalid zip: {exc}") from exc
    for name in names:
        if not name.startswith(prefix):
            raise ProxyError(f"zip for {mv} has unexpected file {name}")


@dataclass
class _ZipState:
    sum: str = ""  # the recorded (or recomputed) h1 of a cached zip
    zip_present: bool = False
    hash_present: bool = False
    dir_present: bool = False


def _inspect_zip(lay: _Layout) -> _ZipState:
    state = _ZipState(dir_present=bool(lay.extracted_dir()) or lay.dir.is_dir())
    if not lay.zip.is_file():
        return state
    if not _zip_readable(lay.zip):
        return state
    state.zip_present = True
    try:
        data = lay.ziphash.read_bytes().strip()
    except OSError:
        data = b""
    if is_valid_sum(data):
        state.sum = data.decode("ascii")
        state.hash_present = True
        return state
    try:
        state.sum = zip_hash(lay.zip)  # go's hashZip: a zip whose ziphash was lost
    except GomodxError:
        state.zip_present = False
    return state


def _commit_zip(lay: _Layout, data: bytes, h: str) -> bool:
    """Store a verified zip the way cmd/go's ``downloadZip`` does; False if another process
    stored the same zip meanwhile."""
    with _flocked(lay.lock):
        try:
            existing = lay.ziphash.read_bytes().strip()
        except OSError:
            existing = b""
        if existing == h.encode() and lay.zip.is_file() and _zip_readable(lay.zip):
            return False
        # Safe only under the lock: no writer of these temp files is still running.
        for stale in lay.vdir.glob(_glob_escape(lay.zip.name) + "*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()
        with fsio.staged(lay.zip, data, durable=False):  # in <v>.zip<digits>.tmp
            with fsio.writing(lay.zip):
                if lay.zip.exists():
                    # Replacing a copy that contradicted go.sum: never leave the new hash
                    # beside the old zip.
                    lay.zip.unlink()
                with contextlib.suppress(FileNotFoundError):
                    lay.ziphash.unlink()
            _write_cache_file(lay.ziphash, h.encode("ascii"))
    return True


def _store_ziphash(lay: _Layout, h: str) -> None:
    with _flocked(lay.lock):
        _write_cache_file(lay.ziphash, h.encode("ascii"))


def _glob_escape(name: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", name)


# -- the downloader ------------------------------------------------------------------------


@dataclass
class _Rec:
    """Mutable bookkeeping for one module version while the download runs."""

    mv: ModuleVersion
    target: bool = False
    query: str = ""
    replaces: str = ""
    gomod: str = ""
    gomod_sum: str = ""
    info: str = ""
    zip: str = ""
    sum: str = ""
    dir: str = ""
    error: str = ""
    error_class: str = ""
    downloaded: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    not_in_gosum: list[str] = field(default_factory=list)
    unverified: bool = False
    verified_by: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    finished: bool = False

    def fail(self, exc: BaseException) -> bool:
        """Record the first error; returns whether this was it."""
        if self.error:
            return False
        self.error = str(exc)
        self.error_class = failure_class(exc)
        return True


ProgressCallback = Callable[[DownloadProgress], None]


class _Downloader:
    def __init__(
        self,
        env: GoEnv,
        gomodcache: Path,
        gosum: GoSum,
        client: ProxyClient,
        on_progress: ProgressCallback | None,
        concurrency: int,
        sumdb: SumDBClient | None = None,
    ) -> None:
        self.env = env
        self.sumdb = sumdb
        self.gomodcache = gomodcache
        self.gosum = gosum
        self.client = client
        self.on_progress = on_progress
        self.concurrency = max(1, concurrency)
        self.recs: dict[ModuleVersion, _Rec] = {}
        self.gomod_tasks: dict[ModuleVersion, asyncio.Task[bytes]] = {}
        self.phase = "graph"
        self.started = time.monotonic()
        self.downloaded: Counter[str] = Counter()
        self.present: Counter[str] = Counter()
        self.bytes = 0
        self.requests = 0
        self.retried = 0
        self.fell_through = 0
        self.retries_by: Counter[ModuleVersion] = Counter()
        self.zip_origin: dict[ModuleVersion, str] = {}
        self.lists_checked: set[str] = set()
        self._dirty_lists: set[str] = set()
        self.n_done = 0
        self.n_failed = 0
        self.current = ""

    # -- progress ----------------------------------------------------------------------

    def on_fetch(self, event: FetchEvent) -> None:
        if event.kind == "proxy" and event.outcome == "fallthrough":
            self.fell_through += 1
        elif event.outcome != "cache_hit":
            self.requests += 1
        if event.outcome == "ok" and event.kind == "zip":
            self.zip_origin[ModuleVersion(event.module, event.version)] = event.url
        if event.outcome == "retry":
            self.retried += 1
            self.retries_by[ModuleVersion(event.module, event.version)] += 1
        message = ""
        if event.outcome in ("retry", "fallthrough"):
            what = f"{event.module}@{event.version}" if event.version else event.module
            first = event.error.splitlines()[0] if event.error else event.outcome
            message = f"{event.outcome}: {what} {event.kind}: {first}"
        self.report(message, event)

    def report(self, message: str = "", event: FetchEvent | None = None) -> None:
        if self.on_progress is None:
            return
        self.on_progress(
            DownloadProgress(
                phase=self.phase,
                total=len(self.recs),
                done=self.n_done,
                downloaded=self.downloaded.total(),
                present=self.present.total(),
                failed=self.n_failed,
                retried=self.retried,
                bytes=self.bytes,
                elapsed=time.monotonic() - self.started,
                current=self.current,
                message=message,
                event=event,
            )
        )

    def rec(self, mv: ModuleVersion) -> _Rec:
        found = self.recs.get(mv)
        if found is None:
            found = self.recs[mv] = _Rec(mv)
        return found

    def finish(self, rec: _Rec, finished: bool = True) -> None:
        if rec.finished != finished:
            rec.finished = finished
            self.n_done += 1 if finished else -1

    def fail(self, rec: _Rec, exc: BaseException) -> None:
        if rec.fail(exc):
            self.n_failed += 1
            self.report(f"failed: {rec.mv}: {str(exc).splitlines()[0]}")

    def got(self, rec: _Rec, kind: str, size: int) -> None:
        rec.downloaded.append(kind)
        self.downloaded[kind] += 1
        self.bytes += size
        self.current = str(rec.mv)

    def had(self, rec: _Rec, kind: str) -> None:
        rec.present.append(kind)
        self.present[kind] += 1

    # -- go.sum policy -----------------------------------------------------------------

    def sumdb_exempt(self, path: str) -> bool:
        """Whether go accepts a hash go.sum lacks without the checksum database."""
        return self.env.gosumdb.strip() == "off" or match_prefix_patterns(self.env.gonosumdb, path)

    async def check_hash(self, rec: _Rec, key: str, h: str, source: str) -> None:
        """Raise SumMismatch when go.sum lists other hashes; check a hash go.sum does not
        list against the checksum database (when there is one: else note it unverified),
        raising go's SECURITY ERROR when the database says otherwise."""
        mv = rec.mv
        version = mv.version + "/go.mod" if key == "go.mod" else mv.version
        listed = self.gosum.hashes(mv.path, version)
        if listed:
            if h not in listed:
                raise SumMismatch(mv.path, version, h, listed[0], source)
            _add(rec.verified_by, "go.sum")
            return
        if key not in rec.not_in_gosum:
            rec.not_in_gosum.append(key)
        if self.sumdb_exempt(mv.path):
            return
        if self.sumdb is None:
            rec.unverified = True
            return
        await self.sumdb.check(mv.path, version, h)
        _add(rec.verified_by, self.sumdb.name)

    def listed_mismatch(self, mv: ModuleVersion, key: str, h: str) -> bool:
        version = mv.version + "/go.mod" if key == "go.mod" else mv.version
        listed = self.gosum.hashes(mv.path, version)
        return bool(listed) and h not in listed

    # -- go.mod files (the loader's GoModSource) ---------------------------------------

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        """The go.mod of ``mod``, from the cache if valid there, else fetched, verified and
        written into the cache. Each version is handled once; callers share the result."""
        task = self.gomod_tasks.get(mod)
        if task is None:
            task = asyncio.ensure_future(self._go_mod(mod))
            self.gomod_tasks[mod] = task
        return await asyncio.shield(task)

    async def _go_mod(self, mod: ModuleVersion) -> bytes:
        rec = self.rec(mod)
        lay = _Layout(self.gomodcache, mod)
        try:
            data, rec.gomod_sum = await self._go_mod_bytes(rec, lay)
        except BaseException as exc:
            if isinstance(exc, Exception):
                self.fail(rec, exc)
                self.finish(rec, not rec.target)
            raise
        rec.gomod = lay.mod_name
        if not rec.target:
            self.finish(rec)
        self.report()
        return data

    async def _go_mod_bytes(self, rec: _Rec, lay: _Layout) -> tuple[bytes, str]:
        """The go.mod's bytes and their go.sum hash."""
        mod = rec.mv
        cached = _read_bytes(lay.mod_name)
        if cached is not None and not cached.startswith(b"//vgo 0.0."):
            h = gomod_hash(cached)
            if self.listed_mismatch(mod, "go.mod", h):
                rec.notes.append("the cached go.mod contradicted go.sum; replaced")
            elif _parses_as_gomod(cached):
                await self.check_hash(rec, "go.mod", h, "GOMODCACHE")
                self.had(rec, "mod")
                if lay.vdir_name not in self.lists_checked:
                    # A run killed between a .mod rename and the list rewrite left the
                    # list short; resuming repairs it (a no-op when it is right).
                    self.lists_checked.add(lay.vdir_name)
                    self.list_changed(lay.vdir_name)
                return cached, h
        f = await self.client.gomod(mod.path, mod.version)
        await self.check_hash(rec, "go.mod", f.hash, f.origin)
        await _disk(_write_cache_file, lay.mod_name, f.data, size=len(f.data))
        self.list_changed(lay.vdir_name)
        self.got(rec, "mod", len(f.data))
        return f.data, f.hash

    def list_changed(self, vdir: str) -> None:
        """A ``.mod`` was written in ``vdir``: its ``list`` is rewritten at the end of the
        phase (:meth:`write_lists`), once for all the module's versions written by then —
        go rewrites it after each ``.mod``, which costs a locked rewrite per go.mod. The
        list is an index go rebuilds from the directory whenever it writes a ``.mod``
        there; a run killed before the rewrite leaves it short, and the next download
        completes it."""
        self._dirty_lists.add(vdir)

    async def write_lists(self) -> None:
        """Rewrite every ``list`` a written ``.mod`` asked for. Like go, a rewrite that
        fails is let be (the next one makes the list whole)."""
        while self._dirty_lists:
            vdir = self._dirty_lists.pop()
            with contextlib.suppress(OSError, GomodxError):
                await _disk(rewrite_version_list, vdir)

    # -- whole module versions -----------------------------------------------------------

    async def fetch_module(self, rec: _Rec) -> None:
        """go.mod, then zip and info together; the info is written only after the zip."""
        mv = rec.mv
        lay = _Layout(self.gomodcache, mv)
        self.current = str(mv)
        try:
            await self.go_mod(mv)
        except Exception:
            self.finish(rec)
            self.report()
            return
        try:
            await self._zip_and_info(rec, lay)
        except Exception as exc:
            self.fail(rec, exc)
        rec.dir = lay.extracted_dir() if not rec.error else ""
        self.finish(rec)
        self.report()

    async def _zip_and_info(self, rec: _Rec, lay: _Layout) -> None:
        mv = rec.mv
        state = await _disk(_inspect_zip, lay)
        need_zip = True
        if state.zip_present and state.sum:
            if self.listed_mismatch(mv, "zip", state.sum):
                if state.dir_present:
                    listed = self.gosum.hashes(mv.path, mv.version)[0]
                    raise SumMismatch(
                        mv.path,
                        mv.version,
                        state.sum,
                        listed,
                        f"{lay.zip} (extracted to {lay.dir}; remove it or run "
                        "'go clean -modcache')",
                    )
                rec.notes.append("the cached zip contradicted go.sum; replaced")
            else:
                need_zip = False
        have_info = await _disk(_read_valid_info, lay.info, mv.version)

        zip_data: bytes | BaseException | None = None
        info: RevInfo | BaseException | None = None

        async def get_zip() -> None:
            nonlocal zip_data
            try:
                zip_data = await self.client.zip(mv.path, mv.version)
            except Exception as exc:
                zip_data = exc

        async def get_info() -> None:
            nonlocal info
            try:
                info = await self.client.stat(mv.path, mv.version)
            except Exception as exc:
                info = exc

        async with anyio.create_task_group() as group:
            if need_zip:
                group.start_soon(get_zip)
            if not have_info:
                group.start_soon(get_info)

        if need_zip:
            if isinstance(zip_data, BaseException):
                raise zip_data
            assert isinstance(zip_data, bytes)
            data = zip_data
            h = await _disk(_hash_zip_checked, mv, data, size=len(data))
            await self.check_hash(rec, "zip", h, self._zip_source(mv))
            written = await _disk(_commit_zip, lay, data, h, size=len(data))
            if written:
                self.got(rec, "zip", len(data))
            else:
                self.had(rec, "zip")
            rec.sum = h
        else:
            await self.check_hash(rec, "zip", state.sum, str(lay.zip))
            if not state.hash_present:
                await _disk(_store_ziphash, lay, state.sum)
            self.had(rec, "zip")
            rec.sum = state.sum
        rec.zip = str(lay.zip)

        if have_info:
            self.had(rec, "info")
        else:
            if isinstance(info, BaseException):
                raise info
            assert isinstance(info, RevInfo)
            if info.version != mv.version:
                raise ProxyError(
                    f"{mv}: proxy returned info for version {info.version} instead of "
                    "requested version"
                )
            text = _info_json(info)
            await _disk(_write_cache_file, lay.info, text)
            self.got(rec, "info", len(text))
        rec.info = str(lay.info)

    def _zip_source(self, mv: ModuleVersion) -> str:
        if mv in self.zip_origin:
            return self.zip_origin[mv]
        specs = [s.redacted for s in self.client.specs if s.url != "noproxy"]
        return "GOPROXY=" + ",".join(specs) if specs else "GOPROXY"

    # -- the result --------------------------------------------------------------------

    def result(self, rec: _Rec) -> ModuleResult:
        return ModuleResult(
            path=rec.mv.path,
            version=rec.mv.version,
            query=rec.query,
            info=rec.info,
            gomod=rec.gomod,
            zip=rec.zip,
            dir=rec.dir,
            sum=rec.sum,
            gomod_sum=rec.gomod_sum,
            error=rec.error,
            error_class=rec.error_class,
            downloaded=tuple(rec.downloaded),
            present=tuple(rec.present),
            not_in_gosum=tuple(rec.not_in_gosum),
            unverified=rec.unverified,
            verified_by=tuple(rec.verified_by),
            retries=self.retries_by.get(rec.mv, 0),
            replaces=rec.replaces,
            gomod_only=not rec.target,
            notes=tuple(rec.notes),
        )


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _read_bytes(path: str | os.PathLike[str]) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _parses_as_gomod(data: bytes) -> bool:
    try:
        parsed = parse_lax("go.mod", data)
    except GomodxError:
        return False
    return parsed.module is not None and bool(parsed.module.mod.path)


def _write_cache_file(path: str | os.PathLike[str], data: bytes) -> None:
    """A module cache file, as go writes it: atomically, not fsynced (see the docstring)."""
    fsio.write_atomic(path, data, durable=False, keep_mode=False)


def _store_gomod(lay: _Layout, data: bytes) -> None:
    _write_cache_file(lay.mod_name, data)
    rewrite_version_list(lay.vdir_name)


def _hash_zip_checked(mv: ModuleVersion, data: bytes) -> str:
    _check_zip_prefix(mv, data)
    return zip_hash(data)


def keep_in_gomodcache(gomodcache: Path, path: str, version: str, kind: str, data: bytes) -> bool:
    """Store a go.mod (``kind`` ``mod``) or zip (``zip``) fetched and checked for another
    purpose — a ``go get`` preview — in Go's module cache as cmd/go stores what it
    downloads: a go.mod atomically with the version ``list`` rewritten; a zip after the
    ``path@version/`` prefix check of ``downloadZip``, ``.ziphash`` then ``.zip`` under the
    version lock. Files already there are left alone. False when nothing was stored (go
    would not keep it, or the cache cannot be written): the caller loses nothing but a
    later download."""
    mv = ModuleVersion(path, version)
    lay = _Layout(gomodcache, mv)
    try:
        if kind == "mod":
            if lay.mod.is_file():
                return False
            lay.vdir.mkdir(parents=True, exist_ok=True)
            _store_gomod(lay, data)
            return True
        if kind != "zip" or lay.extracted_dir():
            return False  # an extracted tree: go uses that, its zip is go's business
        h = _hash_zip_checked(mv, data)
        lay.vdir.mkdir(parents=True, exist_ok=True)
        return _commit_zip(lay, data, h)
    except (OSError, GomodxError):
        return False


# -- module arguments ----------------------------------------------------------------------


def _match_pattern(pattern: str) -> Callable[[str], bool]:
    """cmd/go's ``pkgpattern.MatchPattern``: ``...`` matches any string; ``x/...`` also
    matches ``x``."""
    rx = re.escape(pattern).replace(r"\.\.\.", ".*")
    if rx.endswith("/.*"):
        rx = rx[: -len("/.*")] + "(/.*)?"
    compiled = re.compile(rx + r"\Z")
    return lambda path: compiled.match(path) is not None


def _parse_arg(arg: str) -> tuple[str, str]:
    if "\\" in arg:
        raise GomodxError("module paths never use backslash")
    if arg in (".", "..") or arg.startswith(("./", "../")):
        raise GomodxError(f"cannot use relative path {arg} to specify module")
    path, at, version = arg.partition("@")
    if at and not version:
        raise GomodxError(f"{arg}: missing version after @")
    return path, version if at else ""


class _QuerySource:
    """:class:`~analysis.source.ModuleSource` for version queries: go.mod files go through
    the downloader (so they land in the cache, as go's do); the rest through the client."""

    def __init__(self, dl: _Downloader) -> None:
        self.dl = dl

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        return await self.dl.go_mod(mod)

    async def versions(self, path: str) -> tuple[str, ...]:
        return (await self.dl.client.versions(path)).versions

    async def stat(self, path: str, rev: str) -> RevInfo:
        return await self.dl.client.stat(path, rev)

    async def latest(self, path: str) -> RevInfo:
        return await self.dl.client.latest(path)

    async def zip(self, mod: ModuleVersion) -> bytes:
        return await self.dl.client.zip(mod.path, mod.version)


# -- entry point ---------------------------------------------------------------------------


async def download(
    main_dir: str | os.PathLike[str] | None,
    env: GoEnv,
    modules: Sequence[str] = (),
    *,
    client: ProxyClient,
    gosum: GoSum,
    on_progress: ProgressCallback | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    sumdb: SumDBClient | None = None,
    workspace: Workspace | None = None,
) -> DownloadSummary:
    """Download into ``$GOMODCACHE/cache/download`` what the go command needs offline.

    In a ``workspace`` (:func:`analysis.workspace.load_workspace`) the graph is the
    workspace's and, with no ``modules``, everything ``go mod download`` fetches there
    (it downloads ``all``): every module of the workspace's build list, as replaced by
    the workspace's rules, and the go.mod of every module version its graph reads. Main
    modules are the workspace's modules; ``gosum`` should then hold every module's go.sum
    and go.work.sum (go's checksums in workspace mode).

    With no ``modules``: the go.mod of every module version the module graph of the main
    module in ``main_dir`` reads, and the ``.info``, ``.mod`` and ``.zip`` (with
    ``.ziphash``) of every module in its build list (``go mod download all``; replaced
    modules as their replacements). With ``modules`` (``path``, ``path@query``, ``all``,
    ``pattern/...``): those, resolved as ``go mod download`` resolves them (queries by
    Go's rules; bare paths and patterns against the build list).

    ``sumdb`` checks what go.sum does not list, as go does (without it such hashes are
    reported unverified). ``client`` (best with no cache layers of its own: the downloader checks Go's cache
    itself, more strictly) and ``gosum`` come from the caller's
    :class:`~analysis.session.Session`, the one place that builds clients and reads
    go.sum. ``on_progress`` receives a
    :class:`DownloadProgress` after every request and file. Failures are reported in the
    summary, not raised; :class:`GomodxError` is raised only for unusable input (no
    GOMODCACHE, no go.mod where one is needed, malformed arguments).
    """
    if not env.gomodcache:
        raise GomodxError("module cache not found: neither GOMODCACHE nor GOPATH is set")
    if not os.path.isabs(env.gomodcache):
        raise GomodxError(
            f'GOMODCACHE entry is relative; must be absolute path: "{env.gomodcache}".'
        )
    gomodcache = Path(env.gomodcache)
    directory = Path(main_dir) if main_dir is not None else Path.cwd()
    has_main = (directory / "go.mod").is_file() or workspace is not None
    parsed_args = [_parse_arg(a) for a in modules]
    if not parsed_args and not has_main:
        raise GomodxError(
            f"{directory}: go.mod file not found in current directory or any parent "
            "directory; see 'go help modules' (or name modules to download)"
        )
    for path, version in parsed_args:
        if not version and not has_main:
            raise GomodxError(
                f'cannot match "{path}" without an explicit version: go.mod file not found'
                f" in {directory}"
            )

    # go mod download always runs as -mod=mod: a -mod=vendor in GOFLAGS does not apply.
    env = replace(env, goflags=without_flag(env.goflags, "mod"))
    dl = _Downloader(env, gomodcache, gosum, client, on_progress, concurrency, sumdb)
    unsubscribe = client.subscribe(dl.on_fetch)
    errors: list[Failure] = []
    notes: list[str] = []
    try:
        client.specs  # noqa: B018 - a bad GOPROXY is a user error, raised before any work
        targets = await _resolve_targets(
            dl, directory, has_main, parsed_args, errors, notes, workspace
        )
        dl.phase = "files"
        await dl.write_lists()  # the graph's go.mod files are all written by now
        dl.report()
        # A module version asks for its zip and its info at once: half as many module
        # versions as requests in flight (and as many zips held in memory, at most).
        limiter = anyio.Semaphore(max(1, dl.concurrency // 2))

        async def run(rec: _Rec) -> None:
            async with limiter:
                await dl.fetch_module(rec)

        async with anyio.create_task_group() as group:
            for rec in targets:
                group.start_soon(run, rec)
    finally:
        unsubscribe()
        # go.mod fetches a failed graph load abandoned: stop them and collect their
        # outcome (gather, unlike a bare await, still lets our own cancellation through).
        pending = [t for t in dl.gomod_tasks.values() if not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*dl.gomod_tasks.values(), return_exceptions=True)
        # One flush for every file written unsynced (see the docstring), once every
        # version list is up to date.
        with anyio.CancelScope(shield=True):
            await dl.write_lists()
            await anyio.to_thread.run_sync(fsio.sync_filesystem, gomodcache)
    dl.phase = "done"
    dl.report()
    ordered = sorted(dl.recs.values(), key=lambda r: (r.mv.path, semver.sort_key(r.mv.version)))
    return DownloadSummary(
        cache_dir=str(gomodcache / "cache" / "download"),
        modules=tuple(dl.result(r) for r in ordered if r.target),
        gomods=tuple(dl.result(r) for r in ordered if not r.target),
        errors=tuple(errors),
        downloaded_files=dict(sorted(dl.downloaded.items())),
        present_files=dict(sorted(dl.present.items())),
        bytes=dl.bytes,
        requests=dl.requests,
        retried=dl.retried,
        fell_through=dl.fell_through,
        elapsed=time.monotonic() - dl.started,
        notes=tuple(notes),
    )


async def _resolve_targets(
    dl: _Downloader,
    directory: Path,
    has_main: bool,
    args: Sequence[tuple[str, str]],
    errors: list[Failure],
    notes: list[str],
    workspace: Workspace | None = None,
) -> list[_Rec]:
    """The module versions whose zip and info are wanted (loading the graph if needed)."""
    needs_graph = not args or any(not v or v in ("upgrade", "patch") for _, v in args)
    loaded: LoadedGraph | None = None
    main_file: ModFile | None = None
    if has_main and (directory / "go.mod").is_file():
        main_file = parse(str(directory / "go.mod"), (directory / "go.mod").read_bytes())
    main_paths = {main_file.module.mod.path} if main_file and main_file.module else set()
    if workspace is not None:
        main_paths = set(workspace.modules)
    if has_main and needs_graph:
        try:
            if workspace is not None:
                loaded = await load_workspace_graph(
                    workspace, dl, directory=directory, concurrency=max(64, dl.concurrency)
                )
            else:
                loaded = await load_module_graph(directory, dl, concurrency=max(64, dl.concurrency))
        except ModuleLoadError as exc:
            culprit = dl.recs.get(exc.actual)
            if culprit is not None and culprit.error:
                errors.append(Failure(culprit.error_class, str(exc), str(culprit.mv)))
            else:
                errors.append(Failure(failure_class(exc), str(exc)))
        except (ProxyError, ModuleError) as exc:
            errors.append(Failure(failure_class(exc), str(exc)))

    targets: dict[ModuleVersion, _Rec] = {}

    def add(mv: ModuleVersion, query: str = "", replaces: str = "") -> None:
        rec = dl.rec(mv)
        rec.target = True
        dl.finish(rec, False)
        if query and not rec.query:
            rec.query = query
        if replaces and not rec.replaces:
            rec.replaces = replaces
        targets[mv] = rec

    def add_from_build_list(m: ModuleVersion) -> None:
        assert loaded is not None
        r = loaded.replacement(m)
        if r is not None:
            if r.version == "":
                return  # a directory replacement: nothing to download
            add(r, replaces=str(m))
        else:
            add(m)

    build = [
        m
        for m in (loaded.build_list() if loaded is not None else [])
        if m.version and not semver.is_toolchain_path(m.path)
    ]
    if not args:
        for m in build:
            add_from_build_list(m)
        return list(targets.values())

    view = None
    for path, version in args:
        if path in main_paths and version in ("", "upgrade", "patch"):
            notes.append(f"skipping download of {path} that resolves to the main module")
            continue
        if not version:
            if loaded is None:
                continue  # the graph failed; that error is already reported
            if path == "all" or "..." in path:
                match = _match_pattern(path) if path != "all" else (lambda p: True)
                hits = [m for m in build if match(m.path)]
                if not hits:
                    notes.append(f'pattern "{path}" matched no module dependencies')
                for m in hits:
                    add_from_build_list(m)
                continue
            selected = loaded.selected().get(path, "none")
            if selected in ("", "none"):
                rec = dl.rec(ModuleVersion(path, ""))
                rec.target = True
                dl.fail(rec, ModuleNotFound(f"module {path}: not a known dependency"))
                dl.finish(rec)
                continue
            add_from_build_list(ModuleVersion(path, selected))
            continue
        if view is None:
            base = main_file or parse("go.mod", b"module command-line-arguments\n")
            view = ModuleView(_QuerySource(dl), base, directory)
        current = ""
        if loaded is not None:
            current = loaded.selected().get(path, "")
        elif main_file is not None:
            current = max(
                (r.mod.version for r in main_file.require if r.mod.path == path),
                key=semver.sort_key,
                default="",
            )
        try:
            allowed = None if is_revision_query(path, version) else view.check_allowed
            info = await view.query(path, version, current, allowed)
        except GomodxError as exc:
            rec = dl.rec(ModuleVersion(path, version))
            rec.target = True
            dl.fail(rec, _query_error(exc))
            dl.finish(rec)
            continue
        if not info.version:
            notes.append(f"skipping download of {path}@{version} that resolves to the main module")
            continue
        add(ModuleVersion(path, info.version), query=version if version != info.version else "")
    return list(targets.values())


def _query_error(exc: GomodxError) -> GomodxError:
    if isinstance(exc, QueryError) and exc.kind in ("no-match", "not-exist"):
        return ModuleNotFound(str(exc))
    return exc
