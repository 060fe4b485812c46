"""The GOPROXY protocol as gomodx speaks it: entries, answers, limits and events.

A GOPROXY list is parsed into :class:`ProxySpec` entries (:func:`parse_goproxy`, Go's
``proxyList``); credentials come from the entry's URL or from .netrc
(:func:`parse_netrc`). A proxy answers ``@v/list`` (:class:`VersionList`, read by
:func:`parse_list`), ``.info`` and ``@latest`` (:class:`RevInfo`), ``.mod``
(:class:`GoModFile`) and ``.zip``, each within a size limit. Every request the client
makes is reported as a :class:`FetchEvent`; :class:`RetryPolicy` says how hard it tries
and :class:`NetLimits` how long it may take.

>>> [s.redacted for s in parse_goproxy("https://u:p@proxy.example|direct")]
['https://xxxxx@proxy.example', 'direct']

Nothing here does I/O but :func:`read_netrc`; the client is :mod:`analysis.proxy`.
"""

from __future__ import annotations

import functools
import os
import random
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from analysis import semver
from analysis.errors import ModuleError, ProxyError
from analysis.goenv import GoEnv
from analysis.hashes import gomod_hash
from analysis.modfile import ModFile, parse_lax
from analysis.summary import Summary

__all__ = [
    "MAX_GOMOD",
    "MAX_META",
    "MAX_ZIP",
    "FetchEvent",
    "GoModFile",
    "NetLimits",
    "NetrcLine",
    "ProxySpec",
    "RetryPolicy",
    "RevInfo",
    "VersionList",
    "check_canonical",
    "format_time",
    "parse_goproxy",
    "parse_list",
    "parse_netrc",
    "parse_time",
    "read_netrc",
    "redact_url",
]

MAX_GOMOD = 16 << 20
"""Go's ``codehost.MaxGoMod``: larger go.mod answers are refused."""

MAX_ZIP = 500 << 20
"""Go's ``codehost.MaxZipFile``."""

MAX_META = 16 << 20
"""A cap on list/info/latest answers (Go has none; a runaway body must not eat memory)."""

# -- GOPROXY parsing -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProxySpec:
    """One GOPROXY entry: a URL, ``off``, ``direct``, or the implicit ``noproxy``.

    ``fall_back_on_error`` is true when the entry was followed by ``|``. ``url`` may hold
    credentials; show :attr:`redacted` instead (``repr`` does).
    """

    url: str
    fall_back_on_error: bool = False

    @property
    def is_url(self) -> bool:
        return self.url not in ("off", "direct", "noproxy")

    @property
    def redacted(self) -> str:
        return redact_url(self.url) if self.is_url else self.url

    def __repr__(self) -> str:
        return f"ProxySpec({self.redacted!r}, fall_back_on_error={self.fall_back_on_error})"


def redact_url(url: str) -> str:
    """``url`` with any user information replaced by ``xxxxx``.

    >>> redact_url("https://alice:s3cret@proxy.example/p")
    'https://xxxxx@proxy.example/p'
    """
    scheme_end = url.find("://")
    netloc = url[scheme_end + 3 :].partition("/")[0] if scheme_end >= 0 else url
    if "@" not in netloc:
        return url  # no user information (asked on every request; "/@v/" is no netloc)
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url.split("@")[-1] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc="xxxxx@" + host))


def parse_goproxy(goproxy: str, gonoproxy: str = "") -> tuple[ProxySpec, ...]:
    """Go's ``proxyList``: the entries of GOPROXY in order, validated.

    Raises :class:`ProxyError` with go's messages for an empty list or a bad URL.

    >>> [s.url for s in parse_goproxy("proxy.example|direct,ignored")]
    ['https://proxy.example', 'direct']
    """
    specs: list[ProxySpec] = []
    if gonoproxy and goproxy != "direct":
        specs.append(ProxySpec("noproxy"))
    rest = goproxy
    while rest:
        cut = min((i for i in (rest.find(","), rest.find("|")) if i >= 0), default=-1)
        if cut >= 0:
            url, fall_back, rest = rest[:cut], rest[cut] == "|", rest[cut + 1 :]
        else:
            url, fall_back, rest = rest, False, ""
        url = url.strip()
        if not url:
            continue
        if url in ("off", "direct"):
            # Both end the line: off always fails hard, direct is final for now.
            specs.append(ProxySpec(url))
            break
        if (
            any(c in url for c in ".:/")
            and ":/" not in url
            and not os.path.isabs(url)
            and not url.startswith("/")
        ):
            url = "https://" + url
        _check_proxy_url(url)
        specs.append(ProxySpec(url, fall_back))
    if not specs or (len(specs) == 1 and specs[0].url == "noproxy"):
        raise ProxyError("GOPROXY list is not the empty string, but contains no entries")
    return tuple(specs)


