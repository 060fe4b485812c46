"""The module world as ``go get`` sees it: versions, go.mod files, retractions, queries.

Two layers:

* :class:`ModuleSource` is where bytes come from — a GOPROXY client
  (:class:`ProxySource` adapts :class:`~analysis.proxy.ProxyClient`, ``file://`` proxies
  included), or anything with the same five coroutines. A :class:`ProxySource` also serves
  as the loader's :class:`~analysis.loader.GoModSource`.
* :class:`ModuleView` puts the main module's ``exclude`` and ``replace`` directives on top,
  the way cmd/go's ``modload`` does, and memoises everything: ``goModSummary`` (replacement,
  exclusions, the ``module`` line check, ``go@V`` for go.mod files at ``go >= 1.21``),
  ``CheckAllowed`` (exclusions and retractions from the latest version's go.mod),
  ``previousVersion`` and version queries (``latest``, ``upgrade``, ``patch``, ``v1``,
  ``v1.2``, ``v1.2.3``, ``<v``, ``<=v``, ``>v``, ``>=v``, revisions). It records which
  go.mod files and zips it read, because ``go get`` writes go.sum lines for exactly those.

Concurrent callers share one request per file::

    >>> async def latest_allowed(client, main_file, main_dir):    # doctest: +SKIP
    ...     view = ModuleView(ProxySource(client), main_file, main_dir)
    ...     return (await view.query("golang.org/x/text", "latest")).version

Errors carry the text go prints after ``go: `` (``module.ModuleError`` shapes such as
``example.com/m@v1.9.0: reading …/@v/v1.9.0.info: no such file or directory``).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from analysis import semver
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    Disallowed,
    GomodxError,
    LoadError,
    ModfileError,
    ModuleError,
    ModuleNotFound,
    ProxyError,
    ProxyUnavailable,
    QueryError,
)
from analysis.memo import Memo
from analysis.modfile import ModFile, auto_quote, parse_lax
from analysis.modpath import check_path, check_path_major, split_path_version
from analysis.module import NONE, ModuleVersion
from analysis.proxy import GoModFile, ProxyClient, RevInfo
from analysis.semver import cmp_version

__all__ = [
    "DEFAULT_GO_MOD_VERSION",
    "LOCAL_GO_VERSION",
    "ModuleSource",
    "ModuleView",
    "ProxySource",
    "Summary",
    "cmp_version",
    "is_revision_query",
    "short_message",
]

DEFAULT_GO_MOD_VERSION = "1.16"
"""The go version of a go.mod with no ``go`` line (``gover.DefaultGoModVersion``)."""

LOCAL_GO_VERSION = "1.27.3"
"""The go command gomodx imitates (``gover.Local()``) when no other version is given."""

PRUNING_VERSION = "1.17"
"""Graphs of modules at this go version and newer are pruned (``ExplicitIndirectVersion``)."""

STRICT_VERSION = "1.21"
"""From this go version on, ``go@V`` is part of the graph (``gover.GoStrictVersion``)."""


# -- sources ----------------------------------------------------------------------------


class ModuleSource(Protocol):
    """Where module metadata comes from (a GOPROXY client, a cache, a test double).

    Each coroutine raises :class:`~analysis.errors.ModuleNotFound` (or another
    :class:`~analysis.errors.ProxyError`) worded as go words it: ``path@version: reason``
    for a version, ``module path: reason`` for a list.
    """

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        """The go.mod of ``mod`` exactly as served."""
        ...

    async def versions(self, path: str) -> tuple[str, ...]:
        """The tagged versions the proxy lists (``@v/list``), in semver order."""
        ...

    async def stat(self, path: str, rev: str) -> RevInfo:
        """``@v/REV.info``: the canonical version of a version or revision."""
        ...

    async def latest(self, path: str) -> RevInfo:
        """``@latest``: the proxy's latest version when the list is empty."""
        ...

    async def zip(self, mod: ModuleVersion) -> bytes:
        """The module zip of ``mod``."""
        ...


