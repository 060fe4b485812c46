"""``gomodx doctor``: why module downloads fail, and what to change.

The go command reports one error line; the doctor assembles the picture from Go's settings,
a few cheap requests and the files on disk::

    probe (concurrently, each request with its own timeout)
      GOPROXY entries ── @v/list of a sample of go.mod's modules (and .mod with --deep: zips)
      GOSUMDB ───────── /latest (signed, consistent) and lookups of go.sum's modules
      disk ──────────── $GOMODCACHE: .ziphash, zips and extracted trees against go.sum
                        (go mod verify), .partial leftovers, held locks, free space
    judge ─► Check(id, status, summary, detail, fix) for each of
      goproxy (one per entry) · private-on-public-proxy · netrc · gosumdb · module-cache
      checksum-mismatch · goflags · toolchain

Each check is ``ok``, ``warn`` or ``fail``; ``fix`` is a command the user can paste (or
``""``). Nothing here prints a secret: URLs are redacted and .netrc passwords never leave
:func:`analysis.goproxy.read_netrc`'s lines.

>>> Check("toolchain", "ok", "go 1.22 runs on go 1.27.3").to_json()["Status"]
'ok'
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import ssl
import stat
import subprocess
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import semver
from analysis.errors import GomodxError, SumDBSecurityError
from analysis.fetch import unreachable_reason
from analysis.goenv import GoEnv, flag_value
from analysis.goproxy import NetLimits, NetrcLine, ProxySpec, parse_goproxy, read_netrc
from analysis.hashes import GoSum, gomod_hash, hash_dir, zip_hash
from analysis.modpath import escape_path, escape_version, match_prefix_patterns
from analysis.toolchain import Toolchain

if TYPE_CHECKING:
    import httpx

    from analysis.modfile import ModFile
    from analysis.sumdb import SumDBClient

__all__ = [
    "CHECK_IDS",
    "Check",
    "DoctorInputs",
    "DoctorOptions",
    "DoctorReport",
    "run_doctor",
    "sumdb_limits",
    "vendor_errors",
]

CHECK_IDS = (
    "goproxy",
    "private-on-public-proxy",
    "netrc",
    "gosumdb",
    "module-cache",
    "checksum-mismatch",
    "goflags",
    "toolchain",
)
STATUSES = ("ok", "warn", "fail")

# Hosts where a module path's second element is an owner: the pattern to suggest for a
# private module there is host/owner, not the whole host.
_FORGES = ("github.com", "gitlab.com", "bitbucket.org", "dev.azure.com", "codeberg.org")


@dataclass(frozen=True)
class Check:
    """One finding: ``status`` is ``ok``, ``warn`` or ``fail``; ``detail`` the evidence
    (one line each); ``fix`` a paste-able command, or ``""``."""

    id: str
    status: str
    summary: str
    detail: tuple[str, ...] = ()
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "ID": self.id,
            "Status": self.status,
            "Summary": self.summary,
            "Detail": list(self.detail),
            "Fix": self.fix,
        }


@dataclass(frozen=True)
class DoctorReport:
    checks: tuple[Check, ...]
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return any(c.status == "fail" for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"Checks": [c.to_json() for c in self.checks]}

    def by_id(self, ident: str) -> list[Check]:
        return [c for c in self.checks if c.id == ident]


@dataclass(frozen=True)
class DoctorOptions:
    """How hard the doctor probes: ``timeout`` bounds every request (connect included),
    ``sample`` the modules asked of each proxy, ``deep`` adds zip downloads."""

    timeout: float = 3.0
    sample: int = 16
    sumdb_sample: int = 8
    concurrency: int = 8
    slow: float = 1.0
    """A proxy whose p95 latency is at least this many seconds is slow (``warn``)."""
    deep: bool = False


@dataclass(frozen=True)
class DoctorInputs:
    """What the doctor looks at: DIR, Go's settings (with GOFLAGS' ``-mod`` in
    ``mod_flag``), go.sum, DIR's go.mod (``None`` when absent) and the environment
    (for GOFLAGS and GOINSECURE as the user set them)."""

    directory: Path
    env: GoEnv
    gosum: GoSum
    modfile: ModFile | None
    mod_flag: str = ""
    environ: Mapping[str, str] = field(default_factory=dict)


# -- probing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One cheap request to one proxy entry: ``kind`` is ``ok``, ``not_found``, ``auth``,
    ``throttled``, ``server`` (5xx), ``client`` (other 4xx), ``unreachable``, ``tls``,
    ``timeout``, ``config`` (go would not send it) or ``skipped`` (the host is down)."""

    entry: int
    path: str
    kind: str
    status: int | None = None
    latency: float = 0.0
    error: str = ""
    retry_after: str | None = None

    @property
    def answered(self) -> bool:
        return self.kind in ("ok", "not_found")


_FATAL_KINDS = ("unreachable", "tls", "timeout")


def _tls_error(exc: BaseException) -> ssl.SSLError | None:
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, ssl.SSLError):
            return e
        e = e.__cause__ or e.__context__
    return None