def _go_scheme(url: str) -> str:
    """The scheme as Go's url.Parse finds it ("" when there is none)."""
    for i, c in enumerate(url):
        if c.isascii() and c.isalpha():
            continue
        if i > 0 and ((c.isascii() and c.isdigit()) or c in "+-."):
            continue
        if c == ":" and i > 0:
            return url[:i].lower()
        return ""
    return ""


def _check_proxy_url(url: str) -> None:
    shown = redact_url(url)
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        reason = "missing ']' in host" if "[" in url else "invalid URL"
        raise ProxyError(f'parse "{shown}": {reason}') from None
    scheme = _go_scheme(url)
    if scheme in ("http", "https"):
        return
    if scheme == "file":
        opaque = not parts.netloc and not parts.path.startswith("/")
        if parts.netloc or parts.query or parts.fragment or "?" in url or "#" in url or opaque:
            raise ProxyError(f"invalid file:// proxy URL with non-path elements: {shown}")
        return
    if scheme == "":
        raise ProxyError(f"invalid proxy URL missing scheme: {shown}")
    raise ProxyError(f"invalid proxy URL scheme (must be https, http, file): {shown}")


# -- credentials ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NetrcLine:
    machine: str
    login: str
    password: str = field(repr=False)


def parse_netrc(data: str) -> list[NetrcLine]:
    """The ``machine login password`` triples of a .netrc, read the way go reads them
    (``macdef`` bodies skipped, parsing stops at ``default``)."""
    lines: list[NetrcLine] = []
    machine = login = password = ""
    in_macro = False
    for text in data.split("\n"):
        if in_macro:
            if text == "":
                in_macro = False
            continue
        words = text.split()
        i = 0
        while i < len(words) - 1:
            key, value = words[i], words[i + 1]
            if key == "machine":
                machine, login, password = value, "", ""
            elif key == "login":
                login = value
            elif key == "password":
                password = value
            elif key == "macdef":
                in_macro = True
            if machine and login and password:
                lines.append(NetrcLine(machine, login, password))
                machine = login = password = ""
            i += 2
        if i < len(words) and words[i] == "default":
            break
    return lines


def read_netrc(env: GoEnv) -> list[NetrcLine]:
    """The .netrc lines go would use for ``env`` (none when GOAUTH leaves netrc out)."""
    if "off" in [w.strip() for w in env.goauth.split(";")]:
        return []
    if env.goauth and "netrc" not in [w.strip() for w in env.goauth.split(";")]:
        return []
    if not env.netrc:
        return []
    try:
        return parse_netrc(Path(env.netrc).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


# -- answers and events --------------------------------------------------------------------


@dataclass(frozen=True)
class FetchEvent:
    """One request (or cache hit) made on behalf of a fetch.

    ``outcome`` is ``ok``, ``retry`` (this attempt failed and will be retried),
    ``not_found``, ``error``, ``cache_hit`` or ``fallthrough`` (the GOPROXY entry failed and
    the next one is tried). URLs never contain credentials.
    """

    kind: str  # list | info | mod | zip | latest | go
    module: str
    version: str
    url: str
    proxy: str
    outcome: str
    status: int | None = None
    bytes: int = 0
    latency: float = 0.0
    attempt: int = 1
    cache: str | None = None  # "hit" | "miss" | None (not a cacheable request)
    retried: bool = False
    fell_through: bool = False
    stale: bool = False
    error: str = ""
    at: float = 0.0

    def describe(self) -> str:
        """A one-line summary for ``-v`` output."""
        status = "" if self.status is None else f" {self.status}"
        what = f"{self.module}@{self.version}" if self.version else self.module
        extra = []
        if self.attempt > 1:
            extra.append(f"attempt {self.attempt}")
        if self.cache:
            extra.append(f"cache {self.cache}")
        if self.stale:
            extra.append("stale")
        if self.error:
            extra.append(self.error.splitlines()[0])
        tail = f" ({'; '.join(extra)})" if extra else ""
        return (
            f"{self.outcome:<11} {self.kind:<6} {what} via {self.proxy}{status}"
            f" {self.bytes}B {self.latency * 1000:.0f}ms {self.url}{tail}"
        )


@dataclass(frozen=True)
class RevInfo:
    """A ``.info`` (or ``@latest``) answer: the version and its commit time."""

    version: str
    time: datetime | None = None
    origin: str = ""
    stale: bool = False

    def to_json(self) -> dict[str, str]:
        out = {"Version": self.version}
        if self.time is not None:
            out["Time"] = format_time(self.time)
        return out


@dataclass(frozen=True)
class VersionList:
    """The tagged versions a proxy lists (pseudo-versions and invalid lines dropped), in
    Go's ``SortVersions`` order."""

    path: str
    versions: tuple[str, ...]
    origin: str = ""
    stale: bool = False


@dataclass(frozen=True)
class GoModFile:
    """The go.mod of ``path@version`` as served, and how it was checked."""

    path: str
    version: str
    data: bytes
    origin: str = ""
    stale: bool = False
    verified: bool = False
    """True when go.sum had a ``/go.mod`` line and the hash matched."""
    parsed: ModFile | None = field(default=None, compare=False, repr=False)
    """The lax parse of :attr:`data`, when the client already made it (see :meth:`lax`)."""
    simple: Summary | None = field(default=None, compare=False, repr=False)
    """``summarize(lax())`` made without the parser, for the plainest files (see
    :func:`analysis.summary.simple_summary`); then :attr:`parsed` is left to :meth:`lax`."""
    known_hash: str = field(default="", compare=False, repr=False)
    """:attr:`hash`, when whoever checked the bytes worked it out already."""

    @functools.cached_property
    def hash(self) -> str:
        """The go.sum hash of :attr:`data` (``h1:``), worked out once."""
        return self.known_hash or gomod_hash(self.data)

    def lax(self) -> ModFile:
        """``modfile.parse_lax("go.mod", data)``, parsed at most once per file: the client's
        syntax check and the loader share it. Raises :class:`ModfileError`."""
        if self.parsed is None:
            object.__setattr__(self, "parsed", parse_lax("go.mod", self.data))
        assert self.parsed is not None
        return self.parsed


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request: attempts, backoff with full jitter, Retry-After cap."""

    attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 5.0
    retry_after_cap: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in ``[0, min(max_delay, base * 2**(attempt-1))]``."""
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * (2 ** (attempt - 1))))


