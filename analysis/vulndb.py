"""The Go vulnerability database (``GOVULNDB``), read as govulncheck reads it, and cached.

The database is a tree of JSON files (the v1 layout of vuln.go.dev)::

    index/db.json        {"modified": "2024-05-01T00:00:00Z"}
    index/modules.json   [{"path": "example.com/m", "vulns": [{"id": "GO-…", "modified": …,
                                                               "fixed": "1.2.3"}]}]
    ID/GO-2024-0001.json one OSV entry (:mod:`analysis.osv`)

each also served gzipped (``X.json.gz``). ``GOVULNDB`` names it: ``https://vuln.go.dev`` by
default, ``http(s)://…`` or ``file:///abs/dir`` for a mirror. Over http the ``.json.gz``
form is asked for first, from a directory the ``.json`` form.

Every file fetched is checked (it must parse, an entry must carry the ID it was asked for)
before it is cached, in gomodx's cache (``<cache>/vulndb/<key of the URL>/…``, written
atomically), so a truncated index or an entry that is not JSON is an error and is never
cached. ``index/db.json`` is asked for on every open; while its ``modified`` stamp is the
cached one, the cached index and entries answer; an entry whose ``modified`` in the index
differs from the cached copy's is fetched again. Offline, only the cache answers.
Requests go through :class:`~analysis.fetch.HttpGetter`: the same retries, limits,
HTTPS_PROXY rules and request events as module fetches.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import fsio
from analysis.errors import GomodxError, ModuleNotFound, ProxyError, VulnDBError
from analysis.fetch import HttpGetter
from analysis.goproxy import FetchEvent, NetLimits, NetrcLine, ProxySpec, RetryPolicy, redact_url
from analysis.osv import Entry, InvalidOSV, parse_entry

if TYPE_CHECKING:
    from analysis.lean import Transport

__all__ = [
    "DEFAULT_GOVULNDB",
    "IndexVuln",
    "VulnDB",
    "VulnDBError",
    "govulndb_url",
]

DEFAULT_GOVULNDB = "https://vuln.go.dev"

_LIMIT = 64 << 20
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class IndexVuln:
    """One line of ``index/modules.json``: an entry naming the module."""

    id: str
    modified: str
    fixed: str = ""


def govulndb_url(environ: Mapping[str, str] | None = None) -> str:
    """``GOVULNDB`` (default :data:`DEFAULT_GOVULNDB`), checked: http, https or an absolute
    ``file://`` URL, without a trailing slash."""
    env = os.environ if environ is None else environ
    url = (env.get("GOVULNDB") or DEFAULT_GOVULNDB).strip().rstrip("/")
    if url.startswith("file://"):
        rest = url[len("file://") :]
        if not rest.startswith("/"):
            raise VulnDBError(f"invalid GOVULNDB: file URL must be absolute: {url}")
        return url
    if not re.match(r"^https?://[^/]", url):
        raise VulnDBError(f"invalid GOVULNDB: want http, https or file URL: {redact_url(url)}")
    return url


def default_vulndb_cache() -> Path:
    """``<gomodx cache>/vulndb`` (next to gomodx's download cache)."""
    from analysis.cache import default_cache_dir

    return default_cache_dir().parent / "vulndb"


