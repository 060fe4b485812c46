"""Go's version order: module semver, pseudo-versions and Go toolchain versions.

Three orders live here, each a port of the Go package that defines it:

* module versions (``golang.org/x/mod/semver``): ``v1.2.3-pre+build``, numbers of any
  length, invalid strings below every valid one;
* pseudo-versions (``golang.org/x/mod/module/pseudo.go``): prereleases that name a commit;
* Go toolchain versions (``cmd/go/internal/gover``): ``1.21 < 1.21rc1 < 1.21.0``, used for
  the ``go`` and ``toolchain`` lines that MVS treats as modules.

Go versions are never ordered with :mod:`packaging.version`: its rules (PEP 440) differ.

>>> sort_versions(["v1.10.0", "v1.2.0", "v1.2.0-rc.1", "bad"])
['bad', 'v1.2.0-rc.1', 'v1.2.0', 'v1.10.0']
>>> gover_compare("1.21", "1.21rc1")
-1
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from analysis.errors import InvalidVersionError
from analysis.module import NONE

__all__ = [
    "build",
    "canonical",
    "canonical_version",
    "cmp_version",
    "compare",
    "gover_compare",
    "gover_from_toolchain",
    "gover_is_lang",
    "gover_is_prerelease",
    "gover_is_valid",
    "gover_lang",
    "gover_max",
    "is_prerelease",
    "is_pseudo_version",
    "is_toolchain_path",
    "is_valid",
    "is_zero_pseudo_version",
    "major",
    "major_minor",
    "max_version",
    "mod_compare",
    "mod_is_prerelease",
    "mod_is_valid",
    "mod_sort_key",
    "prerelease",
    "pseudo_version",
    "pseudo_version_base",
    "pseudo_version_rev",
    "pseudo_version_time",
    "sort_key",
    "sort_versions",
    "zero_pseudo_version",
]

# --------------------------------------------------------------------------------------
# Module semver
# --------------------------------------------------------------------------------------

_DIGITS = frozenset("0123456789")
_IDENT = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")


@dataclass(frozen=True, slots=True)
class _Parsed:
    major: str
    minor: str
    patch: str
    short: str  # what Canonical appends: ".0.0", ".0" or ""
    prerelease: str  # "-pre.1" or ""
    build: str  # "+meta" or ""


def _cut_number(s: str) -> tuple[str, str] | None:
    """Split a leading decimal (no extra leading zeros) off ``s``."""
    i = 0
    while i < len(s) and s[i] in _DIGITS:
        i += 1
    if i == 0 or (s[0] == "0" and i != 1):
        return None
    return s[:i], s[i:]


def _is_number(s: str) -> bool:
    return all(c in _DIGITS for c in s)


def _valid_idents(text: str, *, prerelease: bool) -> bool:
    """Dot-separated, non-empty ``[0-9A-Za-z-]`` identifiers; numeric prerelease
    identifiers may not have leading zeros."""
    for ident in text.split("."):
        if not ident or any(c not in _IDENT for c in ident):
            return False
        if prerelease and len(ident) > 1 and ident[0] == "0" and _is_number(ident):
            return False
    return True


@functools.lru_cache(maxsize=1 << 14)
def _parse(v: str) -> _Parsed | None:
    if not v.startswith("v"):
        return None
    cut = _cut_number(v[1:])
    if cut is None:
        return None
    major_, rest = cut
    if not rest:
        return _Parsed(major_, "0", "0", ".0.0", "", "")
    if rest[0] != ".":
        return None
    cut = _cut_number(rest[1:])
    if cut is None:
        return None
    minor, rest = cut
    if not rest:
        return _Parsed(major_, minor, "0", ".0", "", "")
    if rest[0] != ".":
        return None
    cut = _cut_number(rest[1:])
    if cut is None:
        return None
    patch, rest = cut
    pre = ""
    if rest.startswith("-"):
        end = rest.find("+")
        pre, rest = (rest, "") if end < 0 else (rest[:end], rest[end:])
        if not _valid_idents(pre[1:], prerelease=True):
            return None
    meta = ""
    if rest.startswith("+"):
        meta, rest = rest, ""
        if not _valid_idents(meta[1:], prerelease=False):
            return None
    if rest:
        return None
    return _Parsed(major_, minor, patch, "", pre, meta)


def is_valid(v: str) -> bool:
    """Whether ``v`` is a semantic version Go accepts (``v1``, ``v1.2``, ``v1.2.3-pre+b``).

    >>> is_valid("v1.2"), is_valid("v1.2-pre"), is_valid("1.2.3")
    (True, False, False)
    """
    return _parse(v) is not None


def canonical(v: str) -> str:
    """``v`` with missing ``.MINOR``/``.PATCH`` filled in and build metadata dropped.

    Two versions compare equal exactly when their canonical forms are equal; the
    canonical form of an invalid version is ``""``.

    >>> canonical("v1.2"), canonical("v2.0.0+incompatible"), canonical("bad")
    ('v1.2.0', 'v2.0.0', '')
    """
    p = _parse(v)
    if p is None:
        return ""
    if p.build:
        return v[: len(v) - len(p.build)]
    return v + p.short


def major(v: str) -> str:
    """The major prefix: ``major("v2.1.0") == "v2"``; ``""`` if invalid."""
    p = _parse(v)
    return "" if p is None else "v" + p.major


def major_minor(v: str) -> str:
    """The ``vMAJOR.MINOR`` prefix: ``major_minor("v1") == "v1.0"``; ``""`` if invalid."""
    p = _parse(v)
    return "" if p is None else f"v{p.major}.{p.minor}"


def prerelease(v: str) -> str:
    """The prerelease suffix with its dash: ``prerelease("v1.0.0-rc.1+b") == "-rc.1"``."""
    p = _parse(v)
    return "" if p is None else p.prerelease


def build(v: str) -> str:
    """The build suffix with its plus: ``build("v2.0.0+incompatible") == "+incompatible"``."""
    p = _parse(v)
    return "" if p is None else p.build


def is_prerelease(v: str) -> bool:
    """Whether ``v`` is a valid version with a prerelease suffix (pseudo-versions are)."""
    return prerelease(v) != ""


def _number_key(n: str) -> tuple[int, str]:
    # Go compares decimal strings by length, then bytewise: no integer overflow, no int().
    return (len(n), n)


def _prerelease_key(pre: str) -> tuple[object, ...]:
    if not pre:
        return (1,)  # a release sorts above all of its prereleases
    idents: list[tuple[object, ...]] = []
    for ident in pre[1:].split("."):
        if _is_number(ident):
            idents.append((0, len(ident), ident))  # numeric identifiers sort first
        else:
            idents.append((1, ident))
    # A shorter list that is a prefix of a longer one sorts first: tuple order does that.
    return (0, tuple(idents))


@functools.lru_cache(maxsize=1 << 16)
def _compare_key(v: str) -> tuple[object, ...]:
    p = _parse(v)
    if p is None:
        return (0,)  # every invalid version is equal, and below every valid one
    return (
        1,
        _number_key(p.major),
        _number_key(p.minor),
        _number_key(p.patch),
        _prerelease_key(p.prerelease),
    )


@functools.lru_cache(maxsize=1 << 16)
def sort_key(v: str) -> tuple[object, ...]:
    """A key that orders exactly like Go's ``semver.Sort``: by :func:`compare`, ties
    (``v1`` and ``v1.0.0``, ``v1.0.0`` and ``v1.0.0+meta``, invalid strings) by plain
    string order.

    >>> sorted(["v1.0.0", "v1", "v1.0"], key=sort_key)
    ['v1', 'v1.0', 'v1.0.0']
    """
    return (*_compare_key(v), v)


def compare(v: str, w: str) -> int:
    """Go's ``semver.Compare``: -1, 0 or +1. Build metadata is ignored; invalid
    versions are equal to each other and less than every valid version.

    >>> compare("v1.2.0", "v1.10.0"), compare("v1.0.0-rc.1", "v1.0.0"), compare("x", "y")
    (-1, -1, 0)
    """
    kv, kw = _compare_key(v), _compare_key(w)
    return (kv > kw) - (kv < kw)


def sort_versions(versions: Iterable[str]) -> list[str]:
    """The versions in Go's ``semver.Sort`` order, as a new list."""
    return sorted(versions, key=sort_key)