def _auth_header(url: str, netrc: Sequence[NetrcLine]) -> tuple[str, dict[str, str], str]:
    """The URL to GET, the Authorization go would send, and why go would not send it."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None:
        if parts.scheme != "https":
            return url, {}, "refusing to pass credentials to insecure URL"
        host = parts.netloc.rpartition("@")[2]
        clean = urllib.parse.urlunsplit(parts._replace(netloc=host))
        token = (
            f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        )
        return clean, {"Authorization": "Basic " + base64.b64encode(token.encode()).decode()}, ""
    if parts.scheme == "https":
        for line in netrc:
            if line.machine == parts.netloc:
                token = f"{line.login}:{line.password}"
                auth = "Basic " + base64.b64encode(token.encode()).decode()
                return url, {"Authorization": auth}, ""
    return url, {}, ""


class _Prober:
    """GETs with one timeout each, at most ``concurrency`` at once, no retries: the doctor
    wants to see what a single request meets."""

    def __init__(
        self, http: httpx.AsyncClient, netrc: Sequence[NetrcLine], options: DoctorOptions
    ) -> None:
        self.http = http
        self.netrc = netrc
        self.options = options
        self.limiter = asyncio.Semaphore(options.concurrency)

    async def get(self, url: str) -> tuple[int | None, bytes, float, str, str, str | None]:
        """``(status, body, seconds, kind, error, retry_after)`` for one GET."""
        import httpx

        if url.startswith("file:"):
            local = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
            try:
                return 200, local.read_bytes(), 0.0, "ok", "", None
            except FileNotFoundError:
                return 404, b"", 0.0, "not_found", "", None
            except OSError as exc:
                return None, b"", 0.0, "client", str(exc), None
        target, headers, refused = _auth_header(url, self.netrc)
        if refused:
            return None, b"", 0.0, "config", refused, None
        async with self.limiter:
            start = time.monotonic()
            try:
                async with asyncio.timeout(self.options.timeout):
                    resp = await self.http.get(target, headers=headers)
            except TimeoutError:
                took = time.monotonic() - start
                return None, b"", took, "timeout", f"no answer within {took:.1f}s", None
            except httpx.HTTPError as exc:
                took = time.monotonic() - start
                host = urllib.parse.urlsplit(target).netloc
                why = unreachable_reason(exc, host) if isinstance(exc, httpx.ConnectError) else None
                if _tls_error(exc) is not None:
                    return None, b"", took, "tls", why or f"tls: {exc}", None
                if isinstance(exc, httpx.TimeoutException):
                    return None, b"", took, "timeout", f"timeout ({type(exc).__name__})", None
                if isinstance(exc, httpx.ConnectError):
                    return None, b"", took, "unreachable", why or str(exc), None
                return None, b"", took, "server", f"{type(exc).__name__}: {exc}", None
            took = time.monotonic() - start
        status = resp.status_code
        body = resp.content
        kind = _status_kind(status)
        error = "" if kind in ("ok", "not_found") else f"{status} {resp.reason_phrase}"
        return status, body, took, kind, error, resp.headers.get("Retry-After")


def _status_kind(status: int) -> str:
    if status == 200:
        return "ok"
    if status in (404, 410):
        return "not_found"
    if status in (401, 403):
        return "auth"
    if status == 429:
        return "throttled"
    if status >= 500:
        return "server"
    return "client"


async def _probe_entry(
    prober: _Prober, index: int, spec: ProxySpec, paths: Sequence[str]
) -> list[Probe]:
    """``@v/list`` of each path from one entry; a first request that cannot reach the
    host at all spares the others."""
    root = spec.url.rstrip("/")

    async def one(path: str) -> Probe:
        status, _, took, kind, error, retry = await prober.get(
            f"{root}/{escape_path(path)}/@v/list"
        )
        return Probe(index, path, kind, status, took, error, retry)

    if not paths:
        return []
    first = await one(paths[0])
    if first.kind in (*_FATAL_KINDS, "config"):
        return [first] + [
            Probe(index, p, "skipped", error=f"not tried: {first.error}") for p in paths[1:]
        ]
    rest = await asyncio.gather(*(one(p) for p in paths[1:]))
    return [first, *rest]


# -- the run -------------------------------------------------------------------------------


@dataclass
class _Facts:
    """Everything probed, shared by the judges."""

    inputs: DoctorInputs
    options: DoctorOptions
    specs: tuple[ProxySpec, ...] = ()
    goproxy_error: str = ""
    sample: tuple[str, ...] = ()
    probed: tuple[str, ...] = ()
    """The paths asked of the proxies (the sample minus GONOPROXY, or a stand-in)."""
    probes: dict[int, list[Probe]] = field(default_factory=dict)
    netrc: list[NetrcLine] = field(default_factory=list)
    sumdb_name: str = ""
    sumdb_error: str = ""
    sumdb_security: str = ""
    sumdb_tree: int | None = None
    sumdb_lines: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    sumdb_not_found: list[str] = field(default_factory=list)
    sumdb_lookup_errors: list[str] = field(default_factory=list)
    proxy_hashes: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    cache: _CacheFacts | None = None
    git_helper: str | None = None


async def run_doctor(
    inputs: DoctorInputs,
    *,
    http: httpx.AsyncClient,
    sumdb: Callable[[], SumDBClient | None] | None = None,
    options: DoctorOptions | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> DoctorReport:
    """Probe and judge (see the module docstring). ``http`` makes every proxy request;
    ``sumdb`` builds the checksum database client (``None`` for GOSUMDB=off)."""
    options = options or DoctorOptions()
    started = time.monotonic()
    say = on_progress or (lambda text: None)
    env = inputs.env
    facts = _Facts(inputs, options, netrc=read_netrc(env))
    try:
        facts.specs = parse_goproxy(env.goproxy, env.gonoproxy)
    except GomodxError as exc:
        facts.goproxy_error = str(exc)
    facts.sample = _sample(inputs, options.sample)
    prober = _Prober(http, facts.netrc, options)

    async def proxies() -> None:
        entries = [(i, s) for i, s in enumerate(facts.specs) if s.is_url]
        to_proxy = [p for p in facts.sample if not match_prefix_patterns(env.gonoproxy, p)]
        if not to_proxy:
            # Still: is the proxy there at all? (A public path: the main module's own
            # may be private, and go would never send it.)
            to_proxy = ["golang.org/x/mod"]
        facts.probed = tuple(to_proxy)
        results = await asyncio.gather(*(_probe_entry(prober, i, s, to_proxy) for i, s in entries))
        for (i, s), probes in zip(entries, results, strict=True):
            facts.probes[i] = probes
            say(f"goproxy {s.redacted}: {len(probes)} requests")

    probed = asyncio.Event()

    async def sums() -> None:
        await _probe_sumdb(facts, sumdb, probed)
        say("gosumdb: done")

    async def proxies_then_mods() -> None:
        # The .mod files come second, from entries whose first request got an answer:
        # a dead or stalled entry costs one timeout, not one per module.
        try:
            await proxies()
        finally:
            probed.set()
        await _probe_mods(facts, prober)

    async def cache() -> None:
        facts.cache = await asyncio.to_thread(_inspect_cache, inputs)
        say("module-cache: done")

    async def git() -> None:
        if any(s.url == "direct" for s in facts.specs) or env.gonoproxy:
            facts.git_helper = await asyncio.to_thread(_git_credential_helper, inputs.environ)

    await asyncio.gather(proxies_then_mods(), sums(), cache(), git())
    checks: list[Check] = []
    checks += _judge_goproxy(facts)
    checks.append(_judge_private(facts))
    checks.append(_judge_netrc(facts))
    checks.append(_judge_gosumdb(facts))
    checks.append(_judge_cache(facts))
    checks.append(_judge_mismatch(facts))
    checks.append(_judge_goflags(facts))
    checks.append(_judge_toolchain(facts))
    return DoctorReport(tuple(checks), time.monotonic() - started)


def _requires(inputs: DoctorInputs) -> list[tuple[str, str, bool]]:
    f = inputs.modfile
    if f is None:
        return []
    return [(r.mod.path, r.mod.version, r.indirect) for r in f.require]


def _sample(inputs: DoctorInputs, limit: int) -> tuple[str, ...]:
    """The modules to ask about: go.mod's direct requirements first, then indirect ones."""
    reqs = _requires(inputs)
    paths: list[str] = []
    for path, _, _indirect in sorted(reqs, key=lambda r: r[2]):
        if path not in paths:
            paths.append(path)
    return tuple(paths[:limit])