@dataclass(frozen=True)
class NetLimits:
    """How long the network may take, in seconds: the bounds that make a dead or crawling
    proxy an error instead of a wait.

    Go itself sets none of these (its client has no timeout); gomodx retries, so it needs
    them to keep retries from multiplying a slow proxy's delays.
    """

    connect: float = 10.0
    """One connection (DNS, TCP and TLS)."""
    read: float = 30.0
    """Waiting for an answer's headers, or for any next byte of its body."""
    request: float = 60.0
    """One small file (list, info, mod, latest): every attempt and back-off included."""
    zip_request: float = 600.0
    """One zip, every attempt and back-off included."""
    slow_window: float = 5.0
    slow_bytes: int = 4096
    """An answer that is not complete after ``slow_window`` seconds and gained fewer than
    ``slow_bytes`` bytes in that time (or any later such window) is abandoned as too slow."""
    budget: float | None = None
    """All the network time of one client (one command), from its first request; ``None``
    for no limit (the app, which lives long, relies on the per-request limits)."""
    down_for: float = 10.0
    """How long a host that could not be reached at all (DNS, refused, TLS) is taken to be
    down: requests to it fail at once with the same error instead of trying again."""

    def request_deadline(self, kind: str) -> float:
        """The limit for one request of ``kind`` (all attempts)."""
        return self.zip_request if kind == "zip" else self.request


# -- reading answers -------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # each query of a module reads its list again
def parse_list(data: bytes, prefix: str) -> tuple[str, ...]:
    """Go's ``proxyRepo.Versions``: first field of each line if it is valid semver, has the
    prefix, and is not a pseudo-version; sorted by semver then string."""
    found = []
    for line in data.decode("utf-8", "replace").split("\n"):
        fields = line.split()
        if (
            fields
            and semver.is_valid(fields[0])
            and fields[0].startswith(prefix)
            and not semver.is_pseudo_version(fields[0])
        ):
            found.append(fields[0])
    return tuple(semver.sort_versions(found))


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return when


def format_time(when: datetime) -> str:
    """A time as go's JSON encoder writes it (RFC 3339, the fraction's trailing zeros
    dropped; ``Z`` for a zero offset, else the offset the time was given in — go keeps it,
    in its cache's ``.info`` files and in ``go list -m -json``).

    >>> from datetime import UTC, timedelta, timezone
    >>> format_time(datetime(2019, 1, 21, 0, 0, 0, 120000, tzinfo=UTC))
    '2019-01-21T00:00:00.12Z'
    >>> format_time(datetime(2019, 1, 21, 1, 0, tzinfo=timezone(timedelta(hours=-7.5))))
    '2019-01-21T01:00:00-07:30'
    """
    text = (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
        f"T{when.hour:02d}:{when.minute:02d}:{when.second:02d}"
    )
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    offset = when.utcoffset()
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def check_canonical(path: str, version: str) -> None:
    """Files are named by canonical versions only: raise :class:`ModuleError` otherwise."""
    if not _is_canonical(version):
        raise ModuleError(f"{path}@{version}: version is not canonical")


@functools.lru_cache(maxsize=16384)
def _is_canonical(version: str) -> bool:
    return semver.is_valid(version) and semver.canonical_version(version) == version