def max_version(v: str, w: str) -> str:
    """Go's deprecated ``semver.Max``: the greater of the two, *canonicalised*.

    >>> max_version("v1.2", "v1.1.9+meta")
    'v1.2.0'
    """
    v, w = canonical(v), canonical(w)
    return v if compare(v, w) > 0 else w


def canonical_version(v: str) -> str:
    """Go's ``module.CanonicalVersion``: :func:`canonical`, keeping ``+incompatible``.

    >>> canonical_version("v2.0.0+incompatible"), canonical_version("v2.0.0+meta")
    ('v2.0.0+incompatible', 'v2.0.0')
    """
    cv = canonical(v)
    if build(v) == "+incompatible":
        cv += "+incompatible"
    return cv


# --------------------------------------------------------------------------------------
# Pseudo-versions
# --------------------------------------------------------------------------------------

_PSEUDO_RE = re.compile(
    r"v[0-9]+\.(0\.0-|[0-9]+\.[0-9]+-([^+]*\.)?0\.)[0-9]{14}-[A-Za-z0-9]+"
    r"(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)
_PSEUDO_SYNTAX = "syntax error"


def _time_segment(t: datetime) -> str:
    # A naive datetime is taken to be UTC. Format by hand: strftime("%Y") does not pad
    # years below 1000 on every platform, and Go always writes four digits.
    if t.tzinfo is not None:
        t = t.astimezone(UTC)
    return f"{t.year:04d}{t.month:02d}{t.day:02d}{t.hour:02d}{t.minute:02d}{t.second:02d}"


def _inc_decimal(decimal: str) -> str:
    """``decimal + 1`` on a string of digits (``"99"`` → ``"100"``)."""
    digits = list(decimal)
    i = len(digits) - 1
    while i >= 0 and digits[i] == "9":
        digits[i] = "0"
        i -= 1
    if i >= 0:
        digits[i] = chr(ord(digits[i]) + 1)
        return "".join(digits)
    return "1" + "".join(digits)


def _dec_decimal(decimal: str) -> str:
    """``decimal - 1`` on a string of digits, or ``""`` if it is all zeros."""
    digits = list(decimal)
    i = len(digits) - 1
    while i >= 0 and digits[i] == "0":
        digits[i] = "9"
        i -= 1
    if i < 0:
        return ""
    if i == 0 and digits[0] == "1" and len(digits) > 1:
        return "".join(digits[1:])
    digits[i] = chr(ord(digits[i]) - 1)
    return "".join(digits)


def pseudo_version(major: str, older: str, t: datetime, rev: str) -> str:
    """Go's ``module.PseudoVersion``: the pseudo-version for commit ``rev`` made at ``t``,
    after tag ``older`` (``""`` if none) of major version ``major`` (``""`` means v0).

    >>> from datetime import datetime, UTC
    >>> t = datetime(2006, 1, 2, 15, 4, 5, tzinfo=UTC)
    >>> pseudo_version("v1", "", t, "abcdef123456")
    'v1.0.0-20060102150405-abcdef123456'
    >>> pseudo_version("", "v1.2.3", t, "abcdef123456")
    'v1.2.4-0.20060102150405-abcdef123456'
    """
    if not major:
        major = "v0"
    segment = f"{_time_segment(t)}-{rev}"
    meta = build(older)
    older = canonical(older)
    if not older:
        return f"{major}.0.0-{segment}"
    if prerelease(older):
        return f"{older}.0.{segment}{meta}"
    head, _, patch = older.rpartition(".")
    return f"{head}.{_inc_decimal(patch)}-0.{segment}{meta}"


def zero_pseudo_version(major: str) -> str:
    """Go's ``module.ZeroPseudoVersion``: ``v0.0.0-00010101000000-000000000000`` for v0."""
    return pseudo_version(major, "", datetime(1, 1, 1, tzinfo=UTC), "000000000000")


def is_pseudo_version(v: str) -> bool:
    """Whether ``v`` has the form of a pseudo-version (Go's ``module.IsPseudoVersion``).

    >>> is_pseudo_version("v0.0.0-20191109021931-daa7c04131f5"), is_pseudo_version("v1.2.3")
    (True, False)
    """
    return v.count("-") >= 2 and is_valid(v) and _PSEUDO_RE.fullmatch(v) is not None


def is_zero_pseudo_version(v: str) -> bool:
    """Whether ``v`` is :func:`zero_pseudo_version` of its own major version."""
    return v == zero_pseudo_version(major(v))


def _parse_pseudo(v: str) -> tuple[str, str, str, str]:
    """Split a pseudo-version into ``(base, timestamp, rev, build)``."""
    if not is_pseudo_version(v):
        raise InvalidVersionError(v, _PSEUDO_SYNTAX, pseudo=True)
    meta = build(v)
    rest = v[: len(v) - len(meta)]
    rest, _, rev = rest.rpartition("-")
    dash, dot = rest.rfind("-"), rest.rfind(".")
    if dot > dash:
        return rest[:dot], rest[dot + 1 :], rev, meta  # "vX.Y.Z-pre.0" or "vX.Y.(Z+1)-0"
    return rest[:dash], rest[dash + 1 :], rev, meta  # "vX.0.0"


def pseudo_version_time(v: str) -> datetime:
    """The commit time (UTC) recorded in pseudo-version ``v``.

    Raises :class:`~analysis.errors.InvalidVersionError` (``pseudo-version "V" invalid:
    syntax error`` or ``... malformed time "T"``). Go accepts year 0000, which
    :class:`datetime` cannot hold; that too is reported as a malformed time.
    """
    _, stamp, _, _ = _parse_pseudo(v)
    try:
        return datetime(
            int(stamp[0:4]),
            int(stamp[4:6]),
            int(stamp[6:8]),
            int(stamp[8:10]),
            int(stamp[10:12]),
            int(stamp[12:14]),
            tzinfo=UTC,
        )
    except ValueError:
        raise InvalidVersionError(v, f'malformed time "{stamp}"', pseudo=True) from None


def pseudo_version_rev(v: str) -> str:
    """The revision (commit hash prefix) in pseudo-version ``v``; raises like Go."""
    return _parse_pseudo(v)[2]


def pseudo_version_base(v: str) -> str:
    """The tag a pseudo-version was derived from, or ``""`` for the ``vX.0.0-…`` form.

    >>> pseudo_version_base("v1.2.4-0.20191109021931-daa7c04131f5")
    'v1.2.3'
    >>> pseudo_version_base("v2.3.0-pre.0.20191109021931-daa7c04131f5+incompatible")
    'v2.3.0-pre+incompatible'
    """
    base, _, _, meta = _parse_pseudo(v)
    pre = prerelease(base)
    if pre == "":
        if meta:
            raise InvalidVersionError(
                v, f'lacks base version, but has build metadata "{meta}"', pseudo=True
            )
        return ""
    if pre == "-0":
        base = base[: -len(pre)]
        head, _, patch = base.rpartition(".")
        dec = _dec_decimal(patch)
        if not dec:
            raise InvalidVersionError(
                v, f"version before {base} would have negative patch number", pseudo=True
            )
        return f"{head}.{dec}{meta}"
    # vX.Y.Z-pre.0.yyyymmddhhmmss-rev: the base already ends in ".0"
    return base.removesuffix(".0") + meta


# --------------------------------------------------------------------------------------
# Go toolchain versions (cmd/go/internal/gover)
# --------------------------------------------------------------------------------------

_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True, slots=True)
class _GoVersion:
    major: str
    minor: str
    patch: str
    kind: str  # "", "alpha", "beta", "rc" (or any other lowercase word)
    pre: str