class ProxySource:
    """:class:`ModuleSource` (and the loader's ``GoModSource``) over a :class:`ProxyClient`.

    The client honours GOPROXY (``file://`` entries included), the module caches and
    go.sum; it also memoises, so asking twice costs nothing.
    """

    def __init__(self, client: ProxyClient) -> None:
        self.client = client

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        return (await self.client.gomod(mod.path, mod.version)).data

    async def go_mod_file(self, mod: ModuleVersion) -> GoModFile:
        """The go.mod with the client's lax parse (:meth:`GoModFile.lax`): the loader and
        the view read it without parsing the bytes a second time."""
        return await self.client.gomod(mod.path, mod.version)

    async def versions(self, path: str) -> tuple[str, ...]:
        return (await self.client.versions(path)).versions

    async def stat(self, path: str, rev: str) -> RevInfo:
        return await self.client.stat(path, rev)

    async def latest(self, path: str) -> RevInfo:
        return await self.client.latest(path)

    async def zip(self, mod: ModuleVersion) -> bytes:
        return await self.client.zip(mod.path, mod.version)


@dataclass(frozen=True)
class Summary:
    """``modFileSummary``: what the graph and queries need from one go.mod."""

    module_path: str = ""
    go_version: str = ""
    toolchain: str = ""
    require: tuple[ModuleVersion, ...] = ()
    retract: tuple[tuple[str, str, str], ...] = ()
    deprecated: str = ""
    pruned: bool = True
    """Whether the go.mod supports graph pruning (``go >= 1.17``; no ``go`` line: no)."""


# -- helpers ----------------------------------------------------------------------------


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


def retracted(
    path: str, version: str, intervals: Iterable[tuple[str, str, str]]
) -> tuple[bool, tuple[str, ...]]:
    """Whether ``version`` lies in one of the ``(low, high, rationale)`` retract intervals,
    and the non-empty rationales of those that hold it, in go.mod order."""
    hit = False
    why: list[str] = []
    for low, high, rationale in intervals:
        if (
            semver.mod_compare(path, low, version) <= 0
            and semver.mod_compare(path, version, high) <= 0
        ):
            hit = True
            if rationale:
                why.append(rationale)
    return hit, tuple(why)


def retractions_error(m: ModuleVersion, reason: str) -> GomodxError:
    """Go's ``retractionLoadingError`` for checking version ``m``."""
    return GomodxError(f"loading module retractions for {m}: {reason}")


def short_message(message: str, empty_default: str) -> str:
    """``modload.ShortMessage``: the first line, trimmed, safe to print."""
    message = message.split("\n", 1)[0].strip()
    if not message:
        return empty_default
    if len(message.encode()) > 500:
        return "(message omitted: too long)"
    if any(not (c.isprintable() or c.isspace()) for c in message):
        return "(message omitted: contains non-printable characters)"
    return message


