"""OSV entries of the Go vulnerability database, and which module versions they affect.

An entry (``ID/GO-YYYY-NNNN.json``) names modules and, for each, ranges of events::

    {"id": "GO-2023-0001", "aliases": ["CVE-…"], "summary": "…",
     "affected": [{"package": {"name": "example.com/m", "ecosystem": "Go"},
                   "ranges": [{"type": "SEMVER",
                               "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}]}]}

The rules, as the OSV schema states them and govulncheck applies them:

* versions in events are semver **without** the ``v`` (``1.2.3``, ``0.0.0-2020…-abcdef``);
  ``introduced: "0"`` is the beginning of time;
* a range affects the versions from each ``introduced`` (inclusive) up to the next
  ``fixed`` (exclusive), events taken in version order;
* several ranges are alternatives: a version is affected when any ``SEMVER`` range covers it;
  no ranges at all (or none of type ``SEMVER``) means every version is affected;
* comparison is Go's semver: prereleases sort before their release, build metadata
  (``+incompatible``) is ignored;
* the standard library is the pseudo-module ``stdlib`` and the go command the pseudo-module
  ``toolchain``; their versions are Go versions (``go1.21.3``, ``go1.22rc1``) written as
  semver (``1.21.3``, ``1.22.0-rc.1``) — :func:`go_semver` converts.

>>> e = parse_entry(b'{"id":"GO-1","affected":[{"package":{"name":"m"},'
...     b'"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}')
>>> affects(e, "m", "v1.1.9"), affects(e, "m", "v1.2.0")
(True, False)
>>> fixed_version(e, "m", "v1.0.0")
'v1.2.0'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from analysis import semver
from analysis.errors import InvalidOSV

__all__ = [
    "STDLIB",
    "TOOLCHAIN",
    "Affected",
    "Entry",
    "Event",
    "InvalidOSV",
    "Range",
    "affects",
    "affects_ranges",
    "fixed_version",
    "go_semver",
    "parse_entry",
]

STDLIB = "stdlib"
"""The pseudo-module of the Go standard library."""
TOOLCHAIN = "toolchain"
"""The pseudo-module of the go command itself."""


@dataclass(frozen=True)
class Event:
    """One range event: exactly one of ``introduced`` and ``fixed`` is set (no ``v``)."""

    introduced: str = ""
    fixed: str = ""


@dataclass(frozen=True)
class Range:
    type: str
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Affected:
    module: str
    ranges: tuple[Range, ...]


@dataclass(frozen=True)
class Entry:
    """The parts of an OSV entry gomodx uses."""

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    modified: str = ""
    withdrawn: str = ""
    affected: tuple[Affected, ...] = field(default=())

    def modules(self) -> list[str]:
        """The modules this entry names, in its order, once each."""
        return list(dict.fromkeys(a.module for a in self.affected))


def _strings(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidOSV(f"{what}: want a list of strings")
    return tuple(value)


def _string(obj: dict[str, object], key: str, where: str) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str):
        raise InvalidOSV(f"{where}: {key}: want a string")
    return value


def parse_entry(data: bytes | str, *, source: str = "OSV entry") -> Entry:
    """Parse one OSV entry; :class:`InvalidOSV` (naming ``source``) when it is not one."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidOSV(f"{source}: not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise InvalidOSV(f"{source}: not a JSON object")
    ident = _string(raw, "id", source)
    if not ident:
        raise InvalidOSV(f"{source}: no id")
    where = f"{source} ({ident})"
    affected: list[Affected] = []
    items = raw.get("affected") or []
    if not isinstance(items, list):
        raise InvalidOSV(f"{where}: affected: want a list")
    for item in items:
        if not isinstance(item, dict):
            raise InvalidOSV(f"{where}: affected: want objects")
        package = item.get("package")
        if not isinstance(package, dict):
            raise InvalidOSV(f"{where}: affected: no package")
        name = _string(package, "name", where)
        ranges: list[Range] = []
        raw_ranges = item.get("ranges") or []
        if not isinstance(raw_ranges, list):
            raise InvalidOSV(f"{where}: ranges: want a list")
        for r in raw_ranges:
            if not isinstance(r, dict):
                raise InvalidOSV(f"{where}: ranges: want objects")
            events: list[Event] = []
            raw_events = r.get("events") or []
            if not isinstance(raw_events, list):
                raise InvalidOSV(f"{where}: events: want a list")
            for e in raw_events:
                if not isinstance(e, dict):
                    raise InvalidOSV(f"{where}: events: want objects")
                intro, fixed = _string(e, "introduced", where), _string(e, "fixed", where)
                if bool(intro) == bool(fixed):
                    raise InvalidOSV(f"{where}: event must have exactly one of introduced, fixed")
                for v in (intro, fixed):
                    if v and v != "0" and not semver.is_valid("v" + v):
                        raise InvalidOSV(f"{where}: invalid semver {v!r} in event")
                events.append(Event(intro, fixed))
            ranges.append(Range(_string(r, "type", where), tuple(events)))
        affected.append(Affected(name, tuple(ranges)))
    return Entry(
        id=ident,
        aliases=_strings(raw.get("aliases"), f"{where}: aliases"),
        summary=_string(raw, "summary", where),
        details=_string(raw, "details", where),
        modified=_string(raw, "modified", where),
        withdrawn=_string(raw, "withdrawn", where),
        affected=tuple(affected),
    )