_GO_ZERO = _GoVersion("", "", "", "", "")


@functools.lru_cache(maxsize=1 << 12)
def _gover_parse(x: str) -> _GoVersion:
    """Parse ``1``, ``1.21``, ``1.21.3``, ``1.21rc1``; the zero value if malformed."""
    cut = _cut_number(x)
    if cut is None:
        return _GO_ZERO
    maj, rest = cut
    if not rest:
        return _GoVersion(maj, "0", "0", "", "")
    if rest[0] != ".":
        return _GO_ZERO
    cut = _cut_number(rest[1:])
    if cut is None:
        return _GO_ZERO
    minor, rest = cut
    if not rest:
        # Before Go 1.21 "1.N" meant "1.N.0"; since then it is the language version,
        # which sorts below 1.N's prereleases and 1.N.0.
        return _GoVersion(maj, minor, "0" if _number_key(minor) < (2, "21") else "", "", "")
    if rest[0] == ".":
        cut = _cut_number(rest[1:])
        if cut is None or cut[1]:
            return _GO_ZERO  # no prereleases of patch releases
        return _GoVersion(maj, minor, cut[0], "", "")
    i = 0
    while i < len(rest) and rest[i] not in _DIGITS:
        if rest[i] not in _LOWER:
            return _GO_ZERO
        i += 1
    if i == 0:
        return _GO_ZERO
    kind, rest = rest[:i], rest[i:]
    if not rest:
        return _GoVersion(maj, minor, "", kind, "")
    cut = _cut_number(rest)
    if cut is None or cut[1]:
        return _GO_ZERO
    return _GoVersion(maj, minor, "", kind, cut[0])