def sumdb_limits(options: DoctorOptions) -> NetLimits:
    """The limits of the doctor's checksum database client: every request within
    ``options.timeout``."""
    t = options.timeout
    return NetLimits(connect=t, read=t, request=t, zip_request=t, slow_window=t, down_for=60.0)


async def _probe_sumdb(
    facts: _Facts, factory: Callable[[], SumDBClient | None] | None, probed: asyncio.Event
) -> None:
    """The signed tree now, then lookups of go.sum's modules once the proxies have said
    which look private: those are never sent to the database by the doctor (go itself
    does not look up what go.sum already has)."""
    env = facts.inputs.env
    if env.gosumdb.strip() == "off" or factory is None:
        return
    try:
        client = factory()
    except GomodxError as exc:
        facts.sumdb_error = str(exc)
        return
    if client is None:
        return
    facts.sumdb_name = client.name
    timeout = facts.options.timeout + 0.5  # the client's own limits come first
    try:
        try:
            async with asyncio.timeout(timeout):
                tree = await client.fetch_latest()
            facts.sumdb_tree = tree.n
        except SumDBSecurityError as exc:
            facts.sumdb_security = str(exc)
            return
        except (GomodxError, TimeoutError) as exc:
            facts.sumdb_error = str(exc) or f"no answer within {timeout:.1f}s"
            return
        await probed.wait()
        nowhere, later, looks = _private_modules(facts)
        private = {*nowhere, *later, *looks}
        keys = [
            (p, v)
            for p, v, _ in _requires(facts.inputs)
            if not match_prefix_patterns(env.gonosumdb, p)
            and p not in private
            and facts.inputs.gosum.hashes(p, v + "/go.mod")
        ][: facts.options.sumdb_sample]

        async def look(path: str, version: str) -> None:
            try:
                async with asyncio.timeout(timeout):
                    facts.sumdb_lines[(path, version)] = await client.lookup(path, version)
            except SumDBSecurityError as exc:
                facts.sumdb_security = str(exc)
            except (GomodxError, TimeoutError) as exc:
                text = str(exc) or f"no answer within {timeout:.1f}s"
                if "404" in text or "410" in text or "not found" in text:
                    facts.sumdb_not_found.append(path)
                else:
                    facts.sumdb_lookup_errors.append(f"{path}@{version}: {text}")

        await asyncio.gather(*(look(p, v) for p, v in keys))
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()


async def _probe_mods(facts: _Facts, prober: _Prober) -> None:
    """The go.mod (and with ``deep`` the zip) of a sample of go.sum's modules, from the
    entry go would get them from, hashed for the checksum-mismatch check."""
    env = facts.inputs.env
    gosum = facts.inputs.gosum
    urls = [
        s
        for i, s in enumerate(facts.specs)
        if s.is_url and not _entry_down(facts.probes.get(i, []))
    ]
    if not urls:
        return
    keys = [
        (p, v)
        for p, v, _ in _requires(facts.inputs)
        if gosum.hashes(p, v + "/go.mod") and not match_prefix_patterns(env.gonoproxy, p)
    ][: facts.options.sumdb_sample]

    async def one(path: str, version: str) -> None:
        base = f"{escape_path(path)}/@v/{escape_version(version)}"
        for spec in urls:
            root = spec.url.rstrip("/")
            _status, body, _, kind, _, _ = await prober.get(f"{root}/{base}.mod")
            if kind == "not_found":
                continue
            if kind != "ok":
                if spec.fall_back_on_error:
                    continue
                return
            zh = ""
            if facts.options.deep and gosum.hashes(path, version):
                _zstatus, zbody, _, zkind, _, _ = await prober.get(f"{root}/{base}.zip")
                if zkind == "ok":
                    with contextlib.suppress(GomodxError):
                        zh = zip_hash(zbody)
            facts.proxy_hashes[(path, version)] = (gomod_hash(body), zh)
            return

    await asyncio.gather(*(one(p, v) for p, v in keys))


def _entry_down(probes: Sequence[Probe]) -> bool:
    """Whether an entry's first request found it unreachable (the rest were skipped)."""
    return bool(probes) and probes[0].kind in (*_FATAL_KINDS, "config")


