"""Go's version queries (``modload.Query``): ``latest``, ``upgrade``, ``patch``, ``v1``,
``v1.2``, ``v1.2.3``, ``<v``, ``<=v``, ``>v``, ``>=v`` and revisions.

A query runs against a :class:`Repository` — one module's versions, ``.info`` answers,
``@latest`` and go.mod files, the main module's replacements already merged in (as
:class:`~analysis.source.ModuleView` does it) — and an ``allowed`` check (exclusions and
retractions). It picks a version by Go's rules: the query's range (``queryMatcher``),
releases before prereleases, ``+incompatible`` versions only when the last compatible
one has no go.mod (``filterVersions``), ``@latest`` as the last resort, never an
"upgrade" to something older than the current pseudo-version.

>>> is_revision_query("example.com/m", "master"), is_revision_query("example.com/m", "v1.2")
(True, False)

A failure is a :class:`~analysis.errors.QueryError` whose ``kind`` classifies it as go
does; network trouble, credentials and checksum failures pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from analysis import semver
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    Disallowed,
    GomodxError,
    ModuleError,
    ModuleNotFound,
    ProxyError,
    ProxyUnavailable,
    QueryError,
)
from analysis.goproxy import RevInfo
from analysis.modpath import check_path_major, split_path_version
from analysis.module import NONE, ModuleVersion
from analysis.summary import strip_module_prefix

__all__ = [
    "Repository",
    "is_revision_query",
    "reraise_transient",
    "run_query",
]


class Repository(Protocol):
    """What a query reads: Go's ``Repo`` for each module (replacements merged in) and
    ``versionHasGoMod``. Each coroutine raises the source's error
    (:class:`~analysis.errors.ProxyError`, :class:`~analysis.errors.ModuleError`)."""

    async def repo_versions(self, path: str) -> tuple[str, ...]:
        """``Versions("")``: the tagged versions, in semver order."""
        ...

    async def repo_stat(self, path: str, rev: str) -> RevInfo:
        """``Stat(rev)``: the canonical version of a version or revision."""
        ...

    async def repo_latest(self, path: str) -> RevInfo:
        """``Latest()``: the repository's latest version."""
        ...

    async def has_go_mod(self, m: ModuleVersion) -> bool:
        """Whether ``m`` has a real go.mod (not a synthesized one)."""
        ...


def is_revision_query(path: str, query: str) -> bool:
    """Go's ``IsRevisionQuery``: a query naming one revision rather than choosing."""
    if query in ("latest", "upgrade", "patch") or query[:1] in ("<", ">"):
        return False
    return not (semver.mod_is_valid(path, query) and _mod_is_prefix(path, query))


def _mod_is_prefix(path: str, version: str) -> bool:
    """``gover.ModIsPrefix``: ``v1`` or ``v1.2`` (not a complete version)."""
    if semver.is_toolchain_path(path):
        v = semver.gover_from_toolchain(version) if path == "toolchain" else version
        return semver.gover_is_lang(v)
    dots = 0
    for c in version:
        if c in "-+":
            return False
        if c == ".":
            dots += 1
            if dots >= 2:
                return False
    return True