def strip_module_prefix(text: str, m: ModuleVersion) -> str:
    """``text`` without Go's ``module.ModuleError`` prefix for ``m`` (``path@version: ``
    or ``module path: ``)."""
    for prefix in (f"{m.path}@{m.version}: ", f"module {m.path}: "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def os_reason(exc: OSError) -> str:
    """The errno text as Go spells it, in lower case (``no such file or directory``)."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def short_path(name: str, cwd: Path) -> str:
    """``base.ShortPath`` with the main module directory as the working directory."""
    try:
        rel = os.path.relpath(name, cwd)
    except ValueError:
        return name
    return rel if len(rel) < len(name) else name


def _zero_pseudo(path: str) -> str:
    _, path_major, ok = split_path_version(path)
    major = path_major[1:] if ok and path_major else "v0"
    return semver.zero_pseudo_version(major)


# -- the main go.mod ----------------------------------------------------------------------


def main_module(f: ModFile) -> ModuleVersion:
    """The main module of go.mod ``f`` (version ``""``); go's error when it has no
    ``module`` line."""
    if f.module is None:
        raise GomodxError(
            "error reading go.mod: missing module declaration. To specify the module"
            " path:\n\tgo mod edit -module=example.com/mod"
        )
    return ModuleVersion(f.module.mod.path, "")


def roots_from_mod_file(
    f: ModFile, excluded: frozenset[ModuleVersion]
) -> tuple[list[ModuleVersion], set[str], list[ModuleVersion]]:
    """``rootsFromModFile``: the roots (requirements not on ``excluded`` versions, plus
    ``go``, 1.16 when the line is missing, and ``toolchain``) in ModSort order, the direct
    paths, and the requirements dropped as excluded."""
    roots: list[ModuleVersion] = []
    direct: set[str] = set()
    dropped: list[ModuleVersion] = []
    for r in f.require:
        if r.mod in excluded:
            dropped.append(r.mod)  # go: dropping requirement on excluded version
            continue
        roots.append(r.mod)
        if not r.indirect:
            direct.add(r.mod.path)
    roots.append(ModuleVersion("go", f.go.version if f.go is not None else DEFAULT_GO_MOD_VERSION))
    direct.add("go")
    if f.toolchain is not None and f.toolchain.name:
        roots.append(ModuleVersion("toolchain", f.toolchain.name))
    roots.sort(key=lambda m: semver.mod_sort_key(m.path, m.version))
    return roots, direct, dropped


def has_redundant_root(main: ModuleVersion, roots: Sequence[ModuleVersion]) -> bool:
    """Whether sorted ``roots`` name a path twice, or the main module (``loadModFile``
    then brings the roots up to date before anything else)."""
    return any(
        m.path == main.path or (i > 0 and m.path == roots[i - 1].path) for i, m in enumerate(roots)
    )


# -- go.mod summaries (goModSummary) ----------------------------------------------------


def supports_pruning(go_version: str) -> bool:
    """Whether a go.mod at ``go_version`` has a pruned module graph (``go >= 1.17``)."""
    return semver.gover_compare(go_version, PRUNING_VERSION) >= 0


def replace_map(f: ModFile) -> dict[ModuleVersion, ModuleVersion]:
    """``toReplaceMap``: one target per ``replace`` key; two different targets are an error."""
    out: dict[ModuleVersion, ModuleVersion] = {}
    for r in f.replace:
        prev = out.get(r.old)
        if prev is not None and prev != r.new:
            raise GomodxError(f"conflicting replacements for {r.old}:\n\t{prev}\n\t{r.new}")
        out[r.old] = r.new
    return out


def lookup_replacement(
    replacements: Mapping[ModuleVersion, ModuleVersion], m: ModuleVersion
) -> ModuleVersion | None:
    """``Replacement``: the exact ``path version`` key first, then the path-only key."""
    r = replacements.get(m)
    if r is None and m.version:
        r = replacements.get(ModuleVersion(m.path, ""))
    return r


def summarize(f: ModFile) -> Summary:
    """``summaryFromModFile``: requirements (plus ``go@V`` at 1.21+), retractions."""
    require = [r.mod for r in f.require]
    go = f.go.version if f.go is not None else ""
    if go and semver.gover_compare(go, STRICT_VERSION) >= 0:
        require.append(ModuleVersion("go", go))
    return Summary(
        module_path=f.module.mod.path if f.module is not None else "",
        go_version=go,
        toolchain=f.toolchain.name if f.toolchain is not None else "",
        require=tuple(require),
        retract=tuple((r.low, r.high, r.rationale) for r in f.retract),
        deprecated=f.module.deprecated if f.module is not None else "",
        pruned=bool(go) and supports_pruning(go),
    )


_SIMPLE_TOKEN = re.compile(r"[A-Za-z0-9._~/-]+\Z")
_SIMPLE_GO = re.compile(r"[1-9][0-9]*\.(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))?\Z")
_SIMPLE_BYTES = re.compile(rb"[\t\n\x20-\x7e]*\Z")


def simple_summary(data: bytes) -> Summary | None:
    """:func:`summarize` of ``parse_lax(data)`` without the parser, for the plainest go.mod
    files only: ``module``, ``go`` and ``require`` lines (single or in one block), canonical
    versions, no comments but a trailing ``// indirect``, nothing quoted. ``None`` for
    anything else (the caller parses): the answer is the parser's whenever there is one.
    """
    if not _SIMPLE_BYTES.match(data):
        return None
    module = go = ""
    require: list[ModuleVersion] = []
    in_block = False
    for raw in data.decode("ascii").split("\n"):
        if "//" in raw:
            head, _, tail = raw.partition("//")
            if tail.strip() != "indirect" or "//" in tail:
                return None
            words = head.split()
            if not (len(words) == 2 and in_block) and not (
                len(words) == 3 and words[0] == "require"
            ):
                return None
        else:
            words = raw.split()
        if not words:
            continue
        if in_block:
            if words == [")"]:
                in_block = False
                continue
            if len(words) != 2:
                return None
            path, version = words
        elif words[0] == "require":
            if words == ["require", "("]:
                in_block = True
                continue
            if len(words) != 3:
                return None
            path, version = words[1], words[2]
        elif words[0] == "module" and len(words) == 2 and not module:
            if not _SIMPLE_TOKEN.match(words[1]) or words[1] in ("(", ")"):
                return None
            module = words[1]
            continue
        elif words[0] == "go" and len(words) == 2 and not go:
            if not _SIMPLE_GO.match(words[1]):
                return None
            go = words[1]
            continue
        else:
            return None
        if not _SIMPLE_TOKEN.match(path) or not _SIMPLE_TOKEN.match(version):
            return None
        if semver.canonical_version(version) != version:
            return None
        try:
            check_path(path)
            _, path_major, ok = split_path_version(path)
            if not ok:
                return None
            check_path_major(version, path_major)
        except GomodxError:
            return None
        require.append(ModuleVersion(path, version))
    if in_block or not module:
        return None
    if go and semver.gover_compare(go, STRICT_VERSION) >= 0:
        require.append(ModuleVersion("go", go))
    return Summary(
        module_path=module,
        go_version=go,
        require=tuple(require),
        pruned=bool(go) and supports_pruning(go),
    )


def toolchain_summary(m: ModuleVersion) -> Summary:
    """The summary of the ``go@V`` or ``toolchain@V`` pseudo-module."""
    # go@V (V >= 1.21) requires toolchain@goV, so moving one moves the other. Go's zero
    # modPruning is "pruned": nothing below a pseudo-module is read.
    if m.path == "go" and semver.gover_compare(m.version, STRICT_VERSION) >= 0:
        return Summary(module_path=m.path, require=(ModuleVersion("toolchain", "go" + m.version),))
    return Summary(module_path=m.path)


def replacement_dir(actual: ModuleVersion, main_dir: Path) -> Path:
    """The directory of directory replacement ``actual`` (relative to ``main_dir``)."""
    d = Path(actual.path)
    return d if d.is_absolute() else main_dir / d


def dir_gomod(actual: ModuleVersion, main_dir: Path) -> str:
    """The go.mod of directory replacement ``actual``, as a normalised path."""
    return os.path.normpath(replacement_dir(actual, main_dir) / "go.mod")


def read_dir_gomod(actual: ModuleVersion, main_dir: Path) -> bytes:
    """The bytes of a directory replacement's go.mod; :class:`LoadError` worded as go's."""
    name = dir_gomod(actual, main_dir)
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        short = short_path(name, main_dir)
        raise LoadError(actual, f"reading {short}: open {name}: {os_reason(exc)}", exc) from None


def parse_summary(
    actual: ModuleVersion,
    data: bytes,
    main_dir: Path,
    parsed: Callable[[], ModFile] | None = None,
) -> Summary:
    """``rawGoModSummary`` after the read: ``actual``'s go.mod parsed leniently.

    ``parsed`` (for a module version, never a directory) returns the same lax parse of
    ``data`` made earlier, e.g. :meth:`GoModFile.lax`."""
    if actual.version == "":
        name = dir_gomod(actual, main_dir)
        short = short_path(name, main_dir)
        parsed = None
    else:
        name = short = "go.mod"
    try:
        f = parsed() if parsed is not None else parse_lax(name, data)
    except ModfileError as exc:
        raise LoadError(actual, f"parsing {short}: {exc}", exc) from None
    return summarize(f)


def check_summary(
    m: ModuleVersion, actual: ModuleVersion, raw: Summary, excluded: frozenset[ModuleVersion]
) -> Summary:
    """``goModSummary`` for module ``m`` read from ``actual`` (its replacement, or itself):
    the ``module`` line checked, requirements on ``excluded`` versions dropped."""
    if actual.version != "":
        # A directory replacement may declare any path ("anything goes" in Go).
        if not raw.module_path:
            raise LoadError(actual, "parsing go.mod: missing module line")
        if raw.module_path not in (m.path, actual.path):
            raise LoadError(
                actual,
                "parsing go.mod:\n"
                f"\tmodule declares its path as: {raw.module_path}\n"
                f"\t        but was required as: {m.path}",
            )
    if excluded and any(r in excluded for r in raw.require):
        return dataclasses.replace(raw, require=tuple(r for r in raw.require if r not in excluded))
    return raw


# -- the view ---------------------------------------------------------------------------


class ModuleView:
    """The main module's view of the module world (``modload`` with one main module).

    ``main_file`` is the parsed main go.mod and ``main_dir`` its directory (directory
    replacements are read relative to it). ``local_go`` is the version of the go command
    being imitated. Every go.mod read through the source is recorded in
    :attr:`gomod_reads` (by the module version actually fetched) and every zip in
    :attr:`zip_reads`.
    """

    def __init__(
        self,
        source: ModuleSource,
        main_file: ModFile,
        main_dir: str | os.PathLike[str],
        local_go: str = LOCAL_GO_VERSION,
    ) -> None:
        self.main = main_module(main_file)
        self.source = source
        self.main_file = main_file
        self.main_dir = Path(main_dir)
        self.local_go = local_go
        self.excluded: frozenset[ModuleVersion] = frozenset(e.mod for e in main_file.exclude)
        self.replacements = replace_map(main_file)
        self.highest_replaced: dict[str, str] = {}
        for old in self.replacements:
            cur = self.highest_replaced.get(old.path)
            if cur is None or (
                old.version and (cur == "" or cmp_version(old.path, cur, old.version) < 0)
            ):
                self.highest_replaced[old.path] = old.version
        self.gomod_reads: set[ModuleVersion] = set()
        self.zip_reads: set[ModuleVersion] = set()
        self._raw = Memo(GomodxError)
        self._versions = Memo(GomodxError)
        self._stats = Memo(GomodxError)
        self._latest = Memo(GomodxError)
        self._retractions = Memo(GomodxError)
        self._zips = Memo(GomodxError)

    # -- replacement and exclusion ------------------------------------------------------

    def replacement(self, m: ModuleVersion) -> ModuleVersion | None:
        """``Replacement``: the exact ``path version`` key first, then the path-only key."""
        return lookup_replacement(self.replacements, m)

    def resolve(self, m: ModuleVersion) -> ModuleVersion:
        """``resolveReplacement``: where ``m``'s files really come from."""
        if m.version == "" and m.path == self.main.path:
            return m
        return self.replacement(m) or m

    # -- go.mod files --------------------------------------------------------------------

    async def raw_summary(self, actual: ModuleVersion) -> Summary:
        """``rawGoModSummary``: ``actual``'s own go.mod (a directory when version is ``""``)."""
        if semver.is_toolchain_path(actual.path):
            return toolchain_summary(actual)
        return await self._raw.get(actual, lambda: self._read_raw(actual))

    async def _read_raw(self, actual: ModuleVersion) -> Summary:
        if actual.version != "" and isinstance(self.source, ProxySource):
            gm = await self._proxy_gomod(self.source, actual)
            if gm.simple is not None:
                return gm.simple  # the parser's answer, made without it
            return parse_summary(actual, gm.data, self.main_dir, gm.lax)
        return parse_summary(actual, await self.raw_gomod(actual), self.main_dir)

    async def _proxy_gomod(self, source: ProxySource, actual: ModuleVersion) -> GoModFile:
        """:meth:`raw_gomod` through a proxy client, keeping its parse."""
        try:
            gm = await source.go_mod_file(actual)
        except (ProxyError, ModuleError) as exc:
            _reraise_transient(exc)
            raise LoadError(actual, strip_module_prefix(str(exc), actual), exc) from None
        self.gomod_reads.add(actual)
        return gm

    async def raw_gomod(self, actual: ModuleVersion) -> bytes:
        """``rawGoModData``: the bytes of ``actual``'s go.mod (no replacement applied)."""
        if actual.version == "":
            return read_dir_gomod(actual, self.main_dir)
        try:
            data = await self.source.go_mod(actual)
        except (ProxyError, ModuleError) as exc:
            _reraise_transient(exc)
            raise LoadError(actual, strip_module_prefix(str(exc), actual), exc) from None
        self.gomod_reads.add(actual)
        return data

    async def summary(self, m: ModuleVersion) -> Summary:
        """``goModSummary``: ``m``'s requirements after replacement and exclusion.

        Raises :class:`LoadError` naming the module version whose go.mod failed.
        """
        if semver.is_toolchain_path(m.path):
            return toolchain_summary(m)
        actual = self.resolve(m)
        return check_summary(m, actual, await self.raw_summary(actual), self.excluded)

    async def has_go_mod(self, m: ModuleVersion) -> bool:
        """``versionHasGoMod``: whether ``m`` has a real go.mod (not a synthesized one)."""
        data = await self.raw_gomod(m)
        return data != f"module {auto_quote(m.path)}\n".encode()

    async def zip(self, m: ModuleVersion) -> bytes:
        """The zip of ``m`` (already replacement-resolved); recorded in :attr:`zip_reads`."""

        async def fetch() -> bytes:
            try:
                data = await self.source.zip(m)
            except (ProxyError, ModuleError) as exc:
                _reraise_transient(exc)
                raise LoadError(m, strip_module_prefix(str(exc), m)) from None
            self.zip_reads.add(m)
            return data

        return await self._zips.get(m, fetch)

    async def has_package(self, m: ModuleVersion, package: str) -> bool:
        """Whether module ``m`` (a node; its replacement is read) has Go files in the
        directory of import path ``package``."""
        rel = package[len(m.path) :].lstrip("/") if package != m.path else ""
        actual = self.resolve(m)
        if actual.version == "":
            d = replacement_dir(actual, self.main_dir) / rel
            try:
                return any(p.suffix == ".go" and p.is_file() for p in d.iterdir())
            except OSError:
                return False
        data = await self.zip(actual)
        prefix = f"{actual.path}@{actual.version}/" + (rel + "/" if rel else "")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if name.startswith(prefix):
                    rest = name[len(prefix) :]
                    if "/" not in rest and rest.endswith(".go"):
                        return True
        return False

    # -- versions -------------------------------------------------------------------------

    async def repo_versions(self, path: str) -> tuple[str, ...]:
        """``lookupRepo(path).Versions("")``: the proxy's list plus replaced versions."""

        async def fetch() -> tuple[str, ...]:
            if path not in self.highest_replaced:
                return await self.source.versions(path)
            try:
                listed = await self.source.versions(path)
            except ModuleNotFound:
                listed = ()
            extra = [
                old.version
                for old in self.replacements
                if old.path == path and old.version and not semver.is_pseudo_version(old.version)
            ]
            if not extra:
                return listed
            merged = set(listed) | set(extra)
            return tuple(sorted(merged, key=lambda v: semver.mod_sort_key(path, v)))

        return await self._versions.get(path, fetch)

    async def repo_stat(self, path: str, rev: str) -> RevInfo:
        """``repo.Stat``, with the replacement repository's fallback for replaced versions."""

        async def fetch() -> RevInfo:
            try:
                return await self.source.stat(path, rev)
            except (ProxyError, ModuleError) as exc:
                _reraise_transient(exc)
                if path not in self.highest_replaced:
                    raise
                v = semver.canonical_version(rev) if semver.is_valid(rev) else ""
                if v != rev:
                    raise
                _, path_major, ok = split_path_version(path)
                if ok and path_major == "" and semver.build(v) == "":
                    try:
                        check_path_major(v, path_major)
                    except GomodxError:
                        v += "+incompatible"
                if self.replacement(ModuleVersion(path, v)) is None:
                    raise
                return _replacement_stat(v)

        return await self._stats.get((path, rev), fetch)

    async def repo_latest(self, path: str) -> RevInfo:
        """``repo.Latest`` (with the replacement repository's highest replaced version)."""

        async def fetch() -> RevInfo:
            info: RevInfo | None = None
            err: GomodxError | None = None
            try:
                info = await self.source.latest(path)
            except (ProxyError, ModuleError) as exc:
                _reraise_transient(exc)
                err = exc
            if path in self.highest_replaced:
                v = self.highest_replaced[path] or _zero_pseudo(path)
                if info is None or cmp_version(path, v, info.version) > 0:
                    return _replacement_stat(v)
            if info is None:
                assert err is not None
                raise err
            return info

        return await self._latest.get(path, fetch)

    # -- allowed versions -------------------------------------------------------------------

    async def retractions(self, path: str) -> tuple[tuple[str, str, str], ...]:
        """The retractions of ``path`` (from its latest version's go.mod, ignoring
        retractions and exclusions). Raises :class:`GomodxError` when they cannot be loaded."""

        async def load() -> tuple[tuple[str, str, str], ...]:
            latest = await self.latest_ignoring_retractions(path)
            s = await self.raw_summary(latest)
            return s.retract

        return await self._retractions.get(path, load)

    async def latest_ignoring_retractions(self, path: str) -> ModuleVersion:
        """``queryLatestVersionIgnoringRetractions`` (replacement applied)."""
        repl = self.replacements.get(ModuleVersion(path, ""))
        if repl is not None:
            return repl
        info = await self.query(path, "latest", "", allowed=None)
        return self.resolve(ModuleVersion(path, info.version))

    async def deprecation(self, path: str) -> str:
        """``CheckDeprecation``: the ``// Deprecated:`` message of ``path`` (``""``: none)."""
        if self.replacements.get(ModuleVersion(path, "")) is not None:
            return ""
        latest = await self.latest_ignoring_retractions(path)
        return (await self.raw_summary(latest)).deprecated

    def check_exclusions(self, m: ModuleVersion) -> None:
        """``CheckExclusions``: raise :class:`Disallowed` for an excluded version."""
        if m in self.excluded:
            raise Disallowed(m, "excluded by go.mod")

    async def check_retractions(self, m: ModuleVersion) -> None:
        """``CheckRetractions``: raise :class:`Disallowed` for a retracted version, or
        :class:`GomodxError` (``loading module retractions for …``) when unknown."""
        if m.version == "":
            return
        if self.replacements.get(ModuleVersion(m.path, "")) is not None:
            return
        try:
            intervals = await self.retractions(m.path)
        except GomodxError as exc:
            reason = exc.reason if isinstance(exc, (LoadError, QueryError)) else str(exc)
            raise retractions_error(m, reason) from None
        hit, why = retracted(m.path, m.version, intervals)
        if hit:
            text = "retracted by module author"
            if why:
                text += ": " + short_message(why[0], "retracted by module author")
            raise Disallowed(m, text, retracted=True)

    async def check_allowed(self, m: ModuleVersion) -> None:
        """``CheckAllowed``: exclusions, then retractions."""
        self.check_exclusions(m)
        await self.check_retractions(m)

    async def previous_version(self, m: ModuleVersion) -> ModuleVersion:
        """``previousVersion``: the allowed tagged version just below ``m`` (or none)."""
        if m.version == "" and m.path == self.main.path:
            return ModuleVersion(m.path, NONE)
        try:
            listed = await self.repo_versions(m.path)
        except ModuleNotFound:
            return ModuleVersion(m.path, NONE)
        allowed: list[str] = []
        for v in listed:
            try:
                await self.check_allowed(ModuleVersion(m.path, v))
            except Disallowed:
                continue
            allowed.append(v)
        best = NONE
        for v in allowed:
            if semver.mod_compare(m.path, v, m.version) < 0:
                best = v
            else:
                break
        return ModuleVersion(m.path, best)

    # -- queries ---------------------------------------------------------------------------

    async def query(
        self,
        path: str,
        query: str,
        current: str,
        allowed: Callable[[ModuleVersion], Awaitable[None]] | None,
    ) -> RevInfo:
        """``modload.Query``: resolve ``path@query`` relative to ``current``.

        ``allowed(m)`` raises :class:`Disallowed` for versions that must not be chosen
        (``None`` allows everything). Raises :class:`QueryError` (or the proxy's error as
        :class:`LoadError`) when nothing matches.
        """
        if current not in ("", NONE) and not semver.mod_is_valid(path, current):
            raise QueryError(f"invalid previous version {path}@{current}")
        if path == self.main.path and query in ("upgrade", "patch"):
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

        if matcher.can_stat or matcher.revision:
            info = await self._stat_query(path, query)
            no = await disallowed(info.version)
            if no is not None:
                raise no
            return info

        try:
            listed = await self.repo_versions(path)
        except (ProxyError, ModuleError) as exc:
            _reraise_transient(exc)
            kind = "not-exist" if isinstance(exc, ModuleNotFound) else "other"
            raise QueryError(
                str(exc), kind, strip_module_prefix(str(exc), ModuleVersion(path)), exc
            ) from None
        if matcher.prefix:
            listed = tuple(v for v in listed if v.startswith(matcher.prefix))
        releases, prereleases = await self._filter(matcher, listed, allows)

        async def lookup(v: str) -> RevInfo:
            try:
                rev = await self.repo_stat(path, v)
            except (ProxyError, ModuleError) as exc:
                _reraise_transient(exc)
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
                        return await self.repo_stat(path, current)
                    except (ProxyError, ModuleError) as exc:
                        _reraise_transient(exc)
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
                latest = await self.repo_latest(path)
            except ModuleNotFound:
                latest = None
            except (ProxyError, ModuleError) as exc:
                _reraise_transient(exc)
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

    async def _stat_query(self, path: str, query: str) -> RevInfo:
        """Stat a complete version or a revision; ``v1.2.3+meta`` falls back to ``v1.2.3``."""
        try:
            return await self.repo_stat(path, query)
        except (ProxyError, ModuleError) as exc:
            _reraise_transient(exc)
            canonical = semver.canonical_version(query) if semver.is_valid(query) else ""
            if canonical and canonical != query:
                try:
                    return await self.repo_stat(path, canonical)
                except (ProxyError, ModuleError) as second:
                    _reraise_transient(second)
            raise _stat_error(path, query, exc) from None

    async def _filter(
        self,
        matcher: _Matcher,
        versions: Iterable[str],
        allows: Callable[[str], Awaitable[bool]],
    ) -> tuple[list[str], list[str]]:
        """``filterVersions``: allowed releases and prereleases, +incompatible trimmed."""
        releases: list[str] = []
        prereleases: list[str] = []
        need_incompatible = matcher.prefer_incompatible
        last_compatible = ""
        for v in versions:
            if not await allows(v):
                continue
            if not need_incompatible:
                if not v.endswith("+incompatible"):
                    last_compatible = v
                elif last_compatible:
                    has = await self.has_go_mod(ModuleVersion(matcher.path, last_compatible))
                    if has:
                        break
                    need_incompatible = True
            if semver.mod_is_prerelease(matcher.path, v):
                prereleases.append(v)
            else:
                releases.append(v)
        return releases, prereleases


_TRANSIENT = (ProxyUnavailable, AuthRequired, ChecksumMismatch)


def _reraise_transient(exc: BaseException) -> None:
    """Network trouble, credentials and checksum failures are not "no such version":
    they end the computation instead of steering it."""
    if isinstance(exc, _TRANSIENT):
        raise exc


def _replacement_stat(v: str) -> RevInfo:
    when = None
    if semver.is_pseudo_version(v):
        try:
            when = semver.pseudo_version_time(v)
        except GomodxError:
            when = None
    return RevInfo(v, when, "replacement")


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
