"""The checksum database client (GOSUMDB), as the go command verifies module downloads.

::

    check(path, version, h1) ─► lookup(path, version)      /lookup/M@V (or Go's cache)
                                  │ record id, go.sum lines, signed tree note
                                  ├─ note signed by GOSUMDB's key          (signednote)
                                  ├─ tree consistent with the latest seen  (tiles, tlog)
                                  └─ record included in the tree           (tiles, tlog)
                                ─► the line for path version: equal, or SECURITY ERROR

Settings are go's: ``GOSUMDB`` is ``off``, a known name (``sum.golang.org``,
``sum.golang.google.cn``), ``name+hash+key``, or either followed by a URL; ``GONOSUMDB``
(default ``GOPRIVATE``) lists module path patterns that are not checked; ``GOINSECURE``
does not turn checking off; ``golang.org/toolchain`` is always checked (unless GOPROXY is a
single ``file://`` URL). Without a URL the database is reached through the first GOPROXY
entry that answers ``<proxy>/sumdb/<name>/supported`` (else directly, ``https://<name>``).

Go's files are used and kept in go's layout, so go and gomodx share what they have
verified: answers and tiles under ``$GOMODCACHE/cache/download/sumdb/<name>/`` (written
only once verified), and the latest signed tree under ``$GOPATH/pkg/sumdb/<name>/latest``
(replaced only by a newer tree proven consistent with it). A server that forks its log
or lies about a module is a :class:`SumDBSecurityError` with go's wording.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import fsio
from analysis.errors import (
    GomodxError,
    ModuleNotFound,
    NoteError,
    ProxyError,
    SumDBError,
    SumDBSecurityError,
    TlogError,
)
from analysis.fetch import HttpGetter
from analysis.goenv import GoEnv
from analysis.goproxy import (
    FetchEvent,
    NetLimits,
    NetrcLine,
    ProxySpec,
    RetryPolicy,
    parse_goproxy,
    redact_url,
)
from analysis.memo import Memo
from analysis.modpath import escape_path, escape_version, match_prefix_patterns
from analysis.signednote import Verifier, open_note
from analysis.tlog import (
    EMPTY_HASH,
    Tile,
    Tree,
    parse_record,
    parse_tree,
    read_hashes,
    record_hash,
    stored_hash_index,
    subtree_index,
    tile_path,
    tiles_for,
    tree_hash,
    tree_proof,
    tree_proof_index,
)

if TYPE_CHECKING:
    from analysis.lean import Transport

__all__ = [
    "KNOWN_GOSUMDB",
    "SumCheck",
    "SumDBClient",
    "SumDBConfig",
    "SumDBError",
    "SumDBSecurityError",
    "check_lines",
    "parse_gosumdb",
    "use_sumdb",
]

KNOWN_GOSUMDB = {
    "sum.golang.org": "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
}

TILE_HEIGHT = 8

SUMDB_MISMATCH = """

SECURITY ERROR
This download does NOT match the one reported by the checksum server.
The bits may have been replaced on the origin server, or an attacker may
have intercepted the download attempt.

For more information, see 'go help module-auth'.
"""

SUMDB_ABSENT = """

SECURITY ERROR
This download is NOT in the checksum database.
The go command will not verify the download, and the checksum server may
be missing information about it.

For more information, see 'go help module-auth'.
"""

_LIMIT = 1 << 20


@dataclass(frozen=True)
class SumDBConfig:
    """A parsed GOSUMDB: the verifier key, the database's name, and its URL if given."""

    key: str
    verifier: Verifier
    url: str = ""

    @property
    def name(self) -> str:
        return self.verifier.name


def parse_gosumdb(value: str) -> SumDBConfig | None:
    """Go's ``dbDial``: ``None`` for ``off``; :class:`SumDBError` with go's words for a
    setting go refuses."""
    if value == "sum.golang.google.cn":
        value = "sum.golang.org https://sum.golang.google.cn"
    if value == "off":
        return None
    fields = value.split()
    if fields and fields[0] in KNOWN_GOSUMDB:
        fields[0] = KNOWN_GOSUMDB[fields[0]]
    if not fields:
        raise SumDBError("missing GOSUMDB")
    if len(fields) > 2:
        raise SumDBError("invalid GOSUMDB: too many fields")
    try:
        verifier = Verifier.parse(fields[0])
    except NoteError as exc:
        raise SumDBError(f"invalid GOSUMDB: {exc}") from None
    name = verifier.name
    host = name.split("/", 1)[0]
    if not host or name.endswith("/") or any(c in name for c in "?#%@\\ ") or ":" in host:
        raise SumDBError(f"invalid sumdb name (must be host[/path]): {name}")
    url = fields[1] if len(fields) == 2 else ""
    return SumDBConfig(fields[0], verifier, url)