async def run_query(
    repo: Repository,
    path: str,
    query: str,
    current: str,
    allowed: Callable[[ModuleVersion], Awaitable[None]] | None,
    main_path: str = "",
    allowed_now: Callable[[str], bool | None] | None = None,
) -> RevInfo:
    """``modload.Query``: resolve ``path@query`` relative to ``current`` in ``repo``.

    ``allowed(m)`` raises :class:`~analysis.errors.Disallowed` for versions that must not
    be chosen (``None`` allows everything); ``allowed_now(v)``, when given, is its answer
    for version ``v`` without waiting — ``True``, ``False`` (disallowed), or ``None``
    when only ``allowed`` can tell (a query weighs every listed version: most answers are
    known, and a coroutine for each costs more than the rest of the weighing).
    ``main_path`` is the main module, which ``upgrade`` and ``patch`` leave alone.
    Raises :class:`~analysis.errors.QueryError` (or the repository's error, e.g. a
    :class:`~analysis.errors.LoadError`) when nothing matches.
    """
    if current not in ("", NONE) and not semver.mod_is_valid(path, current):
        raise QueryError(f"invalid previous version {path}@{current}")
    if main_path and path == main_path and query in ("upgrade", "patch"):
        return RevInfo("")
    matcher = _Matcher.new(path, query, current)

    async def disallowed(v: str) -> Disallowed | None:
        # Only ErrDisallowed counts; failing to load retractions allows the version.
        if allowed is None:
            return None
        try:
            await allowed(ModuleVersion(path, v))
        except Disallowed as exc:
            return exc
        except GomodxError:
            return None
        return None

    async def allows(v: str) -> bool:
        return matcher.admits(v) and await disallowed(v) is None

    def allows_now(v: str) -> bool | None:
        if not matcher.admits(v):
            return False
        if allowed is None:
            return True
        return None if allowed_now is None else allowed_now(v)

    if matcher.can_stat or matcher.revision:
        info = await _stat_query(repo, path, query)
        no = await disallowed(info.version)
        if no is not None:
            raise no
        return info

    try:
        listed = await repo.repo_versions(path)
    except (ProxyError, ModuleError) as exc:
        reraise_transient(exc)
        kind = "not-exist" if isinstance(exc, ModuleNotFound) else "other"
        raise QueryError(
            str(exc), kind, strip_module_prefix(str(exc), ModuleVersion(path)), exc
        ) from None
    if matcher.prefix:
        listed = tuple(v for v in listed if v.startswith(matcher.prefix))
    releases, prereleases = await _filter(repo, matcher, listed, allows, allows_now)

    async def lookup(v: str) -> RevInfo:
        try:
            rev = await repo.repo_stat(path, v)
        except (ProxyError, ModuleError) as exc:
            reraise_transient(exc)
            raise _stat_error(path, v, exc) from None
        if (
            query in ("upgrade", "patch")
            and semver.is_pseudo_version(current)
            and rev.time is not None
        ):
            # Never "upgrade" from a pseudo-version to a chronologically older one.
            try:
                when = semver.pseudo_version_time(current)
            except GomodxError:
                when = None
            if when is not None and rev.time < when:
                no = await disallowed(current)
                if no is not None:
                    raise no
                try:
                    return await repo.repo_stat(path, current)
                except (ProxyError, ModuleError) as exc:
                    reraise_transient(exc)
                    raise _stat_error(path, current, exc) from None
        return rev

    if matcher.prefer_lower:
        if releases:
            return await lookup(releases[0])
        if prereleases:
            return await lookup(prereleases[0])
    else:
        if releases:
            return await lookup(releases[-1])
        if prereleases:
            return await lookup(prereleases[-1])
    if matcher.may_use_latest:
        try:
            latest = await repo.repo_latest(path)
        except ModuleNotFound:
            latest = None
        except (ProxyError, ModuleError) as exc:
            reraise_transient(exc)
            raise QueryError(str(exc), err=exc) from None
        if latest is not None and await allows(latest.version):
            return await lookup(latest.version)
    if query in ("upgrade", "patch") and current not in ("", NONE):
        no = await disallowed(current)
        if no is not None:
            raise no
        return await lookup(current)
    suffix = ""
    if query in ("upgrade", "patch") and current not in ("", NONE):
        suffix = f" (current version is {current})"
    raise QueryError(f'no matching versions for query "{query}"{suffix}', "no-match")


async def _stat_query(repo: Repository, path: str, query: str) -> RevInfo:
    """Stat a complete version or a revision; ``v1.2.3+meta`` falls back to ``v1.2.3``."""
    try:
        return await repo.repo_stat(path, query)
    except (ProxyError, ModuleError) as exc:
        reraise_transient(exc)
        canonical = semver.canonical_version(query) if semver.is_valid(query) else ""
        if canonical and canonical != query:
            try:
                return await repo.repo_stat(path, canonical)
            except (ProxyError, ModuleError) as second:
                reraise_transient(second)
        raise _stat_error(path, query, exc) from None


async def _filter(
    repo: Repository,
    matcher: _Matcher,
    versions: Iterable[str],
    allows: Callable[[str], Awaitable[bool]],
    allows_now: Callable[[str], bool | None],
) -> tuple[list[str], list[str]]:
    """``filterVersions``: allowed releases and prereleases, +incompatible trimmed
    (``allows_now``: :func:`run_query`'s answer without waiting, when it has one)."""
    releases: list[str] = []
    prereleases: list[str] = []
    need_incompatible = matcher.prefer_incompatible
    last_compatible = ""
    for v in versions:
        ok = allows_now(v)
        if ok is None:
            ok = await allows(v)
        if not ok:
            continue
        if not need_incompatible:
            if not v.endswith("+incompatible"):
                last_compatible = v
            elif last_compatible:
                has = await repo.has_go_mod(ModuleVersion(matcher.path, last_compatible))
                if has:
                    break
                need_incompatible = True
        if semver.mod_is_prerelease(matcher.path, v):
            prereleases.append(v)
        else:
            releases.append(v)
    return releases, prereleases