@functools.lru_cache(maxsize=1 << 12)
def _gover_key(x: str) -> tuple[object, ...]:
    g = _gover_parse(x)
    # "" sorts below any number (shorter), and "" < "alpha" < "beta" < "rc".
    return (
        _number_key(g.major),
        _number_key(g.minor),
        _number_key(g.patch),
        g.kind,
        _number_key(g.pre),
    )


def gover_is_valid(x: str) -> bool:
    """Whether ``x`` is a Go version (``1.21.0``, ``1.21rc1``; no ``go`` prefix)."""
    return _gover_parse(x) != _GO_ZERO


def gover_compare(x: str, y: str) -> int:
    """Go's ``gover.Compare`` of toolchain versions (no ``go`` prefix).

    Malformed versions are equal to each other and below every valid one.

    >>> [gover_compare(a, b) for a, b in [("1.21", "1.21rc1"), ("1.21rc2", "1.21.0"), ("1.19", "1.19.0")]]
    [-1, -1, 0]
    """
    kx, ky = _gover_key(x), _gover_key(y)
    return (kx > ky) - (kx < ky)


def gover_max(x: str, y: str) -> str:
    """The greater Go version; ``x`` when they compare equal."""
    return y if gover_compare(x, y) < 0 else x


def gover_lang(x: str) -> str:
    """The language version: ``gover_lang("1.21.3") == "1.21"``, ``gover_lang("1") == "1"``."""
    g = _gover_parse(x)
    if not g.minor or (g.major == "1" and g.minor == "0"):
        return g.major
    return f"{g.major}.{g.minor}"