class VulnDB:
    """One vulnerability database, read through ``http`` and cached under ``cache_dir``.

    ``cache_dir=None`` caches nothing; ``offline`` answers only from the cache.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_dir: Path | None = None,
        offline: bool = False,
        http: HttpGetter | None = None,
        transport: Transport | None = None,
        emit: Callable[[FetchEvent], None] | None = None,
        limits: NetLimits | None = None,
        retry: RetryPolicy | None = None,
        netrc: list[NetrcLine] | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.shown = redact_url(self.url)
        self.offline = offline
        self.cache = None
        if cache_dir is not None:
            key = hashlib.sha256(self.url.encode()).hexdigest()[:16]
            host = re.sub(r"[^A-Za-z0-9.-]+", "_", self.shown.split("://", 1)[-1])[:60]
            self.cache = cache_dir / f"{host}-{key}"
        self._http = http or HttpGetter(
            emit=emit or (lambda e: None),
            netrc=netrc or [],
            transport=transport,
            limits=limits,
            retry=retry,
            concurrency=16,
            clock=time.monotonic,
        )
        self._own_http = http is None
        self._spec = ProxySpec(self.url)
        self._index: dict[str, list[IndexVuln]] | None = None
        self._fresh = False  # the cached index is the database's current one
        self._entries: dict[str, Entry] = {}

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    # -- files ------------------------------------------------------------------------

    async def _fetch(self, endpoint: str) -> bytes:
        """``endpoint`` (``index/db``, ``ID/GO-…``) as JSON bytes, the gzip form first over
        http, the plain form first from a directory."""
        forms = [".json", ".json.gz"] if self.url.startswith("file:") else [".json.gz", ".json"]
        missing: ModuleNotFound | None = None
        for suffix in forms:
            url = f"{self.url}/{endpoint}{suffix}"
            try:
                data = await self._http.get(
                    self._spec, url, kind="vulndb", path=endpoint, version="", limit=_LIMIT
                )
            except ModuleNotFound as exc:
                missing = exc
                continue
            except ProxyError as exc:
                # the fetch layer names the file as a module ("module index/db: ...")
                reason = str(exc).removeprefix(f"module {endpoint}: ")
                raise VulnDBError(f"vulnerability database {self.shown}: {reason}") from exc
            if suffix.endswith(".gz"):
                try:
                    data = gzip.decompress(data)
                except (OSError, EOFError) as exc:
                    raise VulnDBError(
                        f"vulnerability database {self.shown}: {endpoint}{suffix}: {exc}"
                    ) from None
            return data
        raise VulnDBError(
            f"vulnerability database {self.shown}: {endpoint}.json: not found"
        ) from missing

    def _cached(self, name: str) -> bytes | None:
        if self.cache is None:
            return None
        try:
            return (self.cache / name).read_bytes()
        except OSError:
            return None

    def _store(self, name: str, data: bytes) -> None:
        if self.cache is None:
            return
        target = self.cache / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fsio.write_atomic(target, data, durable=False)
        except (OSError, GomodxError):
            pass  # a cache we cannot fill is not a failed answer

    def _offline_error(self, what: str) -> VulnDBError:
        return VulnDBError(
            f"vulnerability database {self.shown}: {what} is not in the cache (offline)"
        )

    # -- the index --------------------------------------------------------------------

    async def modified(self) -> str:
        """``index/db.json``'s ``modified`` stamp."""
        data = await self._fetch("index/db")
        return _parse_db(data, self.shown)

    async def index(self) -> dict[str, list[IndexVuln]]:
        """``index/modules.json``: module path → the entries that name it."""
        if self._index is not None:
            return self._index
        cached_db = self._cached("index/db.json")
        cached_mods = self._cached("index/modules.json")
        if self.offline:
            if cached_db is None or cached_mods is None:
                raise self._offline_error("index/modules.json")
            self._index = _parse_modules(cached_mods, self.shown)
            self._fresh = True
            return self._index
        db = await self._fetch("index/db")
        stamp = _parse_db(db, self.shown)
        if cached_db is not None and cached_mods is not None:
            try:
                same = _parse_db(cached_db, self.shown) == stamp
                index = _parse_modules(cached_mods, self.shown) if same else None
            except VulnDBError:
                index = None
            if index is not None:
                self._index = index
                self._fresh = True
                return index
        mods = await self._fetch("index/modules")
        self._index = _parse_modules(mods, self.shown)
        self._store("index/modules.json", mods)
        self._store("index/db.json", db)  # after the index it stamps
        return self._index

    # -- entries ----------------------------------------------------------------------

    async def entry(self, ident: str, modified: str = "") -> Entry:
        """The OSV entry ``ident`` (cached while its ``modified`` is ``modified``)."""
        if ident in self._entries:
            return self._entries[ident]
        if not _ID.match(ident):
            raise VulnDBError(f"vulnerability database {self.shown}: invalid ID {ident!r}")
        name = f"ID/{ident}.json"
        cached = self._cached(name)
        if cached is not None:
            try:
                e = parse_entry(cached, source=name)
            except InvalidOSV:
                e = None
            if e is not None and e.id == ident and (self.offline or e.modified == modified):
                self._entries[ident] = e
                return e
        if self.offline:
            raise self._offline_error(name)
        data = await self._fetch(f"ID/{ident}")
        try:
            e = parse_entry(data, source=f"{self.shown}/{name}")
        except InvalidOSV as exc:
            raise VulnDBError(f"vulnerability database {exc}") from None
        if e.id != ident:
            raise VulnDBError(f"vulnerability database {self.shown}: {name} holds {e.id}")
        self._store(name, data)
        self._entries[ident] = e
        return e

    async def for_modules(self, paths: Iterable[str]) -> dict[str, list[Entry]]:
        """Every entry naming each of ``paths`` (those the index lists), by path."""
        import anyio

        index = await self.index()
        wanted = {p: index.get(p, []) for p in dict.fromkeys(paths)}
        ids = {v.id: v.modified for vs in wanted.values() for v in vs}
        errors: list[BaseException] = []

        async def one(ident: str, modified: str) -> None:
            try:
                await self.entry(ident, modified)
            except GomodxError as exc:
                errors.append(exc)

        async with anyio.create_task_group() as group:
            for ident, modified in sorted(ids.items()):
                group.start_soon(one, ident, modified)
        if errors:
            raise errors[0]
        return {p: [self._entries[v.id] for v in vs] for p, vs in wanted.items() if vs}


def _json(data: bytes, what: str, shown: str) -> object:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VulnDBError(f"vulnerability database {shown}: {what}: not JSON: {exc}") from None


def _parse_db(data: bytes, shown: str) -> str:
    raw = _json(data, "index/db.json", shown)
    if not isinstance(raw, dict) or not isinstance(raw.get("modified"), str):
        raise VulnDBError(f"vulnerability database {shown}: index/db.json: no modified time")
    stamp: str = raw["modified"]
    return stamp


def _parse_modules(data: bytes, shown: str) -> dict[str, list[IndexVuln]]:
    raw = _json(data, "index/modules.json", shown)
    bad = VulnDBError(f"vulnerability database {shown}: index/modules.json: not a module index")
    if not isinstance(raw, list):
        raise bad
    out: dict[str, list[IndexVuln]] = {}
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise bad
        vulns = item.get("vulns") or []
        if not isinstance(vulns, list):
            raise bad
        found = out.setdefault(item["path"], [])
        for v in vulns:
            if not isinstance(v, dict) or not isinstance(v.get("id"), str):
                raise bad
            modified, fixed = v.get("modified", ""), v.get("fixed", "")
            found.append(
                IndexVuln(
                    v["id"],
                    modified if isinstance(modified, str) else "",
                    fixed if isinstance(fixed, str) else "",
                )
            )
    return out
