"""go.mod summaries: what the module graph and version queries need from one go.mod.

cmd/go's ``modload`` reads a dependency's go.mod once and keeps a ``modFileSummary``
(its module path, go version, requirements, retractions, deprecation); this module
makes them the same way:

* :func:`summarize` (``summaryFromModFile``) from a parsed go.mod, and
  :func:`simple_summary`, the same answer for the plainest files without the parser;
* :func:`parse_summary` and :func:`read_dir_gomod` (``rawGoModSummary``), which word
  their failures as go does (:class:`~analysis.errors.LoadError`), and
  :func:`check_summary` (``goModSummary``: the ``module`` line checked, exclusions applied);
* :func:`toolchain_summary` for the ``go@V`` and ``toolchain@V`` pseudo-modules;
* the main go.mod's directives: :func:`main_module`, :func:`replace_map`,
  :func:`lookup_replacement`, :func:`roots_from_mod_file` (``rootsFromModFile``).

>>> summarize(parse_lax("go.mod", b"module m\\ngo 1.21\\nrequire a.example v1.0.0\\n")).require
(ModuleVersion(path='a.example', version='v1.0.0'), ModuleVersion(path='go', version='1.21'))

Nothing here fetches: the loader (:mod:`analysis.loader`), the module view
(:mod:`analysis.source`) and the proxy client's parser-free fast path
(:mod:`analysis.proxy`) all build on it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis import semver
from analysis.errors import GomodxError, LoadError, ModfileError
from analysis.fsio import os_reason
from analysis.modfile import ModFile, parse_lax
from analysis.modpath import check_path, check_path_major, split_path_version
from analysis.module import ModuleVersion

__all__ = [
    "DEFAULT_GO_MOD_VERSION",
    "PRUNING_VERSION",
    "STRICT_VERSION",
    "Summary",
    "check_summary",
    "dir_gomod",
    "has_redundant_root",
    "lookup_replacement",
    "main_module",
    "os_reason",
    "parse_summary",
    "read_dir_gomod",
    "replace_map",
    "replacement_dir",
    "roots_from_mod_file",
    "short_path",
    "simple_summary",
    "strip_module_prefix",
    "summarize",
    "supports_pruning",
    "toolchain_summary",
]

DEFAULT_GO_MOD_VERSION = "1.16"
"""The go version of a go.mod with no ``go`` line (``gover.DefaultGoModVersion``)."""

PRUNING_VERSION = "1.17"
"""Graphs of modules at this go version and newer are pruned (``ExplicitIndirectVersion``)."""

STRICT_VERSION = "1.21"
"""From this go version on, ``go@V`` is part of the graph (``gover.GoStrictVersion``)."""


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


# -- error wording ----------------------------------------------------------------------


def strip_module_prefix(text: str, m: ModuleVersion) -> str:
    """``text`` without Go's ``module.ModuleError`` prefix for ``m`` (``path@version: ``
    or ``module path: ``)."""
    for prefix in (f"{m.path}@{m.version}: ", f"module {m.path}: "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def short_path(name: str, cwd: Path) -> str:
    """``base.ShortPath`` with the main module directory as the working directory."""
    try:
        rel = os.path.relpath(name, cwd)
    except ValueError:
        return name
    return rel if len(rel) < len(name) else name


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
_SIMPLE_VERSION = re.compile(r"v[A-Za-z0-9._~/+-]+\Z")  # canonical_version checks the rest
_SIMPLE_GO = re.compile(r"[1-9][0-9]*\.(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))?\Z")
_SIMPLE_BYTES = re.compile(rb"[\t\n\x20-\x7e]*\Z")
_IGNORED = frozenset({"exclude", "godebug", "replace", "tool", "toolchain"})
"""Directives ``ParseLax`` drops unread (a dependency's go.mod: modfile's ``add``)."""
_WORD = r"[^\s()\[\]{},\"`]+"
"""A word the go.mod lexer reads as one plain identifier (no quote, bracket or comma)."""
_IGNORED_WORD = re.compile(_WORD + r"\Z")
_RETRACT = re.compile(rf"\s*retract(?:\s+({_WORD})|\s*\[\s*({_WORD})\s*,\s*({_WORD})\s*\])\s*\Z")
"""``retract V`` or ``retract [LOW, HIGH]`` on one line (the lexer splits ``[``, ``,``
and ``]`` off whatever their spacing)."""


def simple_summary(data: bytes) -> Summary | None:
    """:func:`summarize` of ``parse_lax(data)`` without the parser, for plain go.mod files
    only: ``module``, ``go`` and ``require`` lines (single or in blocks), canonical
    versions, comments only after the module line (never beside it), nothing quoted —
    plus the directives ``ParseLax`` ignores (``toolchain``, ``exclude``, ``replace``,
    ``godebug``, ``tool``: single or in blocks) when every word of theirs is a plain
    identifier. ``None`` for anything else (the caller parses): the answer is the
    parser's whenever there is one.
    """
    if not _SIMPLE_BYTES.match(data) or b"/*" in data:
        return None
    module = go = ""
    require: list[ModuleVersion] = []
    retract: list[tuple[str, str, str]] = []
    block = ""  # the verb of the block we are in
    above: list[str] = []  # the comment lines right above (a retraction's rationale)
    for raw in data.decode("ascii").split("\n"):
        comment = "//" in raw
        if comment:
            if not module:
                # A comment says nothing a summary holds, but where it can be the module's
                # deprecation: before or beside the module line (a comment is attached to
                # the line below it, or beside it).
                return None
            head, _, said = raw.partition("//")
            words = head.split()
        else:
            words = raw.split()
        if not words:
            if block:
                continue
            # A comment line joins the comments above the next statement; a blank line
            # leaves those alone (modfile's parseFile).
            if comment:
                above.append(said.strip())
            elif above:
                above = []
            continue
        before = above
        if above:
            above = []
        if block:
            if words == [")"]:
                block = ""
                continue
            if block != "require":
                if not all(_IGNORED_WORD.match(w) for w in words):
                    return None
                continue
            if len(words) != 2:
                return None
            path, version = words
        elif (verb := words[0]) == "require":
            if words == ["require", "("] and not comment:
                block = "require"
                continue
            if len(words) != 3:
                return None
            path, version = words[1], words[2]
        elif verb == "module":
            if comment or len(words) != 2 or module:
                return None
            if not _SIMPLE_TOKEN.match(words[1]) or words[1] in ("(", ")"):
                return None
            module = words[1]
            continue
        elif verb == "go":
            if len(words) != 2 or go or not _SIMPLE_GO.match(words[1]):
                return None
            go = words[1]
            continue
        elif verb in _IGNORED:
            if words[1:] == ["("]:
                block = verb
                continue
            if not all(_IGNORED_WORD.match(w) for w in words):
                return None
            continue
        elif verb.startswith("retract"):
            # One retraction on its line; its rationale is the comment lines right above
            # and the comment beside it (parseDirectiveComment).
            hit = _RETRACT.match(head if comment else raw)
            if hit is None:
                return None
            low, high = (hit[1], hit[1]) if hit[1] else (hit[2], hit[3])
            if not all(
                semver.is_valid(v) and semver.canonical_version(v) == v for v in (low, high)
            ):
                return None
            rationale = [*before, said.strip()] if comment else before
            retract.append((low, high, "\n".join(rationale)))
            continue
        else:
            return None
        if not _simple_requirement(path, version):
            return None
        require.append(ModuleVersion(path, version))
    if block or not module:
        return None
    if go and semver.gover_compare(go, STRICT_VERSION) >= 0:
        require.append(ModuleVersion("go", go))
    return Summary(
        module_path=module,
        go_version=go,
        require=tuple(require),
        retract=tuple(retract),
        pruned=bool(go) and supports_pruning(go),
    )


@functools.lru_cache(maxsize=65536)
def _simple_requirement(path: str, version: str) -> bool:
    """Whether ``require path version`` is plain and valid (the same few thousand pairs
    come back in go.mod after go.mod of a graph)."""
    if not _SIMPLE_TOKEN.match(path) or not _SIMPLE_VERSION.match(version):
        return False
    if semver.canonical_version(version) != version:
        return False
    try:
        check_path(path)
        _, path_major, ok = split_path_version(path)
        if not ok:
            return False
        check_path_major(version, path_major)
    except GomodxError:
        return False
    return True


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
        if parsed is None:
            simple = simple_summary(data)
            if simple is not None:
                return simple  # the parser's answer, made without it
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