def use_sumdb(env: GoEnv, path: str) -> bool:
    """Go's ``useSumDB``: whether ``path``'s downloads are checked against the database."""
    if path == "golang.org/toolchain":
        proxy = env.goproxy
        if not (proxy.startswith("file://") and not any(c in proxy for c in ",|")):
            return True
    return env.gosumdb != "off" and not match_prefix_patterns(env.gonosumdb, path)


def _indent(b: bytes) -> str:
    return b.decode("utf-8", "replace").replace("\n", "\n\t")


class SumDBClient:
    """Lookups in the database ``env.gosumdb`` names, verified, with go's caches.

    ``cache_dir`` defaults to ``$GOMODCACHE/cache/download/sumdb`` and ``config_dir`` to
    ``$GOPATH/pkg/sumdb`` (``None`` when unset: nothing is kept). Requests go through
    :class:`~analysis.fetch.HttpGetter` (``transport`` replaces the network).
    """

    def __init__(
        self,
        env: GoEnv,
        *,
        http: HttpGetter | None = None,
        transport: Transport | None = None,
        emit: Callable[[FetchEvent], None] | None = None,
        limits: NetLimits | None = None,
        retry: RetryPolicy | None = None,
        netrc: list[NetrcLine] | None = None,
        cache_dir: Path | None = None,
        config_dir: Path | None = None,
        defer_errors: bool = False,
    ) -> None:
        self.env = env
        self.config_error: SumDBError | None = None
        """With ``defer_errors``: why GOSUMDB is refused, said by every :meth:`lookup`
        (go dials the database on its first lookup, and each lookup reports the failure:
        ``go mod download`` says it once per module)."""
        try:
            self.config = parse_gosumdb(env.gosumdb)
        except SumDBError as exc:
            if not defer_errors:
                raise
            self.config, self.config_error = None, exc
        if cache_dir is None and env.gomodcache and os.path.isabs(env.gomodcache):
            cache_dir = Path(env.gomodcache) / "cache" / "download" / "sumdb"
        if config_dir is None and env.gopath:
            first = env.gopath.split(os.pathsep)[0]
            if first and os.path.isabs(first):
                config_dir = Path(first) / "pkg" / "sumdb"
        self.cache_dir = cache_dir
        self.config_dir = config_dir
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
        self._base: str | None = None
        self._latest = Tree(0, EMPTY_HASH)
        self._latest_msg = b""
        self._started = False
        self._records: Memo = Memo()
        self._tiles: dict[Tile, bytes] = {}
        self._saved: set[Tile] = set()

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    @property
    def name(self) -> str:
        return self.config.name if self.config is not None else ""

    # -- files --------------------------------------------------------------------------

    def _read_cache(self, file: str) -> bytes | None:
        if self.cache_dir is None:
            return None
        try:
            data = (self.cache_dir / file).read_bytes()
        except OSError:
            return None
        return data or None

    def _write_cache(self, file: str, data: bytes) -> None:
        if self.cache_dir is None:
            return
        target = self.cache_dir / file
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fsio.write_atomic(target, data, durable=False)
        except (OSError, GomodxError):
            pass  # like go's WriteCache: a cache we cannot fill is not an error

    def _read_latest(self) -> bytes:
        if self.config_dir is None:
            return b""
        try:
            return (self.config_dir / self.name / "latest").read_bytes()
        except OSError:
            return b""

    def _write_latest(self, data: bytes) -> None:
        if self.config_dir is None:
            return
        target = self.config_dir / self.name / "latest"
        target.parent.mkdir(parents=True, exist_ok=True)
        fsio.write_atomic(target, data)

    # -- remote -------------------------------------------------------------------------

    async def _init_base(self) -> str:
        if self._base is not None:
            return self._base
        # go's sync.Once: concurrent first lookups share one search of GOPROXY
        base: str = await self._records.get(("base",), self._find_base)
        return base

    async def _find_base(self) -> str:
        assert self.config is not None
        if self.config.url:
            self._base = self.config.url.rstrip("/")
            return self._base
        direct = f"https://{self.name}"
        base = direct
        try:
            specs = parse_goproxy(self.env.goproxy, self.env.gonoproxy)
        except ProxyError as exc:
            raise SumDBError(str(exc)) from None
        for spec in specs:
            if not spec.is_url:
                break  # direct, off, noproxy: connect directly
            root = spec.url.rstrip("/")
            url = f"{root}/sumdb/{self.name}/supported"
            try:
                await self._http.get(
                    spec, url, kind="sumdb", path=self.name, version="", limit=_LIMIT
                )
            except ModuleNotFound:
                continue
            except ProxyError:
                if spec.fall_back_on_error:
                    continue
                raise
            base = f"{root}/sumdb/{self.name}"
            break
        self._base = base
        return base

    async def _read_remote(self, path: str) -> bytes:
        base = await self._init_base()
        scheme = base.split(":", 1)[0].lower() if ":" in base else ""
        if scheme not in ("http", "https"):
            # go's web.Get: only http(s) (and file, which gomodx does not serve) are asked
            raise SumDBError(f"unsupported scheme: {redact_url(base + path)}")
        return await self._http.get(
            ProxySpec(base), base + path, kind="sumdb", path=self.name, version="", limit=_LIMIT
        )

    # -- the latest tree ----------------------------------------------------------------

    async def _start(self) -> None:
        if self._started:
            return
        self._started = True
        await self._merge_latest(self._read_latest())

    async def _merge_latest(self, msg: bytes) -> None:
        if await self._merge_latest_mem(msg) != "future":
            return
        # Newer than what we started from: keep it for go and for the next run, unless
        # the file meanwhile holds a newer tree still (then that one is checked too).
        stored = self._read_latest()
        when = await self._merge_latest_mem(stored)
        if when == "past":
            self._write_latest(self._latest_msg)

    async def _merge_latest_mem(self, msg: bytes) -> str:
        assert self.config is not None
        if not msg:
            return "now" if self._latest.n == 0 else "past"
        try:
            text = open_note(msg, self.config.verifier)
        except NoteError as exc:
            raise SumDBError(f"reading tree note: {exc}\nnote:\n{_text(msg)}") from None
        try:
            tree = parse_tree(text)
        except TlogError as exc:
            raise SumDBError(f"reading tree: {exc}\ntree:\n{_text(text)}") from None
        latest, latest_msg = self._latest, self._latest_msg
        if tree.n <= latest.n:
            await self._check_trees(tree, msg, latest, latest_msg)
            return "past" if tree.n < latest.n else "now"
        await self._check_trees(latest, latest_msg, tree, msg)
        if self._latest == latest:
            self._latest, self._latest_msg = tree, msg
            return "future"
        return await self._merge_latest_mem(msg)  # another lookup moved it meanwhile

    async def _hashes(self, tree: Tree, indexes: list[int]) -> list[bytes]:
        """Stored hashes of ``tree``, read through verified tiles."""
        import anyio

        needed = tiles_for(tree, TILE_HEIGHT, indexes)
        errors: list[BaseException] = []

        async def one(tile: Tile) -> None:
            try:
                await self._read_tile(tile)
            except (GomodxError, TlogError) as exc:
                errors.append(exc)

        async with anyio.create_task_group() as group:
            for tile in needed:
                if tile not in self._tiles:
                    group.start_soon(one, tile)
        if errors:
            raise errors[0]
        return read_hashes(
            tree,
            TILE_HEIGHT,
            indexes,
            lambda tiles: [self._tiles[t] for t in tiles],
            self._save_tiles,
        )

    async def _read_tile(self, tile: Tile) -> None:
        full = tile._replace(w=1 << tile.h)
        cut = tile.w * 32
        data = self._read_cache(f"{self.name}/{tile_path(tile)}")
        if data is not None:
            self._saved.add(tile)
        elif tile != full and (whole := self._read_cache(f"{self.name}/{tile_path(full)}")):
            self._saved.add(tile)
            data = whole[:cut]
        else:
            try:
                data = await self._read_remote("/" + tile_path(tile))
            except ModuleNotFound:
                if tile == full:
                    raise
                data = (await self._read_remote("/" + tile_path(full)))[:cut]
        self._tiles[tile] = data

    def _save_tiles(self, tiles: list[Tile], data: list[bytes]) -> None:
        for tile, d in zip(tiles, data, strict=True):
            if tile not in self._saved:
                self._saved.add(tile)
                self._write_cache(f"{self.name}/{tile_path(tile)}", d)

    async def _check_trees(
        self, older: Tree, older_note: bytes, newer: Tree, newer_note: bytes
    ) -> None:
        try:
            h = EMPTY_HASH
            if older.n:
                hashes = await self._hashes(newer, subtree_index(0, older.n))
                h = tree_hash(older.n, lambda _: hashes)
        except (TlogError, GomodxError) as exc:
            if older.n == newer.n:
                raise SumDBError(f"checking tree#{older.n}: {exc}") from None
            raise SumDBError(f"checking tree#{older.n} against tree#{newer.n}: {exc}") from None
        if h == older.hash:
            return
        text = (
            "SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n"
            f"old database:\n\t{_indent(older_note)}\n"
            f"new database:\n\t{_indent(newer_note)}\n"
            f"proof of misbehavior:\n\t{base64.b64encode(h).decode()}"
        )
        try:
            indexes = tree_proof_index(newer.n, older.n)
            hashes = await self._hashes(newer, indexes) if indexes else []
            for p in tree_proof(newer.n, older.n, hashes):
                text += f"\n\t{base64.b64encode(p).decode()}"
        except (TlogError, GomodxError) as exc:
            text += f"\tinternal error: {exc}\n"
        raise SumDBSecurityError(text)

    async def _check_record(self, ident: int, text: bytes) -> None:
        latest = self._latest
        if ident >= latest.n:
            raise SumDBError(f"cannot validate record {ident} in tree of size {latest.n}")
        try:
            (h,) = await self._hashes(latest, [stored_hash_index(0, ident)])
        except TlogError as exc:
            raise SumDBError(str(exc)) from None
        if h != record_hash(text):
            raise SumDBError("cannot authenticate record data in server response")

    async def fetch_latest(self) -> Tree:
        """The database's latest tree, read from the server now (never from a cache) and
        verified: signed by GOSUMDB's key and consistent with the latest tree seen before
        (go's ``$GOPATH/pkg/sumdb``). Raises :class:`SumDBError` when the database cannot
        be read and :class:`SumDBSecurityError` when it forked its log."""
        if self.config is None:
            raise SumDBError("checksum database disabled by GOSUMDB=off")
        await self._start()
        try:
            msg = await self._read_remote("/latest")
        except SumDBError:
            raise
        except GomodxError as exc:
            raise SumDBError(f"{self.name}/latest: {exc}") from None
        await self._merge_latest(msg)
        return self._latest

    # -- lookups ------------------------------------------------------------------------

    async def lookup(self, path: str, version: str) -> list[str]:
        """The database's go.sum lines for ``path version`` (``version`` may end in
        ``/go.mod``). Raises :class:`SumDBError` (``path@version: reason``) or
        :class:`SumDBSecurityError`."""
        if self.config_error is not None:
            raise SumDBError(str(self.config_error))
        if self.config is None:
            raise SumDBError("checksum database disabled by GOSUMDB=off")
        if match_prefix_patterns(self.env.gonosumdb, path):
            raise SumDBError("skipped (listed in GONOSUMDB)")
        try:
            text = await self._lookup_record(path, version.removesuffix("/go.mod"))
        except SumDBSecurityError:
            raise
        except (GomodxError, TlogError) as exc:
            # the fetch layer names the database as a module ("module sumdb.test: ..."); go
            # names the lookup alone
            reason = str(exc).removeprefix(f"module {self.name}: ")
            raise SumDBError(f"{path}@{version}: {reason}") from None
        prefix = f"{path} {version} "
        return [line for line in text.decode().split("\n") if line.startswith(prefix)]

    async def _lookup_record(self, path: str, version: str) -> bytes:
        await self._start()
        remote = f"/lookup/{escape_path(path)}@{escape_version(version)}"
        file = self.name + remote

        async def fetch() -> bytes:
            write = False
            data = self._read_cache(file)
            if data is None:
                data = await self._read_remote(remote)
                write = True
            ident, text, note = parse_record(data)
            await self._merge_latest(note)
            await self._check_record(ident, text)
            if write:
                self._write_cache(file, data)
            return text

        result: bytes = await self._records.get(file, fetch)
        return result

    async def check(self, path: str, version: str, h: str) -> None:
        """Go's ``checkSumDB``: ``h`` (an ``h1:`` hash of the zip, or of the go.mod when
        ``version`` ends in ``/go.mod``) must be the database's. Raises go's errors."""
        bare = version.removesuffix("/go.mod")
        noun = "go.mod" if version.endswith("/go.mod") else "module"
        where = f"{path}@{bare}"
        try:
            lines = await self.lookup(path, version)
        except SumDBSecurityError:
            raise  # a misbehaving server: go stops with the message alone
        except SumDBError as exc:
            raise SumDBError(f"{where}: verifying {noun}: {exc}") from None
        have = f"{path} {version} {h}"
        prefix = f"{path} {version} h1:"
        for line in lines:
            if line == have:
                return
            if line.startswith(prefix):
                raise SumDBSecurityError(
                    f"{where}: verifying {noun}: checksum mismatch\n\tdownloaded: {h}\n"
                    f"\t{self.name}: {line[len(prefix) - 3 :]}{SUMDB_MISMATCH}"
                )
        raise SumDBSecurityError(
            f"{where}: verifying {noun}: checksum missing from sumdb response{SUMDB_ABSENT}"
        )