def gover_is_lang(x: str) -> bool:
    """Whether ``x`` names a language version (``1.21``) rather than a release (``1.21.0``)."""
    g = _gover_parse(x)
    return g != _GO_ZERO and not g.patch and not g.kind and not g.pre


def gover_is_prerelease(x: str) -> bool:
    """Whether ``x`` is an alpha, beta or rc Go version."""
    return _gover_parse(x).kind != ""


def gover_from_toolchain(name: str) -> str:
    """The Go version in a toolchain name: ``go1.21.3-bigcorp`` → ``1.21.3``; ``""`` if none."""
    if "/" in name or "\\" in name or not name.startswith("go"):
        return ""
    v = name[2:]
    cut = min((i for i in (v.find(" "), v.find("\t"), v.find("-")) if i >= 0), default=-1)
    if cut >= 0:
        v = v[:cut]
    return v if gover_is_valid(v) else ""


def _maybe_toolchain_version(name: str) -> str:
    return name if gover_is_valid(name) else gover_from_toolchain(name)


def is_toolchain_path(path: str) -> bool:
    """Whether ``path`` is one of the pseudo-modules ``go`` or ``toolchain`` that MVS
    uses for the go and toolchain lines (not the real ``golang.org/toolchain``)."""
    return path in ("go", "toolchain")