_TRANSIENT = (ProxyUnavailable, AuthRequired, ChecksumMismatch)


def reraise_transient(exc: BaseException) -> None:
    """Network trouble, credentials and checksum failures are not "no such version":
    they end the computation instead of steering it."""
    if isinstance(exc, _TRANSIENT):
        raise exc


def _stat_error(path: str, rev: str, exc: BaseException) -> QueryError:
    kind = "not-exist" if isinstance(exc, ModuleNotFound) else "other"
    text = str(exc)
    reason = strip_module_prefix(text, ModuleVersion(path, rev))
    if not (semver.is_valid(rev) and semver.canonical_version(rev) == rev):
        # A revision that is not a canonical version: go says "invalid version".
        text = f"{path}@{rev}: invalid version: {reason}"
        kind = "invalid-version" if kind != "not-exist" else kind
    return QueryError(text, kind, reason, exc)


@dataclass(frozen=True)
class _Matcher:
    """``queryMatcher``: which versions a query admits and how to pick among them."""

    path: str
    prefix: str = ""
    low: str = ""
    low_inclusive: bool = True
    high: str = ""
    high_inclusive: bool = True
    exact: str = ""
    can_stat: bool = False
    revision: bool = False
    prefer_lower: bool = False
    may_use_latest: bool = False
    prefer_incompatible: bool = False

    @classmethod
    def new(cls, path: str, query: str, current: str) -> _Matcher:
        def bad(v: str) -> QueryError:
            return QueryError(f'invalid semantic version "{v}" in range "{query}"', "invalid")

        def matches_major(v: str) -> bool:
            _, path_major, ok = split_path_version(path)
            if not ok:
                return False
            try:
                check_path_major(v, path_major)
            except GomodxError:
                return False
            return True

        incompatible = current.endswith("+incompatible")
        if query == "latest":
            return cls(path, may_use_latest=True, prefer_incompatible=incompatible)
        if query == "upgrade":
            if current in ("", NONE):
                return cls(path, may_use_latest=True, prefer_incompatible=incompatible)
            return cls(
                path,
                low=current,
                may_use_latest=semver.is_pseudo_version(current),
                prefer_incompatible=incompatible,
            )
        if query == "patch":
            if current in ("", NONE):
                raise QueryError(
                    f'can\'t query version "patch" of module {path}: no existing version is required',
                    "no-patch-base",
                )
            return cls(
                path,
                prefix=semver.major_minor(current) + ".",
                low=current,
                may_use_latest=semver.is_pseudo_version(current),
                prefer_incompatible=incompatible,
            )
        for op in ("<=", "<", ">=", ">"):
            if query.startswith(op):
                v = query[len(op) :]
                if not semver.mod_is_valid(path, v):
                    raise bad(v)
                if op in ("<=", ">") and _mod_is_prefix(path, v):
                    raise QueryError(
                        f'ambiguous semantic version "{v}" in range "{query}"', "invalid"
                    )
                pi = incompatible or not matches_major(v)
                if op == "<=":
                    return cls(path, high=v, prefer_incompatible=pi)
                if op == "<":
                    return cls(path, high=v, high_inclusive=False, prefer_incompatible=pi)
                if op == ">=":
                    return cls(path, low=v, prefer_lower=True, prefer_incompatible=pi)
                return cls(
                    path, low=v, low_inclusive=False, prefer_lower=True, prefer_incompatible=pi
                )
        if semver.mod_is_valid(path, query):
            pi = incompatible or not matches_major(query)
            if _mod_is_prefix(path, query):
                return cls(path, prefix=query + ".", low=query, prefer_incompatible=pi)
            return cls(
                path,
                exact=query,
                can_stat=True,
                prefix=semver.canonical(query),
                prefer_incompatible=pi,
            )
        return cls(path, revision=True)

    def admits(self, v: str) -> bool:
        """``allowsVersion`` without the allowed function."""
        if self.prefix and not v.startswith(self.prefix):
            return False
        if self.low:
            c = semver.mod_compare(self.path, v, self.low)
            if c < 0 or (c == 0 and not self.low_inclusive):
                return False
        if self.high:
            c = semver.mod_compare(self.path, v, self.high)
            if c > 0 or (c == 0 and not self.high_inclusive):
                return False
        return not (self.exact and semver.mod_compare(self.path, v, self.exact) != 0)