def _text(b: bytes) -> str:
    return b.decode("utf-8", "replace")


@dataclass(frozen=True)
class SumCheck:
    """What the checksum database says of one go.sum line a plan would add.

    ``verdict`` is ``verified`` (``by`` the database), ``skipped`` (``by`` ``GONOSUMDB``
    or ``GOSUMDB=off``: go would not ask either), ``mismatch`` (go's SECURITY ERROR in
    ``error``: go would refuse) or ``error`` (the database could not say).
    """

    line: str
    verdict: str
    by: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict in ("verified", "skipped")

    @property
    def words(self) -> str:
        """What a front end says: ``verified by go.sum``, ``verified by sum.golang.org``,
        ``not verified (GONOSUMDB)``, ``not verified (GOSUMDB=off)``, ``checksum mismatch
        (sum.golang.org): SECURITY ERROR`` or ``not verified: <why>``.

        >>> SumCheck("m v1.0.0/go.mod h1:x", "skipped", "GONOSUMDB").words
        'not verified (GONOSUMDB)'
        """
        if self.verdict == "verified":
            return f"verified by {self.by}"
        if self.verdict == "skipped":
            return f"not verified ({self.by})"
        if self.verdict == "mismatch":
            return f"checksum mismatch ({self.by}): SECURITY ERROR"
        first = self.error.splitlines()[0] if self.error else "unknown"
        return f"not verified: {first}"