def _mod_compare_key(path: str, v: str) -> tuple[object, ...]:
    if path == "go":
        return _gover_key(v)
    if path == "toolchain":
        return _gover_key(_maybe_toolchain_version(v))
    return _compare_key(v)


def mod_compare(path: str, v: str, w: str) -> int:
    """Go's ``gover.ModCompare``: Go-version order for ``go`` and ``toolchain``
    (``go1.21.0`` or ``1.21.0``), semver order for every other module path.

    >>> mod_compare("toolchain", "go1.21rc1", "go1.21.0"), mod_compare("m.io/x", "v1.9.0", "v1.10.0")
    (-1, -1)
    """
    kv, kw = _mod_compare_key(path, v), _mod_compare_key(path, w)
    return (kv > kw) - (kv < kw)


def cmp_version(path: str, v1: str, v2: str) -> int:
    """cmd/go's ``cmpVersion``: :func:`mod_compare`, with ``""`` (a main module) above
    every version and ``none`` (MVS's "absent") below every other version.

    >>> cmp_version("m.io/x", "", "v9.0.0"), cmp_version("m.io/x", "none", "v0.0.1")
    (1, -1)
    """
    if v1 == v2:
        return 0
    if v2 == "":
        return -1
    if v1 == "":
        return 1
    if v1 == NONE:
        return -1
    if v2 == NONE:
        return 1
    return mod_compare(path, v1, v2)


def mod_sort_key(path: str, version: str) -> tuple[object, ...]:
    """A key that orders ``(path, version)`` pairs like Go's ``gover.ModSort``: by path,
    then by :func:`mod_compare` of the version, then by plain string; a ``/go.mod``
    style suffix on the version (as in go.sum) sorts after its version."""
    vers, slash, suffix = version.partition("/")
    return (path, _mod_compare_key(path, vers), vers, slash + suffix)


def mod_is_valid(path: str, version: str) -> bool:
    """Go's ``gover.ModIsValid``: whether ``version`` is valid syntax for ``path``."""
    if path == "go":
        return gover_is_valid(version)
    if path == "toolchain":
        return gover_is_valid(gover_from_toolchain(version))
    return is_valid(version)


def mod_is_prerelease(path: str, version: str) -> bool:
    """Go's ``gover.ModIsPrerelease`` (``version`` assumed valid for ``path``)."""
    if path == "go":
        return gover_is_prerelease(version)
    if path == "toolchain":
        return gover_is_prerelease(gover_from_toolchain(version))
    return is_prerelease(version)


def version_depth(version: str) -> int:
    """How many questions in a row the upgrade from ``version`` may take, 0 (most: a
    pseudo-version) to 2 (fewest: a plain release); modules deeper in questions are
    asked about first (see :func:`analysis.updates.list_updates`)."""
    if is_pseudo_version(version):
        return 0
    return 1 if prerelease(version) or build(version) else 2