_GO_VERSION = re.compile(r"^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?$")


def go_semver(version: str) -> str:
    """A Go version as semver with ``v`` (``""`` when it is not one).

    >>> go_semver("go1.21.3"), go_semver("1.22rc1"), go_semver("go1.21"), go_semver("go1.9")
    ('v1.21.3', 'v1.22.0-rc.1', 'v1.21.0', 'v1.9.0')
    """
    v = version if version.startswith("go") else "go" + version
    m = _GO_VERSION.match(v)
    if not m:
        return ""
    major, minor, patch, kind, n = m.groups()
    out = f"v{major}.{minor or 0}.{patch or 0}"
    if kind:
        out += f"-{kind}.{n}"
    return out


def _key(v: str) -> tuple[object, ...]:
    # build metadata (+incompatible) does not take part in the order
    return semver.sort_key(semver.canonical(v))


def _norm(path: str, version: str) -> str:
    """``version`` as comparable semver with ``v``; Go versions for stdlib and toolchain."""
    if path in (STDLIB, TOOLCHAIN) and not semver.is_valid(version):
        return go_semver(version)
    v = version if version.startswith("v") else "v" + version
    return semver.canonical(v) if semver.is_valid(v) else ""


def _contains(r: Range, v: str) -> bool:
    if not r.events:
        return True
    # Introduced "0" first, then by version; a fixed and an introduced at the same
    # version keep their order in the file.
    ordered = sorted(
        r.events,
        key=lambda e: (0,) if e.introduced == "0" else (1, _key("v" + (e.introduced or e.fixed))),
    )
    key = _key(v)
    affected = False
    for e in ordered:
        if not affected and e.introduced:
            affected = e.introduced == "0" or key >= _key("v" + e.introduced)
        elif affected and e.fixed:
            affected = key < _key("v" + e.fixed)
    return affected


def affects_ranges(ranges: Sequence[Range], version: str) -> bool:
    """Whether ``version`` (semver with ``v``) falls in ``ranges`` (see the module doc)."""
    if not ranges:
        return True
    semver_ranges = [r for r in ranges if r.type == "SEMVER"]
    if not semver_ranges:
        return True
    return any(_contains(r, version) for r in semver_ranges)


def affects(entry: Entry, path: str, version: str) -> bool:
    """Whether ``entry`` affects module ``path`` at ``version``.

    ``version`` is the build list's (``v1.2.3``; ``go1.21.3`` or ``v1.21.3`` for stdlib and
    toolchain). An empty or unparsable version is affected when any range could cover it
    (the conservative answer: we cannot say it is safe).
    """
    v = _norm(path, version)
    for a in entry.affected:
        if a.module != path:
            continue
        if not v or affects_ranges(a.ranges, v):
            return True
    return False


def fixed_version(entry: Entry, path: str, version: str) -> str:
    """The nearest version above ``version`` that ``entry`` no longer affects (``v`` form;
    ``go1.x`` form for stdlib and toolchain), or ``""`` when no fix is known."""
    v = _norm(path, version)
    if not v:
        return ""
    candidates: list[str] = []
    for a in entry.affected:
        if a.module != path:
            continue
        for r in a.ranges:
            candidates.extend("v" + e.fixed for e in r.events if e.fixed)
    for c in sorted(set(candidates), key=_key):
        if _key(c) <= _key(v):
            continue
        if not affects(entry, path, c):
            return _go_version(c) if path in (STDLIB, TOOLCHAIN) else c
    return ""


def _go_version(v: str) -> str:
    """``v1.21.3`` → ``go1.21.3``; ``v1.22.0-rc.1`` → ``go1.22rc1``."""
    m = re.match(r"^v(\d+)\.(\d+)\.(\d+)(?:-(rc|beta)\.(\d+))?$", v)
    if not m:
        return v
    major, minor, patch, kind, n = m.groups()
    if kind:
        return f"go{major}.{minor}{kind}{n}"
    if patch == "0" and (int(major), int(minor)) < (1, 21):
        return f"go{major}.{minor}"  # before Go 1.21 the first release was go1.N
    return f"go{major}.{minor}.{patch}"


def ids(entries: Iterable[Entry]) -> list[str]:
    """The IDs of ``entries``, sorted."""
    return sorted({e.id for e in entries})