async def check_lines(
    client: SumDBClient | None, env: GoEnv, lines: Sequence[str], *, unavailable: str = ""
) -> list[SumCheck]:
    """Check go.sum ``lines`` (``path version h1:…``, ``path version/go.mod h1:…``) as go
    checks what it adds to go.sum; ``client`` is ``None`` when GOSUMDB is off, or when
    the database may not be asked (then ``unavailable`` says why: an ``error``)."""
    out: list[SumCheck] = []
    for line in lines:
        fields = line.split()
        if len(fields) != 3:
            out.append(SumCheck(line, "error", error="malformed go.sum line"))
            continue
        path, version, h = fields
        if use_sumdb(env, path) and unavailable:
            out.append(SumCheck(line, "error", error=unavailable))
            continue
        if not use_sumdb(env, path) or client is None:
            why = "GOSUMDB=off" if env.gosumdb.strip() == "off" else "GONOSUMDB"
            out.append(SumCheck(line, "skipped", why))
            continue
        try:
            await client.check(path, version, h)
        except SumDBSecurityError as exc:
            out.append(SumCheck(line, "mismatch", client.name, str(exc)))
        except GomodxError as exc:
            out.append(SumCheck(line, "error", client.name, str(exc)))
        else:
            out.append(SumCheck(line, "verified", client.name))
    return out