def _git_credential_helper(environ: Mapping[str, str]) -> str:
    git = shutil.which("git", path=environ.get("PATH"))
    if git is None:
        return ""
    try:
        proc = subprocess.run(
            [git, "config", "--get-all", "credential.helper"],
            env=dict(environ),
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return ", ".join(line.split()[0] for line in proc.stdout.splitlines() if line.strip())


# -- the module cache ------------------------------------------------------------------------


@dataclass
class _CacheFacts:
    root: str = ""
    checked: int = 0
    modified: list[str] = field(default_factory=list)  # go mod verify's words
    paths: list[Path] = field(default_factory=list)  # what to remove for each
    ziphashes: dict[tuple[str, str], str] = field(default_factory=dict)
    gomods: dict[tuple[str, str], str] = field(default_factory=dict)
    partial: list[Path] = field(default_factory=list)
    tmp: list[Path] = field(default_factory=list)
    held_locks: list[Path] = field(default_factory=list)
    missing: int = 0
    cached_bytes: int = 0
    cached_zips: int = 0
    free: int | None = None
    readonly_error: str = ""


def _lock_held(path: Path) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _inspect_cache(inputs: DoctorInputs) -> _CacheFacts:
    """go mod verify's checks on go.sum's modules, and what go leaves behind."""
    facts = _CacheFacts()
    modcache = inputs.env.gomodcache
    if not modcache or not os.path.isabs(modcache):
        return facts
    root = Path(modcache)
    facts.root = modcache
    download = root / "cache" / "download"
    with contextlib.suppress(OSError):
        facts.free = shutil.disk_usage(root if root.exists() else root.parent).free
    keys = sorted({(p, v.removesuffix("/go.mod")) for p, v in inputs.gosum.entries})
    for path, version in keys:
        try:
            vdir = download / escape_path(path) / "@v"
            base = escape_version(version)
        except GomodxError:
            continue
        where = f"{path} {version}"
        zfile = vdir / f"{base}.zip"
        zh_file = vdir / f"{base}.ziphash"
        tree = root / f"{escape_path(path)}@{base}"
        mod = vdir / f"{base}.mod"
        want_zip = inputs.gosum.hashes(path, version)
        with contextlib.suppress(OSError):
            facts.gomods[(path, version)] = gomod_hash(mod.read_bytes())
        if (vdir / f"{base}.partial").exists():
            facts.partial.append(vdir / f"{base}.partial")
        if vdir.is_dir():
            for leftover in vdir.glob(f"{_glob_escape(base)}.zip*.tmp"):
                facts.tmp.append(leftover)
            lock = vdir / f"{base}.lock"
            if lock.exists() and _lock_held(lock):
                facts.held_locks.append(lock)
        has_zip = zfile.is_file()
        has_tree = tree.is_dir() and not (vdir / f"{base}.partial").exists()
        if want_zip and not has_zip:
            facts.missing += 1
        if has_zip:
            facts.cached_zips += 1
            with contextlib.suppress(OSError):
                facts.cached_bytes += zfile.stat().st_size
        try:
            h = zh_file.read_text().strip()
        except OSError:
            if has_zip or has_tree:
                facts.modified.append(f"{where}: missing ziphash: open {zh_file}: no such file")
                facts.paths += [zfile, tree]
            continue
        facts.checked += 1
        facts.ziphashes[(path, version)] = h  # compared with go.sum by checksum-mismatch
        if has_zip:
            try:
                hz = zip_hash(zfile)
            except GomodxError as exc:
                facts.modified.append(f"{where}: {exc}")
                facts.paths += [zfile, zh_file]
                continue
            if hz != h:
                facts.modified.append(f"{where}: zip has been modified ({zfile})")
                facts.paths += [zfile, zh_file, tree]
        if has_tree:
            try:
                hd = hash_dir(tree, f"{path}@{version}")
            except OSError as exc:
                facts.modified.append(f"{where}: {exc}")
                continue
            if hd != h:
                facts.modified.append(f"{where}: dir has been modified ({tree})")
                facts.paths += [tree, zh_file]
    return facts


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


# -- judging: goproxy ---------------------------------------------------------------------


def _chain_text(specs: Sequence[ProxySpec]) -> str:
    """GOPROXY as written, from its entries (credentials redacted)."""
    out = ""
    for s in specs:
        if s.url == "noproxy":
            continue
        out += s.redacted + ("|" if s.fall_back_on_error else ",")
    return out.rstrip(",|")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms"


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def _outcomes(facts: _Facts) -> dict[str, tuple[str, int | None]]:
    """What go does for each sampled module with the chain as written: ``("served", i)``,
    ``("error", i)`` (entry i stopped the chain), ``("direct", None)``, ``("off", None)``
    or ``("not_found", None)``."""
    return {path: (what, at) for path, (what, at, _) in _walks(facts).items()}


def _walks(facts: _Facts) -> dict[str, tuple[str, int | None, tuple[int, ...]]]:
    """:func:`_outcomes`, with the entries each module's fetch reaches on the way."""
    out: dict[str, tuple[str, int | None, tuple[int, ...]]] = {}
    env = facts.inputs.env
    for path in dict.fromkeys((*facts.sample, *facts.probed)):
        if match_prefix_patterns(env.gonoproxy, path):
            out[path] = ("direct", None, ())
            continue
        result: tuple[str, int | None] = ("not_found", None)
        reached: list[int] = []
        for i, spec in enumerate(facts.specs):
            if spec.url == "noproxy":
                continue
            if spec.url == "off":
                result = ("off", None)
                break
            if spec.url == "direct":
                result = ("direct", None)
                break
            probe = _probe_for(facts, i, path)
            if probe is None:
                continue
            reached.append(i)
            if probe.kind == "ok":
                result = ("served", i)
                break
            if probe.kind == "not_found" or spec.fall_back_on_error:
                continue
            result = ("error", i)
            break
        out[path] = (*result, tuple(reached))
    return out


def _probe_for(facts: _Facts, entry: int, path: str) -> Probe | None:
    probes = facts.probes.get(entry, [])
    for p in probes:
        if p.path == path:
            return p if p.kind != "skipped" else probes[0]
    return None


def _rest_chain(specs: Sequence[ProxySpec], drop: int) -> str:
    return _chain_text([s for i, s in enumerate(specs) if i != drop])


def _judge_goproxy(facts: _Facts) -> list[Check]:
    env = facts.inputs.env
    if facts.goproxy_error:
        return [
            Check(
                "goproxy",
                "fail",
                f"GOPROXY={env.goproxy!r} is not usable",
                (f"go: {facts.goproxy_error}",),
                "go env -w GOPROXY=https://proxy.golang.org,direct",
            )
        ]
    walks = _walks(facts)
    checks: list[Check] = []
    specs = facts.specs
    real = [i for i, s in enumerate(specs) if s.url != "noproxy"]
    for pos, i in enumerate(real):
        spec = specs[i]
        last = pos == len(real) - 1
        name = spec.redacted
        sep = "|" if spec.fall_back_on_error else ","
        if spec.url == "off":
            only = len(real) == 1
            checks.append(
                Check(
                    "goproxy",
                    "warn",
                    "off: go downloads nothing" + ("" if only else " past this entry"),
                    ("module lookups not found above fail: module lookup disabled by GOPROXY=off",),
                    "go env -w GOPROXY=https://proxy.golang.org,direct" if only else "",
                )
            )
            continue
        if spec.url == "direct":
            git = shutil.which("git", path=facts.inputs.environ.get("PATH"))
            said = ["modules not found above are fetched from their origin (version control)"]
            if git:
                said.append(f"git: {git}")
                checks.append(Check("goproxy", "ok", "direct: origin servers", tuple(said)))
            else:
                said.append("git is not on PATH: go cannot fetch from origins")
                checks.append(Check("goproxy", "warn", "direct: git missing", tuple(said)))
            continue
        probes = facts.probes.get(i, [])
        tried = [p for p in probes if p.kind != "skipped"]
        kinds = Counter(p.kind for p in tried)
        statuses = Counter(str(p.status) if p.status is not None else p.kind for p in tried)
        lat = [p.latency for p in tried if p.status is not None]
        detail: list[str] = []
        seen = ", ".join(f"{k}: {n}" for k, n in sorted(statuses.items()))
        detail.append(f"requests: {len(tried)} @v/list ({seen})")
        if lat:
            p50, p95 = _quantile(lat, 0.5), _quantile(lat, 0.95)
            detail.append(f"latency: p50 {_ms(p50)}, p95 {_ms(p95)}")
        else:
            p50 = p95 = 0.0
        if spec.url.startswith("https:") and not kinds["tls"] and lat:
            detail.append("TLS: certificate verified")
        errors = [p for p in tried if not p.answered]
        for p in errors[:3]:
            detail.append(f"{p.path}: {p.error}")
        retry_after = next((p.retry_after for p in tried if p.retry_after), None)
        if kinds["throttled"]:
            detail.append(
                f"throttled: {kinds['throttled']} × 429 Too Many Requests"
                + (f" (Retry-After: {retry_after})" if retry_after else "")
            )
        if kinds["auth"]:
            detail.append("the server demands credentials (see the netrc check)")
        stopped = sorted(p for p, (what, at, _) in walks.items() if what == "error" and at == i)
        reached = sorted(p for p, (_, _, on_way) in walks.items() if i in on_way)
        # Fell back past this entry's error and found nothing later: go fails with this
        # entry's error (TryProxies reports a proxy's error over a later 404).
        lost = sorted(
            p
            for p, (what, _, on_way) in walks.items()
            if what in ("not_found", "off") and _last_error(facts, p, on_way) == i
        )
        failing = _failing_text(spec, last, stopped, lost)
        stopped = sorted({*stopped, *lost})
        rest = _rest_chain(specs, i)
        fix = ""
        dead = tried and all(p.kind in _FATAL_KINDS or p.kind == "config" for p in tried)
        if dead:
            summary = f"{name}: cannot be reached ({tried[0].error})"
            if tried[0].kind == "tls":
                summary = f"{name}: TLS failed ({tried[0].error})"
            elif tried[0].kind == "config":
                summary = f"{name}: go sends no request to it ({tried[0].error})"
            if stopped:
                status = "fail"
                detail.append(failing)
            elif reached:
                status = "warn"
                detail.append(
                    "chain: '|' after it: go falls back to the next entry after each failure"
                    " (every request pays for the failure first)"
                )
            else:
                status = "warn"
                detail.append(
                    "chain: no module of go.mod reaches it now (earlier entries serve them);"
                    " a module they do not have would fail here"
                )
            if rest:
                fix = f"go env -w GOPROXY={rest}"
            elif tried[0].kind == "tls":
                fix = "export SSL_CERT_FILE=/path/to/ca.pem"
            else:
                fix = "go env -w GOPROXY=https://proxy.golang.org,direct"
        elif errors:
            what = ", ".join(sorted({p.error for p in errors}))
            summary = f"{name}: {len(errors)} of {len(tried)} requests failed ({what})"
            if stopped:
                status = "fail"
                detail.append(failing)
            else:
                status = "warn"
                if spec.fall_back_on_error and not last:
                    detail.append("chain: '|' after it: go falls back to the next entry")
            if kinds["throttled"] and not last and sep == ",":
                fix = f"go env -w GOPROXY={_chain_text(_with_pipe(specs, i))}"
            elif kinds["auth"]:
                fix = ""  # the netrc check says what to write
            elif rest and status == "fail":
                fix = f"go env -w GOPROXY={rest}"
        else:
            summary = f"{name}: reachable"
            status = "ok"
            if spec.url.startswith("file:"):
                summary = f"{name}: a local directory, {len(tried)} list(s) read"
                detail = [d for d in detail if not d.startswith("latency")]
            elif lat:
                summary += f", p50 {_ms(p50)}, p95 {_ms(p95)}"
            if p95 >= facts.options.slow:
                status = "warn"
                summary = f"{name}: slow (p95 {_ms(p95)})"
                detail.append(f"at least {facts.options.slow:.1f}s per request: a cold build waits")
        if status == "ok" and not last:
            detail.append(
                "chain: "
                + (
                    "'|' after it: any error falls through to the next entry"
                    if spec.fall_back_on_error
                    else "',' after it: only 404/410 fall through to the next entry"
                )
            )
        checks.append(Check("goproxy", status, summary, tuple(detail), fix))
    return checks


def _last_error(facts: _Facts, path: str, on_way: Sequence[int]) -> int | None:
    """The last entry on ``path``'s way that failed with an error (not 404/410): the one
    whose error go reports when no entry has the module (TryProxies keeps the last)."""
    errs = [i for i in on_way if (p := _probe_for(facts, i, path)) is not None and not p.answered]
    return errs[-1] if errs else None


def _failing_text(spec: ProxySpec, last: bool, halted: Sequence[str], lost: Sequence[str]) -> str:
    """Why go fails at this entry, for which modules."""
    mods = sorted({*halted, *lost})
    which = f"go fails for {len(mods)} module(s): {', '.join(mods[:5])}"
    if halted and last:
        return f"chain: the last entry: every fetch that reaches it fails; {which}"
    if halted:
        return f"chain: ',' after it falls through only on 404/410, not on this error; {which}"
    return f"chain: it falls back, but no later entry has them, so go reports this error; {which}"


def _with_pipe(specs: Sequence[ProxySpec], at: int) -> list[ProxySpec]:
    return [ProxySpec(s.url, True) if i == at else s for i, s in enumerate(specs)]


# -- judging: private modules ---------------------------------------------------------------


def _pattern(path: str) -> str:
    """The GOPRIVATE pattern to suggest for ``path``: its host, or host/owner on a forge."""
    parts = path.split("/")
    if parts[0] in _FORGES and len(parts) >= 2:
        return "/".join(parts[:2])
    return parts[0]


def _add_pattern(current: str, patterns: Sequence[str]) -> str:
    have = [p for p in current.split(",") if p.strip()]
    for p in patterns:
        if p not in have:
            have.append(p)
    return ",".join(have)


def _private_modules(facts: _Facts) -> tuple[list[str], list[str], list[str]]:
    """Modules go sends to a proxy that (leaked, served later, look private): paths that
    no entry serves, paths only a later entry serves, and paths sharing a private host."""
    env = facts.inputs.env
    outcomes = _outcomes(facts)
    nowhere: list[str] = []
    later: list[str] = []
    for path, (what, at) in outcomes.items():
        if path not in facts.sample or match_prefix_patterns(env.gonoproxy, path):
            continue
        asked = [_probe_for(facts, i, path) for i, s in enumerate(facts.specs) if s.is_url]
        answers = [p for p in asked if p is not None]
        if not answers:
            continue
        first_url = next(i for i, s in enumerate(facts.specs) if s.is_url)
        if what in ("served", "error") and at is not None and at != first_url:
            before = [_probe_for(facts, j, path) for j in range(first_url, at)]
            if all(p is not None and p.kind == "not_found" for p in before if p is not None):
                later.append(path)
        elif what in ("not_found", "direct", "off") and all(p.kind == "not_found" for p in answers):
            nowhere.append(path)
    private_hosts = {
        _pattern(p)
        for p, _, _ in _requires(facts.inputs)
        if match_prefix_patterns(env.goprivate or env.gonoproxy, p)
    }
    looks = sorted(
        p
        for p, _, _ in _requires(facts.inputs)
        if _pattern(p) in private_hosts
        and not match_prefix_patterns(env.gonoproxy, p)
        and p not in nowhere
        and p not in later
    )
    return sorted(nowhere), sorted(later), looks


def _judge_private(facts: _Facts) -> Check:
    env = facts.inputs.env
    ident = "private-on-public-proxy"
    if not facts.specs or not any(s.is_url for s in facts.specs):
        return Check(ident, "ok", "no GOPROXY entry is a proxy: no module path is sent to one")
    nowhere, later, looks = _private_modules(facts)
    detail: list[str] = []
    covered = [p for p, _, _ in _requires(facts.inputs) if match_prefix_patterns(env.gonoproxy, p)]
    if env.goprivate or env.gonoproxy:
        detail.append(
            f"GOPRIVATE={env.goprivate!r} GONOPROXY={env.gonoproxy!r}:"
            f" {len(covered)} module(s) of go.mod bypass the proxies"
        )
    first = next(s for s in facts.specs if s.is_url)
    for p in nowhere:
        detail.append(f"{p}: 404/410 from every proxy: its path was sent to {first.redacted}")
    outcomes = _outcomes(facts)
    homes: list[ProxySpec] = []  # the entries that have the later-served modules
    for p in later:
        at = outcomes[p][1]
        home = facts.specs[at] if at is not None else first
        if home not in homes:
            homes.append(home)
        detail.append(f"{p}: only {home.redacted} has it, after {first.redacted} answered 404/410")
    for p in looks:
        detail.append(f"{p}: same host as modules in GOPRIVATE, but not covered")
    patterns = sorted({_pattern(p) for p in nowhere + later + looks})
    if nowhere:
        fix = f"go env -w GOPRIVATE={_add_pattern(env.goprivate, patterns)}"
        has_direct = any(s.url == "direct" for s in facts.specs)
        why = "" if has_direct else " (and no 'direct' entry: no proxy serves them)"
        return Check(
            ident,
            "fail",
            f"{len(nowhere)} module(s) no proxy serves are sent to public proxies{why}",
            tuple(detail),
            fix,
        )
    if later or looks:
        if later:
            chain = homes + [s for s in facts.specs if s not in homes]
            fix = (
                f"go env -w GOPROXY={_chain_text(chain)}"
                f" GONOSUMDB={_add_pattern(env.gonosumdb, patterns)}"
            )
        else:
            fix = f"go env -w GOPRIVATE={_add_pattern(env.goprivate, patterns)}"
        n = len(later) + len(looks)
        return Check(
            ident,
            "warn",
            f"{n} private-looking module path(s) reach a public proxy first",
            tuple(detail),
            fix,
        )
    summary = f"{len(facts.sample)} module(s) checked: none is sent where it is not served"
    return Check(ident, "ok", summary, tuple(detail))


# -- judging: credentials ------------------------------------------------------------------


def _judge_netrc(facts: _Facts) -> Check:
    env = facts.inputs.env
    ident = "netrc"
    detail: list[str] = []
    path = env.netrc or "~/.netrc"
    modes = [w.strip() for w in env.goauth.split(";") if w.strip()]
    netrc_used = not ("off" in modes or (env.goauth and "netrc" not in modes))
    if not netrc_used:
        detail.append(f"GOAUTH={env.goauth!r}: go does not read .netrc")
    machines = sorted({f"{line.machine} (login {line.login})" for line in facts.netrc})
    exists = bool(env.netrc) and os.path.isfile(env.netrc)
    if exists:
        detail.append(f"{path}: {len(machines)} machine(s): {', '.join(machines) or 'none'}")
        with contextlib.suppress(OSError):
            mode = os.stat(env.netrc).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                detail.append(f"{path} is readable by others (mode {stat.S_IMODE(mode):o})")
    else:
        detail.append(f"{path}: no such file")
    if facts.git_helper is not None:
        detail.append(f"git credential.helper: {facts.git_helper or 'none'}")
    problems: list[str] = []
    fixes: list[str] = []
    for i, spec in enumerate(facts.specs):
        if not spec.is_url:
            continue
        demanded = [p for p in facts.probes.get(i, []) if p.kind == "auth"]
        refused = [p for p in facts.probes.get(i, []) if p.kind == "config"]
        parts = urllib.parse.urlsplit(spec.url)
        host = parts.netloc.rpartition("@")[2]
        if refused:
            problems.append(f"{spec.redacted}: {refused[0].error}")
            fixes.append(f"go env -w GOPROXY={spec.redacted.replace('http://', 'https://', 1)}")
            continue
        if not demanded:
            continue
        status = demanded[0].status
        has_url_creds = parts.username is not None
        line = next((n for n in facts.netrc if n.machine == host), None) if netrc_used else None
        if parts.scheme != "https":
            problems.append(
                f"{spec.redacted} answered {status}: go sends credentials only over https"
            )
            fixes.append(f"go env -w GOPROXY={spec.redacted.replace('http://', 'https://', 1)}")
        elif has_url_creds or line is not None:
            who = f"login {line.login} from {path}" if line is not None else "the URL's userinfo"
            problems.append(f"{spec.redacted} answered {status} to the credentials ({who})")
            fixes.append(f"# update the password for machine {host} in {path}")
        else:
            problems.append(f"{spec.redacted} answered {status}: no credentials for {host}")
            target = env.netrc or "~/.netrc"
            fixes.append(
                f"echo 'machine {host} login USER password TOKEN' >> {target} && chmod 600 {target}"
            )
    if problems:
        return Check(ident, "fail", problems[0], (*problems[1:], *detail), fixes[0])
    private = [p for p, _, _ in _requires(facts.inputs) if match_prefix_patterns(env.gonoproxy, p)]
    hosts = sorted({p.split("/")[0] for p in private})
    missing = [h for h in hosts if not any(n.machine == h for n in facts.netrc)]
    if missing and facts.git_helper == "" and any(s.url == "direct" for s in facts.specs):
        detail.append(f"private hosts fetched directly: {', '.join(hosts)}")
        return Check(
            ident,
            "warn",
            f"no credentials for private host(s) {', '.join(missing)}",
            tuple(detail),
            f"git config --global credential.helper store  # or a line in {path} for {missing[0]}",
        )
    return Check(ident, "ok", "no server asked for credentials it did not get", tuple(detail))


# -- judging: checksum database -------------------------------------------------------------


def _judge_gosumdb(facts: _Facts) -> Check:
    inputs = facts.inputs
    env = inputs.env
    ident = "gosumdb"
    detail: list[str] = []
    risks: list[tuple[str, str]] = []
    goflags = _goflags(inputs)
    if env.goinsecure:
        risks.append(
            (
                f"GOINSECURE={env.goinsecure}: those modules may be fetched over plain HTTP",
                "go env -u GOINSECURE",
            )
        )
    if flag_value(goflags, "insecure") is not None or "-insecure" in goflags.split():
        kept = " ".join(w for w in goflags.split() if w.lstrip("-").split("=")[0] != "insecure")
        risks.append(
            (
                "GOFLAGS=-insecure: go no longer has this flag (GOINSECURE replaced it)",
                f"go env -w GOFLAGS={kept!r}" if kept else "go env -u GOFLAGS",
            )
        )
    if env.gosumdb.strip() == "off":
        detail += [r for r, _ in risks]
        return Check(
            ident,
            "warn",
            "GOSUMDB=off: downloads are not checked against the checksum database",
            ("go.sum is the only record of what a module should contain", *detail),
            "go env -w GOSUMDB=sum.golang.org",
        )
    if facts.sumdb_security:
        return Check(
            ident,
            "fail",
            f"{facts.sumdb_name or env.gosumdb}: the database contradicts itself",
            tuple(facts.sumdb_security.strip().splitlines()[:6]),
            "",
        )
    if facts.sumdb_error:
        name = facts.sumdb_name or env.gosumdb
        return Check(
            ident,
            "fail",
            f"{name}: cannot be read",
            (facts.sumdb_error.splitlines()[0], *[r for r, _ in risks]),
            "go env -w GOSUMDB=sum.golang.org" if "invalid" in facts.sumdb_error else "",
        )
    if facts.sumdb_tree is not None:
        detail.append(f"{facts.sumdb_name}: signed tree of {facts.sumdb_tree} records, verified")
    if facts.sumdb_lines:
        detail.append(f"{len(facts.sumdb_lines)} lookup(s) verified")
    detail += facts.sumdb_lookup_errors[:3]
    nowhere, later, looks = _private_modules(facts)
    private = [
        p
        for p in sorted(set(nowhere + later + looks + facts.sumdb_not_found))
        if not match_prefix_patterns(env.gonosumdb, p)
    ]
    if private:
        patterns = sorted({_pattern(p) for p in private})
        for p in private:
            detail.append(f"{p}: private, but GONOSUMDB does not cover it")
        return Check(
            ident,
            "fail" if facts.sumdb_not_found else "warn",
            f"{len(private)} private module(s) would be looked up in {facts.sumdb_name}",
            tuple(detail),
            f"go env -w GONOSUMDB={_add_pattern(env.gonosumdb, patterns)}",
        )
    if risks:
        return Check(ident, "warn", risks[0][0], (*[r for r, _ in risks[1:]], *detail), risks[0][1])
    if facts.sumdb_lookup_errors:
        return Check(ident, "warn", f"{facts.sumdb_name}: some lookups failed", tuple(detail))
    return Check(ident, "ok", f"{facts.sumdb_name}: reachable and signing", tuple(detail))


# -- judging: the module cache --------------------------------------------------------------


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _judge_cache(facts: _Facts) -> Check:
    ident = "module-cache"
    c = facts.cache or _CacheFacts()
    if not c.root:
        return Check(ident, "warn", "GOMODCACHE is not set: no module cache to check")
    detail = [f"{c.root}: {c.checked} module(s) of go.sum checked (go mod verify)"]
    if c.free is not None:
        avg = c.cached_bytes / c.cached_zips if c.cached_zips else 1 << 20
        need = avg * c.missing
        detail.append(
            f"free: {_size(c.free)}; {c.missing} zip(s) still to download (~{_size(need)})"
        )
    if c.modified:
        detail += c.modified[:8]
        paths = sorted({str(p) for p in c.paths})
        fix = "chmod -R u+w " + " ".join(paths) + " && rm -rf " + " ".join(paths)
        fix += " && go mod download"
        return Check(
            ident, "fail", f"{len(c.modified)} cached module(s) modified", tuple(detail), fix
        )
    leftovers = [*c.partial, *c.tmp]
    if c.held_locks:
        detail += [f"locked: {p}" for p in c.held_locks[:5]]
        return Check(
            ident,
            "warn",
            f"{len(c.held_locks)} download lock(s) held: another go command is downloading",
            tuple(detail),
        )
    if leftovers:
        detail += [f"left behind: {p}" for p in leftovers[:8]]
        fix = "rm -f " + " ".join(str(p) for p in leftovers)
        return Check(
            ident,
            "warn",
            f"{len(leftovers)} interrupted download(s) left behind",
            tuple(detail),
            fix,
        )
    if c.free is not None and c.missing:
        avg = c.cached_bytes / c.cached_zips if c.cached_zips else 1 << 20
        if c.free < avg * c.missing * 2:
            return Check(
                ident, "fail", "not enough free disk space for the downloads left", tuple(detail)
            )
    if not c.checked:
        return Check(ident, "ok", "nothing of go.sum is cached yet", tuple(detail))
    return Check(ident, "ok", f"{c.checked} cached module(s) verified", tuple(detail))


# -- judging: checksums ---------------------------------------------------------------------


def _judge_mismatch(facts: _Facts) -> Check:
    ident = "checksum-mismatch"
    gosum = facts.inputs.gosum
    cache = facts.cache or _CacheFacts()
    findings: list[tuple[str, str, str]] = []  # (module line, which differs, cause)
    fixes: list[str] = []
    compared = 0
    used: set[str] = set()
    keys = sorted(
        {(p, v.removesuffix("/go.mod")) for p, v in gosum.entries}
        | set(facts.proxy_hashes)
        | set(facts.sumdb_lines)
    )
    for path, version in keys:
        for kind in ("go.mod", "zip"):
            suffix = "/go.mod" if kind == "go.mod" else ""
            sources: dict[str, str] = {}
            have = gosum.hashes(path, version + suffix)
            if have:
                sources["go.sum"] = have[0]
            ph = facts.proxy_hashes.get((path, version))
            if ph is not None and (ph[0] if kind == "go.mod" else ph[1]):
                sources["proxy"] = ph[0] if kind == "go.mod" else ph[1]
            lines = facts.sumdb_lines.get((path, version))
            if lines:
                prefix = f"{path} {version}{suffix} "
                for line in lines:
                    if line.startswith(prefix):
                        sources["checksum database"] = line[len(prefix) :]
            cached = (cache.gomods if kind == "go.mod" else cache.ziphashes).get((path, version))
            if cached:
                sources["module cache"] = cached
            if len(sources) < 2:
                continue
            compared += 1
            used.update(sources)
            votes = Counter(sources.values())
            if len(votes) == 1:
                continue
            majority, n = votes.most_common(1)[0]
            odd = sorted(s for s, h in sources.items() if h != majority)
            agree = sorted(s for s, h in sources.items() if h == majority)
            where = f"{path} {version}{suffix}"
            if n == 1:  # no majority: two sources, two answers
                odd = ["go.sum"] if "go.sum" in sources else odd[:1]
                agree = [s for s in sources if s not in odd]
            differs = odd[0]
            cause = {
                "go.sum": "a hand-edited or stale go.sum (or a release re-tagged after go.sum"
                " was written)",
                "proxy": "the proxy serves a different file (a changed mirror, or through"
                " direct a re-tagged release)",
                "checksum database": "the checksum database disagrees (a wrong GOSUMDB key"
                " or URL, or a server that lies)",
                "module cache": "the module cache was modified after download",
            }[differs]
            detail = (
                f"{where}: {differs} has {sources[differs]}, {' and '.join(agree)}"
                f" {'has' if len(agree) == 1 else 'have'} {sources[agree[0]]}"
            )
            findings.append((detail, differs, cause))
            if differs == "go.sum":
                fixes.append(
                    f"sed -i '\\#^{path} {version}[ /]#d' go.sum && go mod download {path}@{version}"
                )
            elif differs == "module cache":
                fixes.append(f"go clean -modcache && go mod download {path}@{version}")
            elif differs == "proxy":
                fixes.append(f"GOPROXY=direct go mod download {path}@{version}")
            else:
                fixes.append("go env -u GOSUMDB")
    if findings:
        first = findings[0]
        return Check(
            ident,
            "fail",
            f"{len(findings)} checksum(s) disagree; {first[1]} differs from the others",
            tuple(f"{d}: likely {c}" for d, _, c in findings),
            fixes[0],
        )
    names = {"proxy": "proxy" + (" (.mod and .zip)" if facts.options.deep else " (.mod)")}
    order = ("go.sum", "module cache", "proxy", "checksum database")
    srcs = [names.get(s, s) for s in order if s in used]
    if not compared:
        return Check(ident, "ok", "nothing to compare: go.sum is the only record of checksums")
    return Check(ident, "ok", f"{compared} checksum(s) agree across {', '.join(srcs)}")


# -- judging: settings ----------------------------------------------------------------------


def vendor_errors(directory: Path, f: ModFile) -> list[str] | None:
    """``modload.checkVendorConsistency`` for one module (requirements and explicit
    markers): go's ``path@version: reason`` lines; ``None`` when there is no
    vendor/modules.txt."""
    try:
        text = (directory / "vendor" / "modules.txt").read_text(encoding="utf-8")
    except OSError:
        return None
    explicit: set[tuple[str, str]] = set()
    listed: list[tuple[str, str]] = []  # modules providing packages, as go's vendorList
    current: tuple[str, str] | None = None
    for line in text.splitlines():
        if line.startswith("# "):
            fields = line[2:].split()
            if len(fields) >= 2 and semver.is_valid(fields[1]):
                current = (fields[0], fields[1])
            else:
                current = None
        elif (
            current is not None
            and not line.startswith("## ")
            and len(line.split()) == 1
            and current not in listed
        ):
            listed.append(current)
        elif (
            line.startswith("## ")
            and current is not None
            and "explicit" in [e.strip() for e in line[3:].split(";")]
        ):
            explicit.add(current)
    errors: list[str] = []
    required = {(r.mod.path, r.mod.version) for r in f.require}
    for r in f.require:
        if (r.mod.path, r.mod.version) not in explicit:
            errors.append(
                f"{r.mod.path}@{r.mod.version}: is explicitly required in go.mod, but not"
                " marked as explicit in vendor/modules.txt"
            )
    for m in listed:
        if m in explicit and m not in required:
            errors.append(
                f"{m[0]}@{m[1]}: is marked as explicit in vendor/modules.txt, but not"
                " explicitly required in go.mod"
            )
    return errors


def _judge_goflags(facts: _Facts) -> Check:
    inputs = facts.inputs
    ident = "goflags"
    goflags = _goflags(inputs)
    mod = inputs.mod_flag
    detail = [f"GOFLAGS={goflags!r}" if goflags else "GOFLAGS is empty"]
    f = inputs.modfile
    go_version = f.go.version if f is not None and f.go is not None else ""
    vendor_default = (
        not mod
        and f is not None
        and (inputs.directory / "vendor" / "modules.txt").is_file()
        and semver.gover_compare(go_version or "0", "1.14") >= 0
    )
    if f is not None and (mod == "vendor" or vendor_default):
        errs = vendor_errors(inputs.directory, f)
        why = "-mod=vendor" if mod == "vendor" else "vendor/modules.txt with go >= 1.14 (default)"
        if errs is None:
            return Check(
                ident,
                "fail",
                f"{why}, but there is no vendor/modules.txt",
                tuple(detail),
                "go mod vendor",
            )
        if errs:
            return Check(
                ident,
                "fail",
                f"{why}: inconsistent vendoring in {inputs.directory}",
                (*errs[:8], *detail),
                "go mod vendor",
            )
        detail.append(f"{why}: vendor/modules.txt matches go.mod")
    warnings: list[tuple[str, str]] = []
    if flag_value(goflags, "modcacherw") is not None or "-modcacherw" in goflags.split():
        warnings.append(
            (
                "-modcacherw: the module cache is left writable; a stray edit corrupts it",
                "go env -w GOFLAGS=" + repr(_drop_flag(goflags, "modcacherw")),
            )
        )
    if mod == "mod":
        detail.append("-mod=mod: go may update go.mod and go.sum as it builds")
    modfile = flag_value(goflags, "modfile")
    if modfile:
        warnings.append(
            (
                f"-modfile={modfile}: go reads another go.mod than {inputs.directory}/go.mod",
                "go env -w GOFLAGS=" + repr(_drop_flag(goflags, "modfile")),
            )
        )
    if warnings:
        return Check(
            ident, "warn", warnings[0][0], (*[w for w, _ in warnings[1:]], *detail), warnings[0][1]
        )
    return Check(ident, "ok", "no setting changes how modules are fetched", tuple(detail))


def _goflags(inputs: DoctorInputs) -> str:
    """GOFLAGS as go reads it (the environment or ``go env -w``), ``-mod`` included."""
    flags = inputs.env.goflags
    if inputs.mod_flag and flag_value(flags, "mod") is None:
        flags = f"{flags} -mod={inputs.mod_flag}".strip()
    return flags


def _drop_flag(goflags: str, name: str) -> str:
    return " ".join(w for w in goflags.split() if w.lstrip("-").split("=")[0] != name)


def _judge_toolchain(facts: _Facts) -> Check:
    inputs = facts.inputs
    ident = "toolchain"
    tc = Toolchain.from_env(inputs.env)
    f = inputs.modfile
    go = f.go.version if f is not None and f.go is not None else ""
    toolchain = f.toolchain.name if f is not None and f.toolchain is not None else ""
    setting = tc.gotoolchain or "(unset)"
    detail = [f"installed go {tc.version}; GOTOOLCHAIN={setting}"]
    if go:
        detail.append(f"go.mod: go {go}" + (f", toolchain {toolchain}" if toolchain else ""))
    target = tc.switch_target(go, toolchain)
    if target:
        proxy_note = (
            "GOPROXY=off: the download would fail"
            if inputs.env.goproxy.strip() == "off"
            else f"go downloads golang.org/toolchain@v0.0.1-{target}.<os>-<arch> through GOPROXY"
        )
        detail.append(proxy_note)
        return Check(
            ident,
            "warn" if inputs.env.goproxy.strip() != "off" else "fail",
            f"go switches to {target} (a toolchain download) before every command",
            tuple(detail),
            f"go install golang.org/dl/{target}@latest && {target} download"
            if target != tc.minimum
            else "go env -w GOTOOLCHAIN=auto",
        )
    if go and semver.gover_compare(go, tc.version) > 0:
        return Check(
            ident,
            "fail",
            "go: " + tc.too_new("go.mod", go),
            tuple(detail),
            "go env -w GOTOOLCHAIN=auto",
        )
    return Check(ident, "ok", f"go {tc.version} runs this module", tuple(detail))
