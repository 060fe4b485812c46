"""Exact previews of ``go get MODULE@VERSION``: the new go.mod, go.sum and build list.

:func:`plan_get` runs, in Python, what ``go get`` (Go 1.27) does to the main module's
requirements for one module argument — without the go command and without writing
anything::

    >>> plan = await plan_get("path/to/main", source, "example.com/d@v1.2.0")  # doctest: +SKIP
    >>> plan.ok, [str(c) for c in plan.changes]                               # doctest: +SKIP
    (True, ['downgraded example.com/b v1.2.0 => v1.1.0', ...])
    >>> print(plan.gomod, end="")                                             # doctest: +SKIP

What it reproduces, following cmd/go's ``modget`` and ``modload``:

* loading: the main go.mod's roots (excluded requirements dropped, redundant roots
  collapsed, a missing ``go`` line added as the local version), then ``LoadModGraph``'s
  consistency step;
* the argument: ``M@V``, ``M@none``, ``M@latest``, ``M@upgrade``, ``M@patch``, ``M`` (=
  ``@upgrade``), prefixes (``v1.2``) and ranges (``<v1.3``), with go's allowed-version
  rules (the exact version is checked only against excludes; ``upgrade``/``patch`` may
  keep the current version; everything else skips excluded and retracted versions);
* ``editRequirements`` (pruned and unpruned main modules): roots that lead to a version
  above the requested one are stepped down with ``previousVersion`` (skipping excluded
  and retracted versions), or removed; the disqualification tracker that follows pruned
  and unpruned paths separately; indirect upgrades accepted; ``mvs.Req`` minimisation
  for unpruned modules; conversion to a pruned module when the ``go`` version reaches
  1.17; and ``go get``'s loop of edits until nothing changes;
* refusals worded as go words them (``go: A@v requires B@v2, not B@v1``), query errors
  (``no matching versions for query "v0.5"``, excluded versions, missing versions);
* the go.mod go writes (``UpdateGoModFromReqs``: ``go``/``toolchain`` lines,
  ``// indirect`` from the direct set, ``SetRequire`` / ``SetRequireSeparateIndirect`` /
  ``SetRequireAtMostTwo``, ``Cleanup``; unchanged bytes when nothing meaningful changed);
* the ``go: added/removed/upgraded/downgraded`` report — each :class:`Change` with *why*
  it happens (:attr:`Change.why`: the argument; the requirement chain that made
  ``editRequirements`` step a module down; the import whose package a new module
  provides; the requirement chain that pulls one up) —, retraction and deprecation
  warnings, and the go.sum lines ``go get`` adds (go.mod hashes of every go.mod it read
  that the final graph needs, zip hashes of the modules it downloaded that are in the
  final build list).

* packages (``analysis.packages``): the argument packages (import paths, directories
  of the main module, standard-library packages) and everything they import (every
  build tag but ``ignore`` while resolving, the host's tags for the final check); in a
  pruned main module the module providing each loaded package becomes a root
  (``// indirect``; direct when the main module's own packages import it); go.sum gets
  the zip hashes of the modules searched for them;
* imports no module in the build list provides: the module providing them @latest is
  tried as an upgrade (``findAndUpgradeImports``); what is still missing, ambiguous
  (``ambiguous import: found package P in multiple modules:`` with go's directories,
  under GOMODCACHE), reserved for the standard library (``package P is not in std
  (GOROOT/src/P)``) or in a zip go rejects (``zip for M has unexpected file F``,
  ``unzip ZIPFILE: …`` after go's ``-> unzip …`` line) fails the final load with go's
  import stacks (as does a zip the proxy cannot serve), and go get with it.

* several arguments at once (``resolveQueries``): unambiguous answers first, in passes
  (one argument's module may settle another's ambiguity), the rest chosen arbitrarily
  after the first edit; ``-u`` and ``-u=patch`` (``findAndUpgradeImports``): every
  module providing a loaded package, but those an argument fixes, tried at its
  ``@upgrade`` / ``@patch`` version counted from the build list so far.

Not modelled: ``-t``, wildcards, ``-tool``, workspaces, vendoring,
``go@``/``toolchain@`` arguments, and toolchain switching.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import difflib
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import modfile, semver
from analysis.conflicts import Conflict as GraphConflict
from analysis.conflicts import conflicts as graph_conflicts
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    Disallowed,
    DowngradeConflict,
    GomodxError,
    InvalidPathError,
    LoadError,
    ModuleError,
    ModuleLoadError,
    ModuleNotFound,
    PlanError,
    PlanRefused,
    ProxyUnavailable,
    QueryError,
    TooNewError,
    causes,
)
from analysis.hashes import GoSum, gomod_hash
from analysis.modfile import ModFile, Require
from analysis.modfile_strconv import quote
from analysis.modpath import check_path, escape_path, escape_version, split_path_version
from analysis.module import NONE, ModuleVersion
from analysis.mvs import LoadedReqs, RequirementGraph, selected_roots, unpruned_root_paths
from analysis.mvs import req as mvs_req
from analysis.packages import (
    ANY_TAGS,
    HOST_TAGS,
    BadModuleZip,
    ModuleFiles,
    Tags,
    check_zip_prefix,
    is_std,
    is_std_like,
    read_module_dir,
    read_module_zip,
)
from analysis.source import LOCAL_GO_VERSION, ModuleSource, ModuleView, short_message
from analysis.summary import (
    DEFAULT_GO_MOD_VERSION,
    PRUNING_VERSION,
    STRICT_VERSION,
    Summary,
    has_redundant_root,
    replacement_dir,
    roots_from_mod_file,
    supports_pruning,
)

__all__ = [
    "NEVER_FINISHES",
    "Change",
    "Plan",
    "Target",
    "parse_target",
    "plan_get",
]

DEFAULT_GOROOT = "/usr/local/go"
"""The GOROOT named in ``package P is not in std (GOROOT/src/P)`` when none is known."""

SEPARATE_INDIRECT_VERSION = "1.17"
SIMPLIFY_REQUIRE_VERSION = "1.27"
GO_MOD_TOOL_VERSION = "1.24"


def _mod_key(m: ModuleVersion) -> tuple[object, ...]:
    return semver.mod_sort_key(m.path, m.version)


# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One ``go get`` argument: ``path@query`` (``query`` is ``upgrade`` when omitted)."""

    raw: str
    path: str
    query: str
    explicit: bool = True
    """Whether the argument named a version (``M@V``) rather than a bare path."""

    def __str__(self) -> str:
        return self.raw


def report_error(q: Target, err: str) -> str:
    """``reportError``: ``go: ERR`` for argument ``q``, prefixed with the argument unless
    the error already names it (its path, and its version when one was given)."""
    if not q.raw:
        return f"go: {err}"  # no argument at all: go names none
    pattern = re.compile(r"(?m)(?:[ \t(\"`]|^)" + re.escape(q.path) + r"(?:[ @:;)\"`]|$)")
    if pattern.search(err):
        if not q.explicit:
            return f"go: {err}"
        version = re.compile(r"(?m)(?:[ @(\"`]|^)" + re.escape(q.query) + r"(?:[ :;)\"`]|$)")
        if version.search(err):
            return f"go: {err}"
    return f"go: {q.raw}: {err}"


_ZIP_CONTEXT: contextvars.ContextVar[Target | str | None] = contextvars.ContextVar(
    "zip_context", default=None
)
"""What the planner is doing when it reads a zip: resolving an argument, or loading a
package (its import stack)."""


def zip_refusal(plan: Plan, module: ModuleVersion, err: str) -> str:
    """go's refusal when ``module``'s zip fails to download with ``err`` (a SECURITY
    ERROR) during ``plan``'s ``go get``: said once for each argument whose resolution
    needed it (``reportError``: two equal arguments, twice), else for each package whose
    loading needed it (``go: STACK: ERR`` and a blank line), else as it is."""
    contexts = dict(plan.zip_contexts).get(module, ())
    order = {q: i for i, q in reversed(list(enumerate(plan.targets)))}
    queries = sorted(
        (c for c in contexts if isinstance(c, Target)), key=lambda q: order.get(q, len(order))
    )
    if queries:
        # go reports every argument's resolution, in order: those that needed the zip
        # with its failure, the others with their own errors
        lines: list[str] = []
        own = list(plan.resolution_errors)
        for t in plan.targets:
            if t in queries:
                lines.append(report_error(t, err))
            else:
                lines.extend(text for u, text in own if u == t)
                own = [(u, text) for u, text in own if u != t]
        lines.extend(report_error(q, err) for q in queries if q not in plan.targets)
        return "\n".join(lines)
    stacks = [c for c in contexts if isinstance(c, str)]
    if stacks:
        # the loader keeps the error's own last newline: a blank line follows each
        return "\n".join(f"go: {s}: {err.rstrip()}\n" for s in stacks)
    return f"go: {err}"


def parse_target(arg: str) -> Target:
    """Split a ``go get`` argument as go does: ``M`` alone means ``M@upgrade``.

    >>> parse_target("example.com/m@v1.2.0")
    Target(raw='example.com/m@v1.2.0', path='example.com/m', query='v1.2.0', explicit=True)
    >>> parse_target("example.com/m").query
    'upgrade'
    """
    path, sep, version = arg.partition("@")
    if sep and (version == "" or "@" in version):
        raise PlanError(f'go: invalid module version syntax "{arg}"')
    if not path:
        raise PlanError(f'go: invalid module version syntax "{arg}"')
    return Target(arg, path, version if sep else "upgrade", bool(sep))


@dataclass(frozen=True)
class Change:
    """One line of ``go get``'s report; ``to`` is ``none`` when the module is removed
    and ``from_`` is ``none`` when it is added."""

    path: str
    from_: str
    to: str
    kind: str
    """``added``, ``removed``, ``upgraded`` or ``downgraded``."""
    why: str = field(default="", compare=False)
    """Why ``go get`` makes this change: ``requested: go get ARG`` for an argument's
    module, else the requirement or import that forces it (``A@v1 requires B@v2``,
    ``package P imports Q``, ``A@v1 requires B@v2, above the requested v1.0.0``)."""

    def __str__(self) -> str:
        if self.kind == "added":
            return f"added {self.path} {self.to}"
        if self.kind == "removed":
            return f"removed {self.path} {self.from_}"
        return f"{self.kind} {self.path} {self.from_} => {self.to}"

    def to_json(self) -> dict[str, str]:
        """go's own convention (``reportChanges``): ``From`` is ``""`` for an added
        module, ``To`` is ``none`` for a removed one."""
        from_ = "" if self.kind == "added" else self.from_
        return {"Path": self.path, "From": from_, "To": self.to, "Kind": self.kind, "Why": self.why}


@dataclass(frozen=True)
class Plan:
    """What ``go get TARGET...`` would do to the main module in :attr:`main_dir`.

    :attr:`targets` are the arguments (usually one) and :attr:`resolved` what they resolved
    to (``path@none`` for ``@none``). When :attr:`ok` is false, :attr:`error` holds go's
    refusal (its ``go: …`` lines) and :attr:`gomod` is the unchanged file.
    :attr:`gosum_added` lists the ``/go.mod`` hash lines go adds to go.sum and
    :attr:`zip_sums_added` its zip hash lines. :attr:`gomod_before` and
    :attr:`gosum_before` are the bytes the plan was computed from, so an apply can tell
    whether the files changed since.
    """

    targets: tuple[Target, ...]
    ok: bool
    error: PlanRefused | None = None
    resolved: tuple[ModuleVersion, ...] = ()
    changes: tuple[Change, ...] = ()
    build_list: tuple[ModuleVersion, ...] = ()
    previous_build_list: tuple[ModuleVersion, ...] = ()
    conflicts_resolved: tuple[GraphConflict, ...] = ()
    conflicts_introduced: tuple[GraphConflict, ...] = ()
    gomod_before: bytes = b""
    gomod_after: bytes = b""
    gosum_before: bytes | None = None
    gosum_added: tuple[str, ...] = ()
    zip_sums_added: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    suggestion: str = ""
    main_dir: str = ""
    chains: tuple[tuple[ModuleVersion, ...], ...] = ()
    """For a refusal over version constraints: each conflict's requirement chain, from the
    argument's module to the version above what was asked (or that cannot be loaded)."""
    verified: tuple[tuple[str, str], ...] = ()
    """Who vouched for each go.sum line the plan adds: ``(line, by)``, ``by`` the checksum
    database's name, ``GONOSUMDB``, ``off`` or ``not verified: reason`` (filled in by
    :meth:`analysis.session.Session.plan`)."""
    upgrade: str = ""
    """go get's ``-u`` flag the plan was made with: ``upgrade``, ``patch`` or ``""``."""
    other_files: tuple[tuple[str, bytes | None, bytes | None], ...] = ()
    """Files besides go.mod and go.sum that ``go get`` rewrites — in a workspace, go.work
    when the module's go line rises above the go.work's — as ``(name relative to
    main_dir, bytes before, bytes after)``; :func:`analysis.apply.apply_plan` writes them
    with go.mod and go.sum in one transaction."""
    source: str = "gomodx"
    """Who computed the files: ``gomodx`` (this planner), or ``go`` (in a workspace: the
    go command on a sandbox copy, :meth:`analysis.session.Session.plan`)."""
    zip_contexts: tuple[tuple[ModuleVersion, tuple[Target | str, ...]], ...] = ()
    """What go was doing each time it needed a module's zip (the module actually read,
    replacements applied): resolving an argument (its :class:`Target`) or loading a
    package (its import stack), in go's order. A zip the checksum database contradicts
    fails there, and go says so in that context (:func:`zip_refusal`)."""
    resolution_errors: tuple[tuple[Target, str], ...] = ()
    """A refusal met while resolving the arguments: each argument's own errors, in
    order (go reports them with a zip's failure in another argument's resolution)."""

    @property
    def arguments(self) -> tuple[str, ...]:
        """The ``go get`` command line the plan previews, without ``go get``:
        ``("-u=patch", "example.com/a@v1.2.0", ...)``."""
        flag = {"upgrade": ("-u",), "patch": ("-u=patch",)}.get(self.upgrade, ())
        return (*flag, *(t.raw for t in self.targets if t.raw))

    @property
    def command(self) -> str:
        """:attr:`arguments` as one string (what undo and the app name the change by)."""
        return " ".join(self.arguments)

    def raise_for_refusal(self) -> None:
        """Raise :class:`~analysis.errors.DowngradeConflict` (with the first chain) or
        :class:`~analysis.errors.PlanError` when go would refuse; do nothing otherwise."""
        if self.ok:
            return
        raise self.error if self.error is not None else PlanRefused("go get would refuse")

    @property
    def target(self) -> Target:
        """The first (usually the only) argument."""
        return self.targets[0]

    @property
    def version(self) -> str:
        """The version the first argument resolved to (``none`` for ``@none``; ``""``
        when it did not resolve)."""
        for m in self.resolved:
            if m.path == self.target.path:
                return m.version
        return self.resolved[0].version if self.resolved else ""

    @property
    def gomod(self) -> str:
        """The complete go.mod text after ``go get`` (unchanged when refused)."""
        return self.gomod_after.decode("utf-8", "surrogateescape")

    @property
    def gomod_changed(self) -> bool:
        return self.gomod_after != self.gomod_before

    def gosum_after(self) -> bytes | None:
        """go.sum after ``go get`` (``None``: go would not write it)."""
        added = self.gosum_added + self.zip_sums_added
        if not added:
            return self.gosum_before
        sums = GoSum.parse(self.gosum_before or b"", lax=True)
        for line in added:
            path, version, h = line.split(" ")
            sums.add(path, version, h)
        return sums.format()

    def gomod_diff(self, name: str = "go.mod") -> str:
        """A unified diff of go.mod, before → after (empty when unchanged)."""
        before = self.gomod_before.decode("utf-8", "surrogateescape").splitlines(True)
        after = self.gomod.splitlines(True)
        return "".join(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))

    def go_lines(self) -> list[str]:
        """go's own stderr report: ``go: downgraded X v1 => v2`` lines (or the refusal)."""
        if not self.ok:
            return str(self.error or "").splitlines()
        out = []
        for c in self.changes:
            out.append(f"go: {c}")
            if (
                c.path == "go"
                and c.kind == "upgraded"
                and semver.gover_compare(c.from_, PRUNING_VERSION) < 0
                and semver.gover_compare(c.to, PRUNING_VERSION) >= 0
            ):
                out.append(
                    "\tnote: expanded dependencies to upgrade to go 1.17 or higher;"
                    " run 'go mod tidy' to clean up"
                )
        return out

    def to_json(self) -> dict[str, Any]:
        """The plan as one JSON object (``gomodx get|downgrade|upgrade --json``).

        ``Error`` is go's text, ``null`` when go would succeed; ``GoSum`` the whole go.sum
        after ``go get`` (``null``: there is none and go would write none); ``Changes``
        follow go's report (``From`` ``""`` for an added module, ``To`` ``none`` for a
        removed one) with ``Why``, the reason for each.
        """

        def conflict_json(c: GraphConflict) -> dict[str, Any]:
            return {"Path": c.path, "Selected": c.selected, "Versions": list(c.versions)}

        def mods(ms: Iterable[ModuleVersion]) -> list[dict[str, str]]:
            return [{"Path": m.path, **({"Version": m.version} if m.version else {})} for m in ms]

        gosum = self.gosum_after()

        return {
            "Target": " ".join(t.raw for t in self.targets),
            "Path": self.target.path,
            "Query": self.target.query,
            "Version": self.version,
            "Resolved": mods(self.resolved),
            "OK": self.ok,
            "Error": None if self.error is None else str(self.error),
            "Changes": [c.to_json() for c in self.changes],
            "BuildList": mods(self.build_list),
            "PreviousBuildList": mods(self.previous_build_list),
            "ConflictsResolved": [conflict_json(c) for c in self.conflicts_resolved],
            "ConflictsIntroduced": [conflict_json(c) for c in self.conflicts_introduced],
            "GoMod": self.gomod,
            "GoModChanged": self.gomod_changed,
            "GoSum": None if gosum is None else gosum.decode("utf-8", "surrogateescape"),
            "GoSumAdded": list(self.gosum_added),
            "ZipSumsAdded": list(self.zip_sums_added),
            "Warnings": list(self.warnings),
            "Suggestion": self.suggestion,
            "Chains": [[str(m) for m in chain] for chain in self.chains],
            "Dir": self.main_dir,
            "Verified": {line: by for line, by in self.verified},
            "OtherFiles": {
                name: None if after is None else after.decode("utf-8", "surrogateescape")
                for name, _, after in self.other_files
            },
            "Source": self.source,
        }


class _Refused(Exception):
    """go would stop here and print ``text`` (its ``go: …`` lines), exit status 1;
    ``cause`` is the failure underneath, when there is one."""

    def __init__(self, text: str, cause: BaseException | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.cause = cause


class _Missing(Exception):
    """``ImportMissingError`` (no module in the build list provides ``path``) or, with
    ``ambiguous`` (shortest module path first, each with its directory),
    ``AmbiguousImportError``; ``text`` is go's wording. ``goroot`` is the toolchain's,
    named when a path reserved for the standard library is missing."""

    def __init__(
        self,
        path: str,
        ambiguous: Sequence[tuple[ModuleVersion, str]] = (),
        goroot: str = DEFAULT_GOROOT,
    ) -> None:
        if ambiguous:
            lines = [f"ambiguous import: found package {path} in multiple modules:"]
            for m, d in ambiguous:
                lines.append(f"\t{m.path} {m.version} ({d})" if m.version else f"\t{m.path} ({d})")
            self.text = "\n".join(lines)
        elif is_std_like(path):
            self.text = f"package {path} is not in std ({os.path.join(goroot, 'src', path)})"
        else:
            self.text = f"cannot find module providing package {path}"
        super().__init__(self.text)
        self.path = path
        self.ambiguous = tuple(m for m, _ in ambiguous)


class _FetchError(GomodxError):
    """A module go cannot download or extract to look for a package in it: ``str()`` is
    go's error (``zip for M has unexpected file F``, ``unzip ZIPFILE: …``)."""


@dataclass(frozen=True)
class _Problem:
    """A package the last load could not load: its import stack as go prints it
    (``a imports\n\tb``) and go's error."""

    path: str
    stack: str
    text: str
    missing: _Missing | None = None


# -- requirements and graphs --------------------------------------------------------------


class _Graph(RequirementGraph[LoadError]):
    """One ``readModGraph`` result (Go's ``ModuleGraph``), with the summaries read."""

    def __init__(self, main: ModuleVersion, roots: Sequence[ModuleVersion]) -> None:
        super().__init__(main, roots)
        self.summaries: dict[ModuleVersion, Summary] = {}

    def error(self) -> ModuleLoadError | None:
        """``findError``: the failure nearest the main module, with its chain."""
        if not self.failed:
            return None
        chain = self.find_failure()
        if chain is None:  # pragma: no cover - a failed node is always reachable
            fail = next(iter(self.failed.values()))
            return ModuleLoadError([self.main], fail.mod, fail.reason, fail)
        fail = self.failed[chain[-1]]
        return ModuleLoadError(chain, fail.mod, fail.reason, fail)


class _Reqs:
    """Go's ``Requirements``: the roots of the module graph, pruning, and direct paths."""

    def __init__(self, pruned: bool, roots: Iterable[ModuleVersion], direct: Iterable[str]) -> None:
        self.pruned = pruned
        self.roots = tuple(roots)
        self.direct = frozenset(direct)
        self.max_root: dict[str, str] = {}
        for m in self.roots:
            cur = self.max_root.get(m.path)
            if cur is None or semver.cmp_version(m.path, cur, m.version) < 0:
                self.max_root[m.path] = m.version
        if "go" not in self.max_root:
            raise AssertionError("requirements without a go version")
        self.graph: _Graph | None = None

    def root_selected(self, path: str, main: ModuleVersion) -> str | None:
        if path == main.path:
            return ""
        return self.max_root.get(path)


# -- disqualification --------------------------------------------------------------------


@dataclass(frozen=True)
class _Dq:
    """``dqState``: why a module version cannot be included (nothing: not disqualified)."""

    err: LoadError | None = None
    dep: ModuleVersion | None = None

    @property
    def disqualified(self) -> bool:
        return self.err is not None or self.dep is not None


_OK = _Dq()
_PRUNED = True
_UNPRUNED = False


class _DqTracker:
    """``dqTracker``: propagates disqualifications through pruned and unpruned paths.

    ``roots`` maps each root of the extended graph to whether its requirements are
    loaded pruned (``True``) or unpruned (``False``).
    """

    def __init__(self, roots: Mapping[ModuleVersion, bool]) -> None:
        self.roots = roots
        self.reason: dict[ModuleVersion, tuple[_Dq, _Dq]] = {}  # (pruned, unpruned)
        self.requiring: dict[ModuleVersion, list[ModuleVersion]] = {}

    def check(self, m: ModuleVersion, pruned: bool) -> _Dq:
        pair = self.reason.get(m)
        if pair is None:
            return _OK
        return pair[0] if pruned else pair[1]

    def require(self, m: ModuleVersion, r: ModuleVersion) -> bool:
        """Record that ``m`` requires ``r``; false when that disqualifies ``m`` entirely."""
        root_pruned = self.roots.get(r)
        if root_pruned is not None and self.check(r, root_pruned).disqualified:
            self.disqualify(m, _PRUNED, _Dq(dep=r))
            return False
        if self.check(r, _UNPRUNED).disqualified:
            self.disqualify(m, _UNPRUNED, _Dq(dep=r))
            if m not in self.roots:
                return False
        self.requiring.setdefault(r, []).append(m)
        return True

    def disqualify(self, m: ModuleVersion, from_pruned: bool, reason: _Dq) -> None:
        pruned_dq, unpruned_dq = self.reason.get(m, (_OK, _OK))
        if (pruned_dq if from_pruned else unpruned_dq).disqualified:
            return
        root_pruned = self.roots.get(m)
        is_root = root_pruned is not None
        if from_pruned:
            pruned_dq = reason
            if not unpruned_dq.disqualified:
                unpruned_dq = reason
        else:
            unpruned_dq = reason
            if is_root and root_pruned is _UNPRUNED:
                pruned_dq = reason
        self.reason[m] = (pruned_dq, unpruned_dq)

        if is_root and (from_pruned or root_pruned is _UNPRUNED):
            for p in list(self.requiring.get(m, ())):
                self.disqualify(p, _PRUNED, _Dq(dep=m))
            self.requiring.pop(m, None)
            return
        for p in list(self.requiring.get(m, ())):
            self.disqualify(p, _UNPRUNED, _Dq(dep=m))
        if not is_root:
            self.requiring.pop(m, None)

    def path(self, m: ModuleVersion, pruned: bool) -> tuple[list[ModuleVersion], LoadError | None]:
        """The chain from ``m`` to the reason it is disqualified (empty: it is not)."""
        out: list[ModuleVersion] = []
        while True:
            if self.roots.get(m) is _UNPRUNED:
                pruned = _UNPRUNED
            dq = self.check(m, pruned)
            if not dq.disqualified:
                return out, None
            out.append(m)
            if dq.err is not None or dq.dep == m:
                return out, dq.err
            assert dq.dep is not None
            m = dq.dep


@dataclass
class _Conflict:
    """``modload.Conflict``: a path from a root to a version above ``constraint`` (or to a
    module whose requirements cannot be loaded, ``err``)."""

    path: list[ModuleVersion]
    constraint: ModuleVersion | None = None
    err: LoadError | None = None

    def unwrapped(self) -> str:
        """``UnwrapModuleError``: the error without its module prefix when it names the
        last module of the path."""
        assert self.err is not None
        if self.path and self.err.mod == self.path[-1]:
            return self.err.reason
        return str(self.err)

    def summary(self) -> str:
        first, last = self.path[0], self.path[-1]
        if len(self.path) == 1:
            if self.err is not None:
                return f"{first}: {self.unwrapped()}"
            assert self.constraint is not None
            return f"{first} is above {self.constraint.version}"
        adverb = "indirectly " if len(self.path) > 2 else ""
        if self.err is not None:
            return f"{first} {adverb}requires {last}: {self.unwrapped()}"
        assert self.constraint is not None
        return f"{first} {adverb}requires {last}, but {self.constraint.version} is requested"


class _ConstraintError(Exception):
    def __init__(self, conflicts: Sequence[_Conflict]) -> None:
        super().__init__("version constraints conflict")
        self.conflicts = list(conflicts)


# -- the planner ------------------------------------------------------------------------


class _Planner:
    """One ``go get``: modload's state for one main module."""

    def __init__(self, view: ModuleView, gomodcache: str = "", goroot: str = "") -> None:
        self.view = view
        self.main = view.main
        self.gomodcache = gomodcache or os.path.join(os.path.expanduser("~"), "go", "pkg", "mod")
        self.goroot = goroot or DEFAULT_GOROOT
        self.loaded: dict[ModuleVersion, Summary | LoadError] = {}
        self.warnings: list[str] = []
        self.files: dict[tuple[ModuleVersion, str], ModuleFiles] = {}
        self.fetch_errors: dict[ModuleVersion, _FetchError] = {}
        self.zip_contexts: dict[ModuleVersion, list[Target | str]] = {}
        """For each zip read: what go was doing each time it needed it (Plan.zip_contexts)."""
        self.download_failed: set[ModuleVersion] = set()
        """Modules whose zip go refuses as it downloads it (so never hashes)."""
        """Modules go cannot download or extract (go reports each once per run)."""
        self.problems: list[_Problem] = []
        """The packages the last package load could not load, in go's order."""
        self.package_imports: dict[str, tuple[str, ...]] = {}
        """The imports of each package the last load loaded."""
        self.load_order: list[str] = []
        """Every package of the last load, in go's order (breadth first)."""
        self.path_errors: list[str] = []
        """The last load's ``used for two different module paths`` errors."""
        self.loaded_packages: dict[str, ModuleVersion | None] = {}
        """The last package load: import path -> providing module (None: std)."""
        self.promoted = False
        """Whether loading packages made their modules roots."""
        self.missing: list[_Missing] = []
        """Imports of the last package load no module (or more than one) provides."""
        self.allow_package: Callable[[str, ModuleVersion], Awaitable[bool]] | None = None
        """``AllowPackage``: asked about each package loaded from a module with a version
        (go get -u's hook); false marks the package as needing a version change."""
        self.flagged: set[str] = set()
        """The packages of the last load :attr:`allow_package` said no to."""
        self.stepped: dict[str, tuple[ModuleVersion, _Conflict]] = {}
        """Why each root path was first stepped down by ``editRequirements``: the
        version rejected and the conflict that rejected it (for :attr:`Change.why`)."""
        self.graphs: list[_Graph] = []
        """Every graph read, in order: where a version was chosen on the way (the final
        graph, pruned, may no longer hold the requirement that chose it)."""
        self.imported_by: dict[str, tuple[str, ModuleVersion]] = {}
        """Every package any load met: import path -> (its first importer, ``""`` for an
        argument; the module that provided it)."""

    # -- go.mod summaries and graphs ------------------------------------------------------

    async def _load(self, mods: Iterable[ModuleVersion]) -> None:
        todo = [m for m in dict.fromkeys(mods) if m not in self.loaded]

        async def one(m: ModuleVersion) -> None:
            try:
                self.loaded[m] = await self.view.summary(m)
            except LoadError as exc:
                self.loaded[m] = exc

        if todo:
            await asyncio.gather(*(one(m) for m in todo))

    async def read_graph(
        self,
        pruned: bool,
        roots: Sequence[ModuleVersion],
        unprune: frozenset[ModuleVersion] = frozenset(),
    ) -> _Graph:
        """``readModGraph``: the graph from ``roots``; versions in ``unprune`` are
        expanded even where pruning would stop."""
        g = _Graph(self.main, roots)
        self.graphs.append(g)
        seen: set[tuple[ModuleVersion, bool]] = set()
        queue: list[tuple[ModuleVersion, bool]] = []

        def enqueue(m: ModuleVersion, p: bool) -> None:
            if m.version == NONE or (m, p) in seen:
                return
            seen.add((m, p))
            queue.append((m, p))

        for m in roots:
            enqueue(m, pruned)
        while queue:
            batch, queue = queue, []
            await self._load(m for m, _ in batch)
            for m, p in batch:
                got = self.loaded[m]
                if isinstance(got, LoadError):
                    g.failed[m] = got
                    continue
                if m not in g.summaries:
                    g.summaries[m] = got
                    g.required[m] = got.require
                next_pruned = got.pruned and p
                for r in got.require:
                    if not p or not got.pruned or r in unprune:
                        enqueue(r, next_pruned)
        return g

    async def graph(self, rs: _Reqs) -> _Graph:
        """``rs.Graph``: read once per requirements value."""
        if rs.graph is None:
            rs.graph = await self.read_graph(rs.pruned, rs.roots)
        return rs.graph

    async def mvs_req(
        self, base: Sequence[str], roots: Sequence[ModuleVersion]
    ) -> list[ModuleVersion]:
        """``mvs.Req(main, base, mvsReqs{roots})``, loading every go.mod it needs first."""
        await self.read_graph(False, roots)
        for m in roots:
            got = self.loaded.get(m)
            if isinstance(got, LoadError):
                raise got
        return mvs_req(self.main, base, LoadedReqs(self.main, list(roots), self._loaded_require))

    def _loaded_require(self, m: ModuleVersion) -> Sequence[ModuleVersion]:
        got = self.loaded.get(m)
        if got is None:
            raise GomodxError(f"internal error: {m}: go.mod not loaded")
        if isinstance(got, LoadError):
            raise got
        return got.require

    # -- loading the main module ------------------------------------------------------------

    def roots_from_mod_file(self) -> tuple[list[ModuleVersion], set[str]]:
        roots, direct, dropped = roots_from_mod_file(self.view.main_file, self.view.excluded)
        self.warnings.extend(
            f"go: dropping requirement on excluded version {m.path} {m.version}" for m in dropped
        )
        return roots, direct

    async def load_mod_file(self) -> _Reqs:
        """``loadModFile`` for ``go get`` (``-mod=mod``)."""
        f = self.view.main_file
        roots, direct = self.roots_from_mod_file()
        go = f.go.version if f.go is not None else DEFAULT_GO_MOD_VERSION
        rs = _Reqs(supports_pruning(go), roots, direct)
        if has_redundant_root(self.main, rs.roots):
            rs = await self.update_roots(rs.direct, rs)
        if f.go is None:
            # go adds the missing line (the local version) and converts to pruning.
            v = self.view.local_go
            kept = [m for m in rs.roots if m.path != "go"]
            rs = _Reqs(rs.pruned, sorted([*kept, ModuleVersion("go", v)], key=_mod_key), rs.direct)
            if supports_pruning(v):
                rs = await self.convert_pruning(rs, True)
        return rs

    async def load_mod_graph(self, rs: _Reqs) -> tuple[_Reqs, _Graph]:
        """``LoadModGraph``: the graph, with the roots brought up to date (``expandGraph``)."""
        g = await self.graph(rs)
        err = g.error()
        if err is not None:
            raise _Refused(f"go: {err}", err)
        if any(g.selected(m.path) != m.version for m in g.required[self.main]):
            try:
                rs = await self.update_roots(rs.direct, rs)
            except LoadError as exc:
                raise _Refused(f"go: {exc}", exc) from None
            g = await self.graph(rs)
            err = g.error()
            if err is not None:
                raise _Refused(f"go: {err}", err)
        return rs, g

    async def load_packages(
        self,
        rs: _Reqs,
        roots: Sequence[str] = (),
        tags: Tags = ANY_TAGS,
        roots_imported: bool = True,
    ) -> _Reqs:
        """What loading the argument packages ``roots`` and their imports does to the
        requirements (``loadFromRoots``): an unpruned graph is made consistent, the
        requirements take the pruning of their go version, and in a pruned module the
        module providing each loaded package becomes a root (every package with
        ``roots_imported``, as ``go get`` loads them, else only the arguments')."""
        if not rs.pruned:
            rs, _ = await self.load_mod_graph(rs)
        go = rs.root_selected("go", self.main) or DEFAULT_GO_MOD_VERSION
        rs = await self.convert_pruning(rs, supports_pruning(go))
        if roots:
            rs = await self.load_until_settled(rs, roots, tags, roots_imported)
        # checkMultiplePaths, once loading settled: one module version cannot stand for
        # two module paths. go get's final load (roots_imported false) reports it after
        # the packages it could not load; the others stop go get at once.
        mods = rs.graph.build_list() if rs.graph is not None else list(rs.roots)
        first: dict[ModuleVersion, str] = {}
        self.path_errors = []
        for m in mods:
            src = self.view.resolve(m)
            prev = first.setdefault(src, m.path)
            if prev != m.path:
                self.path_errors.append(
                    f"go: {src.path}@{src.version} used for two different module paths"
                    f" ({prev} and {m.path})"
                )
        if self.path_errors and roots_imported:
            raise _Refused("\n".join(self.path_errors))
        return rs

    async def load_until_settled(
        self, rs: _Reqs, roots: Sequence[str], tags: Tags, roots_imported: bool
    ) -> _Reqs:
        """``loadFromRoots``' loop: load, update the requirements, reload while that
        moved a loaded package."""
        for _ in range(64):
            pkgs = await self.load_imports(rs, roots, tags)
            self.loaded_packages = pkgs
            # updateRequirements: modules providing packages the main module's packages
            # import become direct.
            in_main = [p for p, m in pkgs.items() if m == self.main]
            direct = rs.direct | {
                dep.path
                for p in in_main
                for imp in self.package_imports.get(p, ())
                if (dep := pkgs.get(imp)) is not None and dep.path != self.main.path
            }
            if not rs.pruned:
                if direct != rs.direct:
                    rs = await self.update_unpruned_roots(frozenset(direct), rs)
                return rs
            if roots_imported:
                promote = pkgs
            else:
                # The arguments, and everything the main module's packages import
                # ("all").
                seen: set[str] = set()
                todo = list(in_main)
                while todo:
                    p = todo.pop()
                    if p not in seen:
                        seen.add(p)
                        todo.extend(self.package_imports.get(p, ()))
                keep = seen | {p for p in roots if p in pkgs}
                promote = {p: pkgs.get(p) for p in keep}
            add = sorted(
                {
                    m
                    for m in promote.values()
                    if m is not None
                    and m.path != self.main.path
                    and rs.root_selected(m.path, self.main) is None
                },
                key=_mod_key,
            )
            if not add:
                if direct != rs.direct:
                    rs = await self.update_pruned_roots(frozenset(direct), rs)
                return rs
            promoted = await self.update_pruned_roots(frozenset(direct), rs, add)
            self.promoted = True
            go = promoted.root_selected("go", self.main) or DEFAULT_GO_MOD_VERSION
            if not supports_pruning(go):  # pragma: no cover - a root cannot lower go
                raise AssertionError("promoting a module to a root lowered the go version")
            # A new go version reloads everything; so does a package that moved.
            reload = promoted.root_selected("go", self.main) != rs.root_selected(
                "go", self.main
            ) or await self.packages_moved(promoted, pkgs)
            rs = promoted
            if not reload:
                # go keeps this load's packages (and its failures) as they are.
                return rs
        raise PlanError("gomodx: package loading did not converge")  # pragma: no cover

    async def packages_moved(self, rs: _Reqs, pkgs: Mapping[str, ModuleVersion | None]) -> bool:
        """``updateRequirements``' test after promoting roots: whether a loaded package
        would now come from another version, or a package that failed would now load
        (``importFromModules`` with no error: found, and its module fetched). Packages
        are tried in load order, stopping at the first that moved."""
        g = await self.graph(rs)
        # A package -u flagged failed too (errVersionChange), and still imports fine.
        failed = {p.path for p in self.problems} | self.flagged
        for path in self.load_order:
            m = pkgs.get(path)
            if m is not None and m.path != self.main.path and g.selected(m.path) != m.version:
                return True
            if path in failed:
                try:
                    await self.import_from_modules(rs, path)
                except (_Missing, _FetchError):
                    continue
                return True
        return False

    # -- packages -----------------------------------------------------------------------

    async def package_files(self, m: ModuleVersion, rel: str) -> ModuleFiles:
        """The files of module node ``m`` (its replacement is read): the whole zip, or
        directory ``rel`` of a local replacement."""
        actual = self.view.resolve(m)
        if m.path == self.main.path and not m.version:
            key = (m, rel)
            if key not in self.files:
                self.files[key] = read_module_dir(self.view.main_dir, rel)
            return self.files[key]
        if actual.version == "":
            key = (actual, rel)
            if key not in self.files:
                self.files[key] = read_module_dir(replacement_dir(actual, self.view.main_dir), rel)
            return self.files[key]
        tree = await self.view.extracted(actual)
        if tree is not None:  # go's extracted tree, read as go reads it
            key = (actual, rel)
            if key not in self.files:
                self.files[key] = read_module_dir(tree, rel)
            return self.files[key]
        key = (actual, "")
        context = _ZIP_CONTEXT.get()
        if context is not None:
            seen = self.zip_contexts.setdefault(actual, [])
            if not any(c is context for c in seen) and (
                isinstance(context, Target) or context not in seen
            ):
                seen.append(context)
        failed = self.fetch_errors.get(actual)
        if failed is not None:
            raise failed
        if key not in self.files:
            try:
                data = await self.view.zip(actual)
                self.files[key] = read_module_zip(actual, data)
            except BadModuleZip as exc:
                text = str(exc)
                if exc.extracting:
                    # modfetch prints an extraction failure as it happens, once per
                    # module version (two arguments may ask for it at once).
                    text = f"unzip {self.zip_file(actual)}: {text}"
                    if actual not in self.fetch_errors:
                        self.warnings.append(f"-> {text}")
                else:
                    # DownloadZip refuses it before hashing it: no zip hash for go.sum.
                    self.download_failed.add(actual)
                self.fetch_errors[actual] = _FetchError(text)
                raise self.fetch_errors[actual] from None
            except (ProxyUnavailable, AuthRequired, ChecksumMismatch):
                raise
            except GomodxError as exc:
                # The proxy cannot serve the zip: go's Download error, as it is.
                self.fetch_errors[actual] = _FetchError(str(exc))
                raise self.fetch_errors[actual] from exc
        return self.files[key]

    def zip_file(self, m: ModuleVersion) -> str:
        """Where go keeps ``m``'s zip: ``GOMODCACHE/cache/download/PATH/@v/VERSION.zip``."""
        return os.path.join(
            self.gomodcache,
            "cache",
            "download",
            escape_path(m.path),
            "@v",
            escape_version(m.version) + ".zip",
        )

    def package_dir(self, m: ModuleVersion, package: str) -> str:
        """The directory go reads package ``package`` of module node ``m`` from: the main
        module's, a local replacement's, or the extracted module in GOMODCACHE."""
        rel = package[len(m.path) :].lstrip("/")
        actual = self.view.resolve(m)
        if m.path == self.main.path and not m.version:
            root = str(self.view.main_dir)
        elif actual.version == "":
            root = os.path.join(str(self.view.main_dir), actual.path)
        else:
            root = os.path.join(
                self.gomodcache, f"{escape_path(actual.path)}@{escape_version(actual.version)}"
            )
        return os.path.normpath(os.path.join(root, rel) if rel else root)

    async def dir_in_module(self, m: ModuleVersion, package: str) -> bool:
        """``dirInModule``: whether module ``m`` holds package ``package``'s Go files."""
        rel = package[len(m.path) :].lstrip("/")
        files = await self.package_files(m, rel)
        return files.has_package(rel)

    async def import_from_modules(self, rs: _Reqs, path: str) -> ModuleVersion:
        """``importFromModules``: the one module providing ``path`` — among the roots
        first in a pruned module, then in the whole graph. Raises :class:`_Missing`
        (none, or more than one) or :class:`_FetchError`."""
        prefixes = []
        p = path
        while True:
            prefixes.append(p)
            if "/" not in p:
                break
            p = p.rsplit("/", 1)[0]
        use_graph = not rs.pruned
        while True:
            g = await self.graph(rs) if use_graph else None
            found: list[ModuleVersion] = []
            for prefix in prefixes:
                if prefix == self.main.path:
                    v: str | None = ""
                elif g is not None:
                    v = g.selected(prefix)
                else:
                    v = rs.root_selected(prefix, self.main)
                if v is None or v == NONE or semver.is_toolchain_path(prefix):
                    continue
                if prefix != self.main.path and v == "":
                    continue
                m = ModuleVersion(prefix, v)
                if await self.dir_in_module(m, path):
                    found.append(m)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                # go lists them from the shortest module path to the longest.
                which = [(m, self.package_dir(m, path)) for m in reversed(found)]
                raise _Missing(path, which, self.goroot)
            if use_graph:
                raise _Missing(path, goroot=self.goroot)
            use_graph = True

    async def load_imports(
        self, rs: _Reqs, roots: Sequence[str], tags: Tags
    ) -> dict[str, ModuleVersion | None]:
        """The packages ``roots`` and everything they import (no tests), each with the
        module that provides it (``None`` for the standard library). Packages that
        cannot be loaded go to :attr:`problems` (their imports are not read), in the
        order go reports them (breadth first, imports sorted), each with its import
        stack; :attr:`missing` has the missing and ambiguous ones."""
        self.missing = []
        self.problems = []
        self.package_imports = {}
        self.load_order = []
        self.flagged = set()
        out: dict[str, ModuleVersion | None] = {}
        parent: dict[str, str] = {}
        queue: list[str] = []
        for p in roots:
            if p not in parent:
                parent[p] = ""
                queue.append(p)

        def stack(path: str) -> str:
            chain = [path]
            while parent[chain[-1]]:
                chain.append(parent[chain[-1]])
            return " imports\n\t".join(reversed(chain))

        i = 0
        while i < len(queue):
            path = queue[i]
            i += 1
            self.load_order.append(path)
            if is_std_like(path) and is_std(path):
                out[path] = None
                continue
            token = _ZIP_CONTEXT.set(stack(path))
            try:
                m = await self.import_from_modules(rs, path)
                rel = path[len(m.path) :].lstrip("/")
                files = await self.package_files(m, rel)
            except _Missing as exc:
                self.missing.append(exc)
                self.problems.append(_Problem(path, stack(path), exc.text, exc))
                continue
            except _FetchError as exc:
                self.problems.append(_Problem(path, stack(path), str(exc)))
                continue
            finally:
                _ZIP_CONTEXT.reset(token)
            hook = self.allow_package
            if (
                hook is not None
                and m.version
                and m.path != self.main.path
                and not await hook(path, m)
            ):
                self.flagged.add(path)  # errVersionChange: its imports still load
            out[path] = m
            self.imported_by.setdefault(path, (parent[path], m))
            imported = files.imports(rel, tags) or ()
            self.package_imports[path] = imported
            for imp in imported:
                if imp not in parent:
                    parent[imp] = path
                    queue.append(imp)
        return out

    # -- updating roots -----------------------------------------------------------------

    async def update_roots(self, direct: frozenset[str], rs: _Reqs) -> _Reqs:
        if rs.pruned:
            return await self.update_pruned_roots(direct, rs)
        return await self.update_unpruned_roots(direct, rs)

    async def update_pruned_roots(
        self, direct: frozenset[str], rs: _Reqs, add: Sequence[ModuleVersion] = ()
    ) -> _Reqs:
        """``updatePrunedRoots``; ``add`` are the modules of loaded packages that are
        not roots yet (promoted at the version they were loaded from)."""
        roots = list(rs.roots)
        upgraded = False
        if add:
            roots = sorted([*roots, *add], key=_mod_key)
            upgraded = True
        while True:
            g: _Graph | None = None
            if upgraded:
                rs = _Reqs(True, roots, direct)
                g = await self.graph(rs)
                err = g.error()
                if err is not None:
                    raise _Refused(f"go: {err}", err)
            elif rs.graph is not None:
                g = rs.graph

            def from_roots(p: str, rs: _Reqs = rs) -> str:
                return rs.root_selected(p, self.main) or ""

            selected = g.selected if g is not None else from_roots
            roots, upgraded = selected_roots(self.main, rs.roots, selected)
            if not upgraded:
                break
        if rs.pruned and tuple(roots) == rs.roots and direct == rs.direct:
            return rs
        return _Reqs(True, roots, direct)

    async def update_unpruned_roots(
        self, direct: frozenset[str], rs: _Reqs, add: Sequence[ModuleVersion] = ()
    ) -> _Reqs:
        """``updateUnprunedRoots``: the minimal roots keeping the build list and direct paths."""
        g = await self.graph(rs)
        err = g.error()
        if err is not None:
            raise _Refused(f"go: {err}", err)
        keep = [*g.build_list()[1:], *add]
        roots = await self.mvs_req(unpruned_root_paths(rs.roots, g, keep, direct), keep)
        if not rs.pruned and tuple(roots) == rs.roots and direct == rs.direct:
            return rs
        return _Reqs(False, roots, direct)

    async def convert_pruning(self, rs: _Reqs, pruned: bool) -> _Reqs:
        """``convertPruning``."""
        if rs.pruned == pruned:
            return rs
        if not pruned:
            return await self.update_unpruned_roots(rs.direct, rs)
        g = await self.graph(rs)
        err = g.error()
        if err is not None:
            raise _Refused(f"go: {err}", err)
        return _Reqs(True, g.build_list()[1:], rs.direct)

    # -- editRequirements -----------------------------------------------------------------

    async def extend_graph(
        self, pruned: bool, roots: Sequence[ModuleVersion], selected_root: Mapping[str, str]
    ) -> tuple[_Graph, set[ModuleVersion]]:
        """``extendGraph``: unprune the selected version of every root path until stable."""
        upgraded: set[ModuleVersion] = set()
        while True:
            g = await self.read_graph(pruned, roots, frozenset(upgraded))
            if not pruned:
                return g, upgraded
            before = len(upgraded)
            for p in selected_root:
                v = g.selected(p)
                if v == NONE:
                    continue
                m = ModuleVersion(p, v)
                if m not in g.summaries and m not in upgraded:
                    upgraded.add(m)
            if len(upgraded) == before:
                return g, upgraded

    async def edit_requirements(
        self,
        rs: _Reqs,
        must_select: Sequence[ModuleVersion],
        try_upgrade: Sequence[ModuleVersion] = (),
    ) -> tuple[_Reqs, bool]:
        """``editRequirements(rs, tryUpgrade, mustSelect)``.

        Raises :class:`_ConstraintError` when ``must_select`` cannot be honoured.
        """
        orig = rs
        root_pruned = orig.pruned
        for m in must_select:
            if m.path == "go":
                root_pruned = supports_pruning(m.version)
                break
            if m.path == "toolchain":
                tv = semver.gover_from_toolchain(m.version)
                if not supports_pruning(tv or "0"):
                    root_pruned = False
                    break
        if root_pruned != rs.pruned:
            rs = await self.convert_pruning(rs, root_pruned)

        if root_pruned:
            selected_root = dict(rs.max_root)
        else:
            g0 = await self.graph(rs)
            err = g0.error()
            if err is not None:
                raise _Refused(f"go: {err}", err)
            selected_root = {m.path: m.version for m in g0.build_list()[1:]}
        for m in try_upgrade:
            cur = selected_root.get(m.path)
            if cur is not None and semver.mod_compare(m.path, cur, m.version) >= 0:
                continue
            selected_root[m.path] = m.version

        conflicts: list[_Conflict] = []
        must: dict[str, str] = {}
        for r in must_select:
            v = must.get(r.path)
            if v is not None and v != r.version:
                prev = ModuleVersion(r.path, v)
                if semver.mod_compare(r.path, v, r.version) > 0:
                    conflicts.append(_Conflict([prev], constraint=r))
                else:
                    conflicts.append(_Conflict([r], constraint=prev))
                continue
            must[r.path] = r.version
            selected_root[r.path] = r.version

        roots: list[ModuleVersion] = []
        dirty = True
        rejected: set[ModuleVersion] = set()
        orig_graph: _Graph | None = None

        def too_high(m: ModuleVersion) -> bool:
            mx = must.get(m.path)
            return mx is not None and semver.mod_compare(m.path, m.version, mx) > 0

        while dirty and not conflicts:
            roots = sorted(
                (ModuleVersion(p, v) for p, v in selected_root.items() if v != NONE),
                key=_mod_key,
            )
            mg, upgraded = await self.extend_graph(root_pruned, roots, selected_root)
            too_new = mg.error()
            if too_new is not None and any(isinstance(e, TooNewError) for e in causes(too_new)):
                # edit.go: a go.mod too new for this go is go's error itself, not a conflict.
                raise _Refused(f"go: {too_new}", too_new)

            def find_pruning(m: ModuleVersion, graph: _Graph = mg) -> bool:
                if root_pruned:
                    s = graph.summaries.get(m)
                    if s is not None and not s.pruned:
                        return _UNPRUNED
                return root_pruned

            extended = {m: find_pruning(m) for m in roots}
            for m in upgraded:
                extended[m] = find_pruning(m)

            t = _DqTracker(extended)
            for m in mg.walk():
                if too_high(m):
                    t.disqualify(m, _PRUNED, _Dq(dep=m))
                    continue
                fail = mg.failed.get(m)
                if fail is not None:
                    t.disqualify(m, _PRUNED, _Dq(err=fail))
                    continue
                reqs = mg.required.get(m)
                if reqs is None or m == self.main:
                    continue
                bad = next((r for r in reqs if too_high(r)), None)
                if bad is not None:
                    t.disqualify(m, _PRUNED, _Dq(dep=bad))
                    continue
                for r in reqs:
                    if not t.require(m, r):
                        break

            dirty = False
            for m in roots:
                chain, load_err = t.path(m, extended[m])
                if not chain and load_err is None:
                    continue
                conflict = _Conflict(chain, err=load_err)
                if load_err is None:
                    last = chain[-1]
                    conflict.constraint = ModuleVersion(last.path, must[last.path])
                if must.get(m.path) == m.version:
                    conflicts.append(conflict)
                    continue
                v = mg.selected(m.path)
                if v != m.version:
                    u = ModuleVersion(m.path, v)
                    if not t.check(u, extended[m]).disqualified and u not in rejected:
                        continue
                if orig_graph is None:
                    orig_graph = await self.graph(orig)
                orig_v = orig_graph.selected(m.path)
                if conflict.err is not None and orig_v == m.version:
                    conflicts.append(conflict)
                    continue
                rejected.add(m)
                self.stepped.setdefault(m.path, (m, conflict))
                prev = m
                while True:
                    step_err: GomodxError | None = None
                    try:
                        prev = await self.view.previous_version(prev)
                    except GomodxError as exc:
                        step_err = exc
                    if semver.mod_compare(m.path, m.version, orig_v) > 0 and (
                        step_err is not None or semver.mod_compare(m.path, prev.version, orig_v) < 0
                    ):
                        # previousVersion skipped the original version: try it too.
                        prev = ModuleVersion(m.path, orig_v)
                        if prev in rejected:
                            # cmd/go would step below the original version and come
                            # back to it forever (its loop has no way out here).
                            raise _Refused(_never_finishes(m, prev))
                    elif step_err is not None:
                        raise _Refused(f"go: {step_err}", step_err)
                    if prev in rejected:
                        continue
                    pruning = root_pruned
                    if pruning:
                        s = mg.summaries.get(m)
                        if s is not None:
                            pruning = s.pruned
                    if t.check(prev, pruning).disqualified:
                        rejected.add(prev)
                        continue
                    break
                selected_root[m.path] = prev.version
                dirty = True
                if conflict.err is not None:
                    if prev.version == NONE:
                        action = f"removing {m}"
                    elif prev.version == orig_v:
                        action = f"restoring {prev}"
                    else:
                        action = f"trying {prev}"
                    self.warnings.append(f"go: {conflict.summary()}\n\t{action}")
            if dirty:
                continue

            # Nothing left to downgrade: lock in the upgrades the graph implies.
            for p, v in list(selected_root.items()):
                if p not in must:
                    actual = mg.selected(p)
                    if actual != v:
                        selected_root[p] = actual
                        dirty = True

        if conflicts:
            raise _ConstraintError(conflicts)

        if not root_pruned:
            root_paths = [
                m.path for m in must_select if m.version != NONE and m.path != self.main.path
            ]
            for m in roots:
                v = rs.root_selected(m.path, self.main)
                if v is not None and (v == m.version or m.path in rs.direct):
                    root_paths.append(m.path)
            try:
                roots = await self.mvs_req(root_paths, roots)
            except LoadError as exc:
                raise _Refused(f"go: {exc}", exc) from None

        changed = root_pruned != orig.pruned or tuple(roots) != orig.roots
        if not changed:
            return orig, False
        direct = {m.path for m in roots if m.path in rs.direct}
        edited = _Reqs(root_pruned, roots, direct)
        if not root_pruned:
            v = edited.root_selected("go", self.main)
            if v and supports_pruning(v):
                edited = await self.convert_pruning(edited, True)
        return edited, True


# -- go get -------------------------------------------------------------------------------


@dataclass
class _Resolution:
    """What one argument resolved to, and whether it named a package (``package``: its
    import path, when the argument is a directory). ``module`` is ``None`` for a
    standard-library package."""

    module: ModuleVersion | None
    is_package: bool = False
    package: str = ""
    pathset: bool = False
    """A path query's answer still to be disambiguated (``pathSet``): the modules
    providing the package (:attr:`found`) and the module whose path the argument names
    (:attr:`mod_only`); :attr:`module` is unused."""
    found: tuple[ModuleVersion, ...] = ()
    mod_only: ModuleVersion | None = None


_Found = tuple[ModuleVersion, ...] | BaseException
"""What ``findPackage`` found for a package: the modules providing it, or the error."""


class _Query:
    """One ``go get`` argument (``modget.query``): its version query and error wording."""

    def __init__(
        self, get: _Get, target: Target, selected: Callable[[str], str] | None = None
    ) -> None:
        self.get = get
        self.target = target
        self.view = get.view
        self.main = get.main
        self.selected = selected or get.initial_selected
        """The versions ``upgrade`` and ``patch`` count from: the build list at the
        start of the command, or (for ``-u``'s queries) the one the edits so far left."""

    def report_error(self, err: str) -> str:
        """``reportError``: prefix the argument unless the error already names it."""
        return report_error(self.target, err)

    def resolved_string(self, m: ModuleVersion) -> str:
        """``ResolvedString``: how go names ``m`` as this argument's resolution."""
        q = self.target
        if m.path != q.path:
            if m.version != q.query:
                return f"{m} (matching {q.path}@{q.query})"
            return f"{m} (matching {q.raw})"
        if m.version != q.query:
            return f"{q.path}@{q.query} ({m.version})"
        return q.raw

    def arg_string(self, version: str) -> str:
        """``argStr`` of ``conflictError``."""
        q = self.target
        if version != q.query:
            return f"{q.path}@{q.query} ({version})"
        return q.raw

    async def allowed(self, m: ModuleVersion) -> None:
        """``checkAllowedOr``: the requested version only against excludes; the current
        one always for ``upgrade``/``patch``; everything else ``CheckAllowed``."""
        q = self.target.query
        if m.version == q:
            self.view.check_exclusions(m)
            return
        if q in ("upgrade", "patch") and m.version == self.selected(m.path):
            return
        await self.view.check_allowed(m)

    async def resolve(self) -> _Resolution:
        q = self.target
        if semver.is_toolchain_path(q.path):
            raise PlanError(f"gomodx: {q.raw}: go and toolchain arguments are not supported")
        if os.path.isabs(q.path) or _is_relative_path(q.path):
            return self.resolve_local()
        if is_std_like(q.path) and is_std(q.path) and q.query != NONE:
            if q.explicit:
                raise _Refused(
                    self.report_error(
                        f"can't request explicit version {quote(q.query)} of standard"
                        f" library package {q.path}"
                    )
                )
            return _Resolution(None, True, q.path)
        if q.query == NONE:
            if q.path == self.main.path:
                raise _Refused(
                    self.report_error(
                        f'can\'t request version "none" of the main module ({q.path})'
                    )
                )
            return _Resolution(None, pathset=True, mod_only=ModuleVersion(q.path, NONE))
        found, mod_only = await self.query_pattern()
        return _Resolution(None, pathset=True, found=tuple(found), mod_only=mod_only)

    def resolve_local(self) -> _Resolution:
        """``performLocalQueries``: a directory argument names a package of the main
        module, never a version."""
        q = self.target
        if q.explicit:
            raise _Refused(
                f"go: can't request explicit version {quote(q.query)} of path"
                f" {quote(q.path)} in main module"
            )
        root = str(self.view.main_dir)
        full = os.path.normpath(os.path.join(root, q.path))
        detail = "" if os.path.isabs(q.path) else f" ({full})"
        rel = os.path.relpath(full, root)
        if rel == ".." or rel.startswith("../"):
            raise _Refused(
                self.report_error(f"{q.path}{detail} is not within module rooted at {root}")
            )
        package = self.main.path if rel == "." else f"{self.main.path}/{rel}"
        d = Path(full)
        try:
            has_go = any(p.suffix == ".go" and p.is_file() for p in d.iterdir())
        except OSError:
            has_go = False
        if not has_go:
            if q.path == ".":
                raise _Refused(self.report_error("no package to get in current directory"))
            raise _Refused(
                self.report_error(f"{q.path}{detail} is not a package in module rooted at {root}")
            )
        return _Resolution(self.main, True, package)

    async def query_pattern(self) -> tuple[list[ModuleVersion], ModuleVersion | None]:
        """``QueryPattern`` for a package path (no wildcards)."""
        q = self.target
        main = self.main
        mod_only: ModuleVersion | None = None
        if q.path == main.path or q.path.startswith(main.path + "/"):
            rel = q.path[len(main.path) :].lstrip("/")
            d = self.view.main_dir / rel
            has_go = d.is_dir() and any(p.suffix == ".go" and p.is_file() for p in d.iterdir())
            if has_go:
                if q.query not in ("upgrade", "patch"):
                    raise _Refused(
                        self.report_error(
                            f"package {q.path} is in the main module, so can't request"
                            f" version {q.query}"
                        )
                    )
                return [main], None
            if q.path == main.path and q.query in ("upgrade", "patch"):
                mod_only = main
        candidates: list[str] = []
        path = q.path
        while True:
            if path != main.path and split_path_version(path)[2]:
                candidates.append(path)
            if "/" not in path:
                break
            path = path.rsplit("/", 1)[0]
        if not candidates:
            if mod_only is not None:
                return [], mod_only
            if q.path == main.path:
                raise _Refused(
                    self.report_error(
                        f'can\'t request version "{q.query}" of the main module ({q.path})'
                    )
                )
            raise _Refused(self.report_error(f"cannot find module providing package {q.path}"))

        async def one(p: str) -> tuple[ModuleVersion | None, bool, BaseException | None]:
            _ZIP_CONTEXT.set(q)  # this task's own context: resolving argument q
            try:
                info = await self.view.query(p, q.query, self.selected(p), self.allowed)
                m = ModuleVersion(p, info.version)
                has = await self.get.planner.dir_in_module(m, q.path)
            except (ProxyUnavailable, AuthRequired, ChecksumMismatch):
                raise
            except (GomodxError, ModuleError) as exc:
                return None, False, exc
            if not has and p != q.path:
                return m, False, _PackageNotInModule(self.view, m, q)
            return m, has, None

        results = await asyncio.gather(*(one(p) for p in candidates))
        found: list[ModuleVersion] = []
        no_package: _PackageNotInModule | None = None
        no_version: QueryError | None = None
        no_patch_base: QueryError | None = None
        invalid_version: BaseException | None = None
        not_exist: BaseException | None = None
        err: BaseException | None = None
        for m, has, exc in results:
            if exc is None:
                assert m is not None
                if has:
                    found.append(m)
                else:
                    mod_only = m
                continue
            if isinstance(exc, _PackageNotInModule):
                no_package = no_package or exc
            elif isinstance(exc, QueryError) and exc.kind == "no-match":
                no_version = no_version or exc
            elif isinstance(exc, QueryError) and exc.kind == "no-patch-base":
                no_patch_base = no_patch_base or exc
            elif isinstance(exc, (QueryError, LoadError)) and _not_exist(exc):
                not_exist = not_exist or exc
            elif isinstance(exc, QueryError) and exc.kind == "invalid-version":
                invalid_version = invalid_version or exc
            elif err is None and not (found or no_package is not None or mod_only is not None):
                err = exc
        if err is not None:
            raise _Refused(self.report_error(str(err)), err)
        if not found and mod_only is None:
            for e in (no_package, no_version, no_patch_base, invalid_version, not_exist):
                if e is not None:
                    raise _Refused(self.report_error(str(e)), e)
            raise _Refused(self.report_error(f"cannot find module providing package {q.path}"))
        return found, mod_only


class _Get:
    """``go get ARG...`` in one main module, step by step as ``runGet`` does it."""

    def __init__(
        self,
        view: ModuleView,
        targets: Sequence[Target],
        gosum: GoSum,
        gomodcache: str = "",
        goroot: str = "",
        upgrade: str = "",
        details: bool = True,
    ) -> None:
        self.view = view
        self.main = view.main
        self.upgrade = upgrade
        self.details = details
        """Whether to say why each change happens and which conflicts come and go (a
        caller that only asks whether go accepts the change skips that work)."""
        """go get's ``-u`` flag: ``upgrade``, ``patch`` or ``""`` (not given)."""
        self.planner = _Planner(view, gomodcache, goroot)
        self.gosum = gosum
        self.queries = [_Query(self, t) for t in targets]
        self.initial_version: dict[str, str] = {}
        self.resolved: dict[str, tuple[_Query, ModuleVersion]] = {}
        self.packages: list[ModuleVersion] = []
        """The modules that provide the package arguments name (``pkgPatterns``)."""
        self.package_paths: list[str] = []
        """The package arguments (``pkgPatterns``)."""
        self.final_direct: frozenset[str] = frozenset()
        self.pending: list[tuple[_Query, _Resolution]] = []
        self.resolution_errors: list[tuple[Target, str]] = []
        """The arguments' errors when resolving them refused (Plan.resolution_errors)."""
        """Arguments still ambiguous after :meth:`resolve`."""

    def initial_selected(self, path: str) -> str:
        return self.initial_version.get(path, NONE)

    async def resolve(self) -> None:
        """``performPathQueries`` + ``resolveQueries``' first passes: every argument whose
        answer is unambiguous to one version, in passes until no more can be settled (an
        argument settled in one pass may disambiguate another in the next). What stays
        ambiguous waits in :attr:`pending` for :meth:`resolve_arbitrarily`."""
        results = await asyncio.gather(*(q.resolve() for q in self.queries), return_exceptions=True)
        todo: list[tuple[_Query, _Resolution | _Refused]] = []
        for q, res in zip(self.queries, results, strict=True):
            if isinstance(res, (_Resolution, _Refused)):
                todo.append((q, res))
            else:
                raise res
        nones = {
            m.path
            for _, r in todo
            if isinstance(r, _Resolution)
            for m in [r.mod_only]
            if m is not None and m.version == NONE and not r.found
        }
        while True:
            errors: list[str] = []
            cause: BaseException | None = None
            progress = False
            remaining: list[tuple[_Query, _Resolution | _Refused]] = []
            said: list[tuple[Target, str]] = []
            for q, res in todo:
                if isinstance(res, _Refused):
                    errors.append(res.text)
                    said.append((q.target, res.text))
                    cause = cause or res.cause
                    progress = True
                    continue
                if not res.pathset:
                    before = len(errors)
                    self.settle(q, res, errors)
                    said.extend((q.target, e) for e in errors[before:])
                    progress = True
                    continue
                filtered, m, unique = self.disambiguate(res, nones)
                if not unique:
                    remaining.append((q, filtered))
                    continue
                if m is None:
                    # No viable answer: resolve arbitrarily, to report the conflict.
                    m, is_package = self.choose_arbitrarily(res)
                else:
                    is_package = m in res.found
                before = len(errors)
                self.settle(q, _Resolution(m, is_package), errors)
                said.extend((q.target, e) for e in errors[before:])
                progress = True
            if errors:
                self.resolution_errors = said
                raise _Refused("\n".join(errors), cause)
            todo = remaining
            if not progress:
                break
        self.pending = [(q, r) for q, r in todo if isinstance(r, _Resolution)]

    def disambiguate(
        self, res: _Resolution, nones: set[str]
    ) -> tuple[_Resolution, ModuleVersion | None, bool]:
        """``disambiguate``: the candidates other arguments leave, and the one module
        (``None`` when none is viable) if that settles the argument."""
        found: list[ModuleVersion] = []
        for m in res.found:
            if m.path in nones:
                continue
            if m.path == self.main.path:
                if m.version == "":
                    return res, m, True
                continue
            entry = self.resolved.get(m.path)
            if entry is None:
                found.append(m)
                continue
            if entry[1].version != m.version:
                continue
            return res, m, True
        mod: ModuleVersion | None = None
        if res.mod_only is not None:
            entry = self.resolved.get(res.mod_only.path)
            if entry is None or entry[1].version == res.mod_only.version:
                mod = res.mod_only
        filtered = dataclasses.replace(res, found=tuple(found), mod_only=mod)
        if len(found) == 1 and (mod is None or mod == found[0]):
            return filtered, found[0], True
        if not found:
            return filtered, mod, True
        return filtered, None, False

    def choose_arbitrarily(self, res: _Resolution) -> tuple[ModuleVersion, bool]:
        """``chooseArbitrarily``: a module already in the build list first."""
        for m in res.found:
            if self.initial_selected(m.path) != NONE:
                return m, True
        if res.found:
            return res.found[0], True
        assert res.mod_only is not None
        return res.mod_only, False

    def resolve_arbitrarily(self) -> None:
        """``resolveQueries``' last resort: each argument still ambiguous, arbitrarily
        but deterministically."""
        errors: list[str] = []
        for q, res in self.pending:
            m, is_package = self.choose_arbitrarily(res)
            self.settle(q, _Resolution(m, is_package), errors)
        self.pending = []
        if errors:
            raise _Refused("\n".join(errors))

    def settle(self, q: _Query, res: _Resolution, errors: list[str]) -> None:
        """``resolve``: fix ``q``'s module at its version (a different version already
        fixed by another argument is go's conflict)."""
        m = res.module
        if m is None:
            if q.target.path not in self.package_paths:
                self.package_paths.append(q.target.path)
            return
        prev = self.resolved.get(m.path)
        if prev is not None and prev[1].version != m.version:
            detail = f"for module {m.path}, " if m.path != q.target.path else ""
            errors.append(
                q.report_error(
                    f"{detail}{q.arg_string(m.version)} conflicts with"
                    f" {prev[0].arg_string(prev[1].version)}"
                )
            )
            return
        self.resolved[m.path] = (q, m)
        if res.is_package and m not in self.packages:
            self.packages.append(m)
        package = res.package or q.target.path
        if res.is_package and package not in self.package_paths:
            self.package_paths.append(package)

    # -- the whole command ----------------------------------------------------------------

    async def run(self) -> Plan:
        view = self.view
        before = _read_bytes(view.main_dir / "go.mod") or b""
        gosum_before = _read_bytes(view.main_dir / "go.sum")
        base = Plan(
            targets=tuple(q.target for q in self.queries),
            ok=False,
            gomod_before=before,
            gomod_after=before,
            gosum_before=gosum_before,
            main_dir=str(view.main_dir),
        )
        planner = self.planner
        try:
            rs = await planner.load_mod_file()
            rs, g = await planner.load_mod_graph(rs)
        except _Refused as exc:
            return _refused(base, exc.text, planner.warnings, exc.cause)
        initial_graph = g
        initial_list = g.build_list()
        self.initial_version = {m.path: m.version for m in initial_list}
        previous = tuple(m for m in initial_list if not semver.is_toolchain_path(m.path))
        base = _replace(base, previous_build_list=previous)

        try:
            await self.resolve()
        except _Refused as exc:
            return _refused(base, exc.text, planner.warnings, exc.cause)
        resolved = [m for _, m in self.resolved.values()]
        base = _replace(base, resolved=tuple(resolved))
        must = [m for m in resolved if m.path != self.main.path]
        build_list = initial_list
        try:
            # resolveQueries' edit, then (after loading the arguments' packages, which
            # may convert the requirements to the pruning of their go version) the
            # edits of applyUpgrades until one changes nothing.
            edited, changed = await planner.edit_requirements(rs, must)
            if self.pending:
                # The arguments still ambiguous are settled arbitrarily, once the edit
                # of the others is in.
                if changed:
                    rs, g = await planner.load_mod_graph(edited)
                    build_list = g.build_list()
                self.resolve_arbitrarily()
                resolved = [m for _, m in self.resolved.values()]
                base = _replace(base, resolved=tuple(resolved))
                must = [m for m in resolved if m.path != self.main.path]
                edited, changed = await planner.edit_requirements(rs, must)
            for _ in range(64):
                if changed:
                    rs, g = await planner.load_mod_graph(edited)
                    build_list = g.build_list()
                if self.package_paths:
                    selected = {m.path: m.version for m in build_list}
                    found: list[tuple[str, _Found]] = []
                    if self.upgrade:
                        planner.allow_package = self.upgrade_hook(selected, found)
                    try:
                        rs = await planner.load_packages(rs, self.package_paths)
                    finally:
                        planner.allow_package = None
                    if planner.missing or found:
                        # findAndUpgradeImports + applyUpgrades: the module providing
                        # each missing package @latest (and, with -u, what the loads
                        # found above), tried as an upgrade. Left unresolved, missing
                        # ones fail go get only if the final load (the host's tags)
                        # still meets them.
                        adds = await self.find_upgrades(planner.missing, found, selected)
                        edited, changed = await planner.edit_requirements(rs, must, adds)
                        if changed:
                            continue
                edited, changed = await planner.edit_requirements(rs, must)
                if not changed:
                    break
            else:
                # Upgrades for missing imports and the edits that undo them can chase
                # each other forever: cmd/go's runGet loop never ends either.
                raise _Refused(
                    f"{NEVER_FINISHES}: adding modules for missing imports and editing the"
                    " requirements undo each other (cmd/go's runGet loops here, so go get"
                    " hangs)"
                )
            if self.package_paths:
                # checkPackageProblems: the arguments again, with the host's build tags.
                rs = await planner.load_packages(
                    rs, self.package_paths, HOST_TAGS, roots_imported=False
                )
                if planner.problems or planner.path_errors:
                    # go prints each package it could not load (and module versions
                    # used for two paths), then the deprecations and retractions, and
                    # exits.
                    lines = [f"go: {p.stack}: {p.text}" for p in planner.problems]
                    lines.extend(planner.path_errors)
                    self.final_direct = rs.direct
                    lines.extend(await self.package_warnings())
                    raise _Refused("\n".join(lines))
            graph_loaded = rs.graph is not None
            if not graph_loaded:
                # keepSums reads the graph unless every package came from a pruned root.
                graph_loaded = any(
                    not (rs.pruned and rs.root_selected(m.path, self.main) == m.version)
                    for m in self.package_modules()
                )
            g = await planner.graph(rs)
        except _ConstraintError as exc:
            chains = tuple(tuple(c.path) for c in exc.conflicts)
            return _replace(
                base,
                ok=False,
                error=DowngradeConflict(self.constraint_text(exc), chains),
                warnings=tuple(planner.warnings),
                chains=chains,
            )
        except _Refused as exc:
            return _refused(base, exc.text, planner.warnings, exc.cause)

        warnings = list(planner.warnings)
        self.final_direct = rs.direct
        warnings.extend(await self.package_warnings())
        try:
            after = self.render_gomod(rs, before)
        except GomodxError as exc:
            return _refused(base, f"go: {exc}", warnings, exc)
        changes = self.report_changes(build_list, rs)
        if self.details:
            changes = self.explain(changes, g, initial_graph)
        zips = await self.changed_module_zips(build_list)
        sum_errors = await self.zip_download_errors(build_list, zips)
        if sum_errors:
            return _refused(base, "\n".join(sum_errors), warnings)
        for m in self.packages:
            zips |= self.package_module_zips(m.path, rs, g)
        gomod_lines, zip_lines = await self.sum_lines(rs, g, graph_loaded, zips)
        # go's own build list (r.buildList) stays as the last edit left it, even when
        # loading packages then promoted roots; the plan shows the final one.
        final = g.build_list() if planner.promoted else build_list
        final_list = tuple(m for m in final if not semver.is_toolchain_path(m.path))
        gone, came = _conflict_diff(initial_graph, g) if self.details else ((), ())
        return _replace(
            base,
            ok=True,
            changes=tuple(changes),
            build_list=final_list,
            gomod_after=after,
            gosum_added=tuple(gomod_lines),
            zip_sums_added=tuple(zip_lines),
            conflicts_resolved=gone,
            conflicts_introduced=came,
            warnings=tuple(warnings),
        )

    async def find_package(
        self, path: str, have: ModuleVersion | None, selected: Mapping[str, str]
    ) -> _Found | None:
        """``findPackage``: the modules providing ``path`` at ``latest`` (a missing
        import, ``have`` ``None``) or at -u's version (a package loaded from ``have``),
        counted from ``selected``; ``None`` when nothing is to change (``have`` is what
        the query finds, or no module can provide the package)."""

        def current(p: str) -> str:
            return selected.get(p, NONE)

        version = "latest" if have is None else self.upgrade
        t = Target(f"{path}@{version}", path, version, explicit=False)
        try:
            found, _ = await _Query(self, t, current).query_pattern()
        except _Refused as exc:
            c = exc.cause
            if (
                c is None
                or isinstance(c, _PackageNotInModule)
                or (isinstance(c, QueryError) and c.kind == "no-match")
                or _not_exist(c)
                or (have is None and not _valid_module_path(path))
            ):
                # isNoSuchPackageVersion (or a path no module can have): go leaves it
                # unresolved; only the final load can fail over it.
                return None
            return c
        if have is not None and have in found:
            return None  # already at the version -u asks for
        if not found:
            # QueryPackages: a module without the package is no answer.
            return None
        return tuple(found)

    def upgrade_hook(
        self, selected: Mapping[str, str], found: list[tuple[str, _Found]]
    ) -> Callable[[str, ModuleVersion], Awaitable[bool]]:
        """go get -u's ``AllowPackage``: each package of a module no argument fixed is
        asked about at -u's version; what it finds goes to ``found`` (every load of the
        package, as go's loader reloads: duplicates included)."""

        async def allow(path: str, m: ModuleVersion) -> bool:
            if m.path in self.resolved:
                return True
            got = await self.find_package(path, m, selected)
            if got is None:
                return True
            found.append((path, got))
            return False

        return allow

    def choose(self, found: Sequence[ModuleVersion]) -> ModuleVersion | None:
        """``disambiguate`` / ``chooseArbitrarily`` for an upgrade (``None``: no viable
        candidate, left unresolved)."""
        filtered: list[ModuleVersion] = []
        for m in found:
            entry = self.resolved.get(m.path)
            if entry is not None and entry[1].version == NONE:
                continue
            if m.path == self.main.path:
                if m.version == "":
                    return None
                continue
            if entry is None:
                filtered.append(m)
                continue
            if entry[1].version != m.version:
                continue
            return m
        if len(filtered) == 1:
            return filtered[0]
        if not filtered:
            return None
        for m in filtered:
            if self.initial_selected(m.path) != NONE:
                return m
        return filtered[0]

    async def find_upgrades(
        self,
        missing: Sequence[_Missing],
        found: Sequence[tuple[str, _Found]],
        selected: Mapping[str, str],
    ) -> list[ModuleVersion]:
        """``findAndUpgradeImports`` + ``applyUpgrades``: ``findPackage(path, latest)``
        for each missing or ambiguous import, with what -u's hook ``found`` while loading,
        in path order; a failed query stops go get (each printed as often as it was
        met), the rest are chosen among (:meth:`choose`) and returned as the modules to
        try as upgrades."""
        paths = sorted({miss.path for miss in missing})
        got = await asyncio.gather(*(self.find_package(p, None, selected) for p in paths))
        sets = [(p, g) for p, g in zip(paths, got, strict=True) if g is not None]
        sets.extend(found)
        sets.sort(key=lambda item: item[0])
        errors = [g for _, g in sets if isinstance(g, BaseException)]
        if errors:
            raise _Refused("\n".join(f"go: {e}" for e in errors), errors[0])
        chosen = {self.choose(g) for _, g in sets if not isinstance(g, BaseException)}
        return sorted((m for m in chosen if m is not None), key=_mod_key)

    def package_modules(self) -> set[ModuleVersion]:
        """The modules (not the main one) providing the packages the last load read:
        the arguments' modules when nothing was loaded."""
        loaded = {m for m in self.planner.loaded_packages.values() if m is not None}
        loaded |= set(self.packages)
        return {m for m in loaded if m.path != self.main.path}

    def reason(self, m: ModuleVersion) -> str:
        """go get's ``reason``: how the argument that fixed ``m.path`` names its result."""
        entry = self.resolved.get(m.path)
        if entry is None:
            return f"(INTERNAL ERROR: no reason found for {m})"
        q, version = entry
        return q.resolved_string(version)

    def constraint_text(self, exc: _ConstraintError) -> str:
        """go get's rewording of ``ConstraintError``: one ``go: …`` line per conflict."""
        lines = []
        for c in exc.conflicts:
            adverb = "indirectly " if len(c.path) > 2 else ""
            first = self.reason(c.path[0])
            last = c.path[-1]
            if c.err is not None:
                lines.append(f"go: {first} {adverb}requires {last}: {c.unwrapped()}")
            else:
                assert c.constraint is not None
                lines.append(
                    f"go: {first} {adverb}requires {last}, not {self.reason(c.constraint)}"
                )
        return "\n".join(lines)

    async def package_warnings(self) -> list[str]:
        """``checkPackageProblems``: deprecations, then retractions, of the modules the
        arguments resolved to (and that provide their packages)."""
        named = {m for _, m in self.resolved.values()} | set(self.packages)
        has_pkg = self.package_modules()
        for problem in self.planner.problems:
            if problem.missing is not None:
                has_pkg.update(problem.missing.ambiguous)
        relevant = sorted(named | has_pkg, key=lambda m: m.path)
        relevant = [m for m in relevant if m.path != self.main.path]
        direct = self.final_direct
        out: list[str] = []
        for m in relevant:
            if m not in named and m.path not in direct:
                continue
            try:
                deprecated = await self.view.deprecation(m.path) if m.version != "" else ""
            except GomodxError:
                deprecated = ""
            if deprecated:
                out.append(f"go: module {m.path} is deprecated: {short_message(deprecated, '')}")
        retracted: list[str] = []
        for m in relevant:
            try:
                await self.view.check_retractions(m)
            except Disallowed as exc:
                if exc.retracted:
                    out.append(f"go: warning: {exc}")
                    retracted.append(m.path)
            except GomodxError:
                pass
        if retracted:
            which = retracted[0] if len(retracted) == 1 else "<module>"
            out.append(
                f"go: to switch to the latest unretracted version, run:\n\tgo get {which}@latest"
            )
        return out

    def render_gomod(self, rs: _Reqs, before: bytes) -> bytes:
        """``UpdateGoModFromReqs`` then ``commitRequirements``' dirty check."""
        name = str(self.view.main_dir / "go.mod")
        original = modfile.parse(name, before)
        f = modfile.parse(name, before)
        if f.go is None:
            f.add_go_stmt(self.view.local_go)
        go_version = ""
        toolchain = ""
        reqs: list[Require] = []
        for m in rs.roots:
            if m.path == "go":
                go_version = m.version
            elif m.path == "toolchain":
                toolchain = m.version
            else:
                reqs.append(Require(mod=m, indirect=m.path not in rs.direct))
        if semver.gover_compare(go_version, self.view.local_go) > 0:
            raise GomodxError(
                f"updating go.mod requires go >= {go_version}"
                f" (running go {self.view.local_go}; GOTOOLCHAIN=local)"
            )
        if f.go is None or f.go.version != go_version:
            f.add_go_stmt(go_version)
        if f.tool and semver.gover_compare(go_version, GO_MOD_TOOL_VERSION) < 0:
            go_version = GO_MOD_TOOL_VERSION
            f.add_go_stmt(go_version)
        if not toolchain:
            toolchain = "go" + go_version
        tool_version = semver.gover_from_toolchain(toolchain)
        if (
            toolchain == "go" + go_version
            or semver.gover_compare(tool_version or "0", STRICT_VERSION) < 0
        ):
            f.drop_toolchain_stmt()
        else:
            f.add_toolchain_stmt(toolchain)
        if semver.gover_compare(go_version, SEPARATE_INDIRECT_VERSION) < 0:
            f.set_require(reqs)
        elif semver.gover_compare(go_version, SIMPLIFY_REQUIRE_VERSION) < 0:
            f.set_require_separate_indirect(reqs)
        else:
            f.set_require_at_most_two(reqs)
        f.cleanup()
        after = f.format()
        if after == before or not _semantically_dirty(original, f):
            return before
        return after

    def report_changes(self, build_list: Sequence[ModuleVersion], rs: _Reqs) -> list[Change]:
        """``reportChanges``: the argument, the old go.mod's requirements, the new ones."""
        f = self.view.main_file
        old_reqs = [r.mod for r in f.require]
        old_go = f.go.version if f.go is not None else self.view.local_go
        old_tc = f.toolchain.name if f.toolchain is not None else ""
        new_version = {m.path: m.version for m in build_list}
        changes: dict[str, tuple[str, str]] = {}
        for _, target in self.resolved.values():
            if semver.is_toolchain_path(target.path) or target.path == self.main.path:
                continue
            old = self.initial_version.get(target.path, "")
            new = target.version
            if old != new and (old != "" or new != NONE):
                changes[target.path] = (old, new)
        for m in old_reqs:
            new = new_version.get(m.path, "")
            if m.version != new:
                changes[m.path] = (m.version, new)
        new_go = old_go
        new_tc = ""
        for m in rs.roots:
            if m.path == "go":
                new_go = m.version
            elif m.path == "toolchain":
                new_tc = m.version
            else:
                old = self.initial_version.get(m.path, "")
                if old != m.version:
                    changes[m.path] = (old, m.version)
        if new_go != old_go:
            changes["go"] = (old_go, new_go)
        written_tc = self._written_toolchain(new_go, new_tc)
        if written_tc != old_tc:
            changes["toolchain"] = (old_tc, written_tc)

        def order(p: str) -> tuple[int, str]:
            return (0 if p == "go" else 1 if p == "toolchain" else 2, p)

        out: list[Change] = []
        for p in sorted(changes, key=order):
            old, new = changes[p]
            if old == "":
                out.append(Change(p, NONE, new, "added"))
            elif new in (NONE, ""):
                out.append(Change(p, old, NONE, "removed"))
            elif semver.mod_compare(p, new, old) > 0:
                out.append(Change(p, old, new, "upgraded"))
            else:
                out.append(Change(p, old, new, "downgraded"))
        return out

    def explain(self, changes: Sequence[Change], g: _Graph, initial: _Graph) -> list[Change]:
        """Each change with its :attr:`Change.why`: the argument that asked for it, the
        requirement chain that stepped it down, the import or requirement that adds or
        raises it (first found, from the arguments' modules outward; in ``initial``,
        the graph before ``go get``, for a version that was selected already)."""
        planner = self.planner
        providers: dict[ModuleVersion, tuple[str, str]] = {}
        for pkg, (importer, m) in planner.imported_by.items():
            if importer:
                providers.setdefault(m, (importer, pkg))
        starts = [m for _, m in self.resolved.values() if m.version not in (NONE, "")]
        out = []
        for c in changes:
            why = ""
            entry = self.resolved.get(c.path)
            stepped = planner.stepped.get(c.path)
            new = ModuleVersion(c.path, c.to)
            if entry is not None:
                why = f"requested: go get {entry[0].target.raw}"
            elif c.kind in ("downgraded", "removed") and stepped is not None:
                why = _stepped_why(*stepped)
            elif c.path == "toolchain":
                why = _toolchain_why(c, changes)
            elif c.kind in ("added", "upgraded", "downgraded"):
                imp = providers.get(new)
                already = c.kind == "upgraded" and self.initial_version.get(c.path) == c.to
                chain = _requirement_chain(initial, [], new) if already else []
                chain = chain or _requirement_chain(g, starts, new)
                for earlier in reversed(planner.graphs):
                    if chain:
                        break
                    chain = _requirement_chain(earlier, starts, new)
                if imp is not None and c.kind == "added":
                    why = f"package {imp[0]} imports {imp[1]}"
                elif chain and c.kind == "downgraded":
                    # Only the old version of the module that chose it required the old one.
                    why = f"nothing requires {c.path}@{c.from_} any more; {_chain_text(chain)}"
                elif chain and already:
                    # go.mod named an older version than the build used: go get writes
                    # the one selected.
                    why = f"{_chain_text(chain)} (selected already; go.mod said {c.from_})"
                elif chain:
                    why = _chain_text(chain)
                elif imp is not None:
                    why = f"package {imp[0]} imports {imp[1]}"
            if not why and c.kind == "removed":
                why = "nothing in the new build list requires it"
            elif not why:
                why = f"{new} is what the new requirements select"
            out.append(dataclasses.replace(c, why=why))
        return out

    def _written_toolchain(self, go_version: str, toolchain: str) -> str:
        tc = toolchain or "go" + go_version
        tv = semver.gover_from_toolchain(tc)
        if tc == "go" + go_version or semver.gover_compare(tv or "0", STRICT_VERSION) < 0:
            return ""
        return tc

    async def changed_module_zips(self, build_list: Sequence[ModuleVersion]) -> set[ModuleVersion]:
        """Zips ``checkPackageProblems`` downloads: modules whose version changed and
        whose old version had a zip hash in go.sum."""
        out: set[ModuleVersion] = set()
        for m in build_list:
            if semver.is_toolchain_path(m.path) or m.path == self.main.path:
                continue
            old_v = self.initial_version.get(m.path, "")
            if old_v == "":
                continue
            actual = self.view.resolve(m)
            old_actual = self.view.resolve(ModuleVersion(m.path, old_v))
            if actual == old_actual or actual.version == "":
                continue
            if not self._have_sum(old_actual):
                continue
            out.add(actual)
        return out

    async def zip_download_errors(
        self, build_list: Sequence[ModuleVersion], zips: set[ModuleVersion]
    ) -> list[str]:
        """``checkPackageProblems``' failures to download the zips of changed modules
        (go's ``error finding sum`` lines, in build-list order)."""
        out: list[str] = []
        for m in build_list:
            actual = self.view.resolve(m)
            if actual not in zips:
                continue
            try:
                data = await self.view.zip(actual)
                check_zip_prefix(actual, data)
            except BadModuleZip as exc:
                self.planner.download_failed.add(actual)
                old = self.initial_version.get(m.path, "")
                verb = (
                    "downgraded" if semver.mod_compare(m.path, m.version, old) < 0 else "upgraded"
                )
                replaced = f" (replaced by {actual})" if actual != m else ""
                out.append(
                    f"go: {verb} {m.path} {old} => {m.version}{replaced}: error finding sum"
                    f" for {actual}: {exc}"
                )
            except GomodxError:
                continue
        return out

    def package_module_zips(self, package: str, rs: _Reqs, g: _Graph) -> set[ModuleVersion]:
        """Zips loading ``package`` downloads: every module in the build list whose path is
        a prefix of the package path (roots only in a pruned module), to rule out an
        ambiguous import."""
        out: set[ModuleVersion] = set()
        prefix = package
        while prefix and prefix != ".":
            if not semver.is_toolchain_path(prefix) and prefix != self.main.path:
                v = rs.root_selected(prefix, self.main) if rs.pruned else g.selected(prefix)
                if v is not None and v not in (NONE, ""):
                    actual = self.view.resolve(ModuleVersion(prefix, v))
                    if actual.version:
                        out.add(actual)
            if "/" not in prefix:
                break
            prefix = prefix.rsplit("/", 1)[0]
        return out

    def _have_sum(self, m: ModuleVersion) -> bool:
        """``modfetch.HaveSum``: a zip hash go.sum already held (hashes of zips this run
        downloaded are dirty, and do not count)."""
        return bool(self.gosum.hashes(m.path, m.version))

    async def sum_lines(
        self,
        rs: _Reqs,
        g: _Graph,
        graph_loaded: bool,
        zips: set[ModuleVersion],
    ) -> tuple[list[str], list[str]]:
        """The go.sum lines ``go get`` adds: sums of files it read that ``keepSums`` keeps."""
        view = self.view
        keep_mod: set[ModuleVersion] = set()
        keep_zip: set[ModuleVersion] = set()
        if graph_loaded:
            for m in g.walk():
                if m in g.summaries and not semver.is_toolchain_path(m.path):
                    keep_mod.add(view.resolve(m))
            listed: Sequence[ModuleVersion] = g.build_list()
        else:
            # The graph was never needed: go keeps the roots' sums only.
            listed = rs.roots
        for m in listed:
            if semver.is_toolchain_path(m.path) or m.path == self.main.path:
                continue
            r = view.resolve(m)
            keep_mod.add(r)
            keep_zip.add(r)
        for m in self.package_modules():
            keep_mod.add(view.resolve(m))
        # Downloads: the argument's module (to look for its package), then the zips of
        # changed modules that had sums before.
        for z in sorted(zips, key=_mod_key):
            if z in keep_zip:
                with contextlib.suppress(GomodxError):
                    if await view.extracted(z) is None:
                        await view.zip(z)
        mod_lines: list[str] = []
        for m in sorted(keep_mod & view.gomod_reads, key=_mod_key):
            if m.version == "" or self.gosum.gomod_hashes(m.path, m.version):
                continue
            data = await view.raw_gomod(m)
            mod_lines.append(f"{m.path} {m.version}/go.mod {gomod_hash(data)}")
        zip_lines: list[str] = []
        for m in sorted(keep_zip & view.zip_reads, key=_mod_key):
            if m.version == "" or self.gosum.hashes(m.path, m.version):
                continue
            if m in self.planner.download_failed:
                continue
            zip_lines.append(f"{m.path} {m.version} {await view.zip_sum(m)}")
        return mod_lines, zip_lines


class _PackageNotInModule(GomodxError):
    """``PackageNotInModuleError`` for a prefix module without the package."""

    def __init__(self, view: ModuleView, m: ModuleVersion, q: Target) -> None:
        repl = view.replacement(m)
        found = ""
        if repl is not None:
            shown = f"{repl.path}@{repl.version}" if repl.version else repl.path
            if q.query == m.version:
                found = f" (replaced by {shown})"
            else:
                found = f" ({m.version}, replaced by {shown})"
        elif q.query != m.version:
            found = f" ({m.version})"
        super().__init__(
            f"module {m.path}@{q.query} found{found}, but does not contain package {q.path}"
        )


def _chain_text(chain: Sequence[ModuleVersion]) -> str:
    """``A@v1 requires B@v2, which requires C@v3``."""
    text = f"{chain[0]} requires {chain[1]}"
    return text + "".join(f", which requires {m}" for m in chain[2:])


def _requirement_chain(
    g: _Graph, starts: Sequence[ModuleVersion], target: ModuleVersion
) -> list[ModuleVersion]:
    """The shortest requirement chain in ``g`` to ``target``: from the arguments'
    modules first, then from the main module (not counting its own line for
    ``target``, which only records the result). Empty when there is none."""
    for froms, main_edge in ((starts, False), ([g.main], True)):
        parent: dict[ModuleVersion, ModuleVersion | None] = {m: None for m in froms}
        queue = [m for m in froms if m != target]
        while queue:
            nxt = []
            for m in queue:
                for r in g.required.get(m, ()):
                    if r in parent or (m == g.main and main_edge and r == target):
                        continue
                    parent[r] = m
                    if r == target:
                        chain = [r]
                        back = parent[r]
                        while back is not None:
                            chain.append(back)
                            back = parent[back]
                        return chain[::-1]
                    nxt.append(r)
            queue = nxt
    return []


def _toolchain_why(c: Change, changes: Sequence[Change]) -> str:
    """Why the ``toolchain`` line changes: it follows the go line, and go writes none
    that is below go1.21 or names the go line's own version."""
    go = next((x for x in changes if x.path == "go"), None)
    if go is not None:
        return f"the go line moves to {go.to}, and go writes the toolchain line to match"
    return "go writes no toolchain line below go1.21 or equal to the go line"


def _stepped_why(m: ModuleVersion, c: _Conflict) -> str:
    """Why ``editRequirements`` stepped ``m`` down: ``m`` leads to a version above the
    requested one (or to a go.mod that cannot be read)."""
    chain = c.path if c.path and c.path[0] == m else [m, *c.path]
    text = _chain_text(chain) if len(chain) > 1 else str(m)
    if c.err is not None and len(chain) == 1:
        return f"the requirements of {m} cannot be loaded: {c.unwrapped()}"
    if c.err is not None:
        return f"{text}, whose requirements cannot be loaded: {c.unwrapped()}"
    assert c.constraint is not None
    if c.constraint.version == NONE:
        return f"{text}, but {c.constraint.path} is being removed"
    if len(chain) == 1:
        return f"{m} is above the requested {c.constraint.version}"
    return f"{text}, above the requested {c.constraint.version}"


NEVER_FINISHES = "gomodx: go get would never finish"


def _never_finishes(m: ModuleVersion, orig: ModuleVersion) -> str:
    return (
        f"{NEVER_FINISHES}: to move {m.path} off {m.version} it keeps going back to"
        f" {orig.version}, which it has already rejected (cmd/go's editRequirements loops"
        " here, so go get hangs)"
    )


def _is_relative_path(path: str) -> bool:
    """``search.IsRelativePath``: ``.``, ``..``, ``./…`` or ``../…``."""
    return path in (".", "..") or path.startswith(("./", "../"))


def _valid_module_path(path: str) -> bool:
    """``module.CheckPath``: whether a proxy could serve a module at ``path``."""
    try:
        check_path(path)
    except InvalidPathError:
        return False
    return True


def _not_exist(exc: BaseException) -> bool:
    """go's ``errors.Is(err, fs.ErrNotExist)``: a query that found nothing, a module the
    proxies do not have (404/410, lookup disabled), a replacement directory missing."""
    if isinstance(exc, QueryError) and exc.kind != "other":
        return exc.kind == "not-exist"
    return any(isinstance(e, (ModuleNotFound, FileNotFoundError)) for e in causes(exc))


def _semantically_dirty(before: ModFile, after: ModFile) -> bool:
    """``modFileIsDirty``: whether ``after`` differs meaningfully from ``before``."""

    def mod(f: ModFile) -> str:
        return f.module.mod.path if f.module is not None else ""

    if mod(before) != mod(after):
        return True
    go_b = before.go.version if before.go is not None else ""
    go_a = after.go.version if after.go is not None else ""
    tc_b = before.toolchain.name if before.toolchain is not None else ""
    tc_a = after.toolchain.name if after.toolchain is not None else ""
    require = {r.mod: r.indirect for r in before.require}
    replace = {r.old: r.new for r in before.replace}
    exclude = {e.mod for e in before.exclude}
    if (
        go_b != go_a
        or tc_b != tc_a
        or len(after.require) != len(require)
        or len(after.replace) != len(replace)
        or len(after.exclude) != len(exclude)
    ):
        return True
    for r in after.require:
        if r.mod not in require or require[r.mod] != r.indirect:
            return True
    for rp in after.replace:
        if replace.get(rp.old) != rp.new:
            return True
    return any(e.mod not in exclude for e in after.exclude)


def _conflict_diff(
    before: _Graph, after: _Graph
) -> tuple[tuple[GraphConflict, ...], tuple[GraphConflict, ...]]:
    """Conflicts (paths requested at several versions) that disappear, and that appear."""
    old = {c.path: c for c in graph_conflicts(before.module_graph(), path_limit=1)}
    new = {c.path: c for c in graph_conflicts(after.module_graph(), path_limit=1)}
    gone = tuple(c for p, c in old.items() if p not in new)
    came = tuple(c for p, c in new.items() if p not in old)
    return gone, came


def _refused(
    base: Plan, text: str, warnings: Sequence[str], cause: BaseException | None = None
) -> Plan:
    return _replace(base, ok=False, error=PlanRefused(text, cause), warnings=tuple(warnings))


def _replace(plan: Plan, **changes: Any) -> Plan:
    return dataclasses.replace(plan, **changes)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# -- entry points -------------------------------------------------------------------------


async def plan_get(
    main_dir: str | os.PathLike[str],
    source: ModuleSource,
    target: str | Target | Sequence[str | Target],
    *,
    local_go: str = LOCAL_GO_VERSION,
    suggest: bool = True,
    gosum: GoSum,
    gomodcache: str = "",
    goroot: str = "",
    upgrade: str = "",
    details: bool = True,
) -> Plan:
    """Preview ``go get [-u|-u=patch] TARGET...`` in the module at ``main_dir``.

    ``target`` is one argument (``"example.com/m@v1.2.0"``) or several, as go takes them.
    Metadata comes from ``source`` (concurrently; each file once). Returns a
    :class:`Plan`; a refusal is a plan with ``ok`` false and go's message in ``error``
    (with ``suggest`` and one argument, :attr:`Plan.suggestion` names the nearest version
    of the same module that go would accept). Raises
    :class:`~analysis.errors.ModfileError` for a malformed main go.mod, :class:`PlanError`
    for arguments gomodx does not handle, and the proxy's errors when the network (not
    the module graph) fails. ``gosum`` is the main module's go.sum, as the caller's
    :class:`~analysis.session.Session` read it (strictly: a malformed go.sum is go's
    error before any plan). ``gomodcache`` and ``goroot`` are go's settings, for the
    directories go names in its refusals (``$HOME/go/pkg/mod`` and
    :data:`DEFAULT_GOROOT` when not given).

    ``upgrade`` is go get's ``-u`` flag (``"upgrade"`` for ``-u``, ``"patch"`` for
    ``-u=patch``): the modules providing the packages the argument packages import
    (but those an argument fixes) move to their ``@upgrade`` or ``@patch`` version, and
    an argument without a version means ``@patch`` under ``-u=patch``. With no
    argument at all, ``target`` is go's ``.`` (the package in ``main_dir``).

    ``details`` false leaves out what only explains the plan (:attr:`Change.why`, the
    conflicts resolved and introduced): for callers that only ask whether go accepts it.
    """
    if upgrade not in ("", "upgrade", "patch"):
        raise PlanError(f"go: unknown upgrade flag -u={upgrade}")
    items: Sequence[str | Target] = [target] if isinstance(target, (str, Target)) else list(target)
    targets = [t if isinstance(t, Target) else parse_target(t) for t in items]
    if not targets:
        # search.CleanPatterns: no arguments mean "." (named "" in go's errors).
        targets = [Target("", ".", "upgrade", explicit=False)]
    if upgrade == "patch":
        # newQuery: an argument without a version asks for -u's version.
        targets = [t if t.explicit else dataclasses.replace(t, query="patch") for t in targets]
    directory = Path(main_dir)
    dirs = (gomodcache, goroot)
    plan = await _plan_once(directory, source, targets, local_go, gosum, dirs, upgrade, details)
    if upgrade:
        plan = _replace(plan, upgrade=upgrade)
    if not plan.ok and suggest and len(targets) > 1 and not upgrade:
        hint = await _suggest_combination(directory, source, targets, plan, local_go, gosum, dirs)
        return _replace(plan, suggestion=hint)
    if plan.ok or not suggest or len(targets) != 1 or targets[0].query == NONE:
        return plan
    if not plan.version:
        return plan
    hint = await _suggest(directory, source, targets[0], plan, local_go, gosum, dirs)
    return _replace(plan, suggestion=hint)


async def _plan_once(
    directory: Path,
    source: ModuleSource,
    targets: Sequence[Target],
    local_go: str,
    gosum: GoSum,
    dirs: tuple[str, str] = ("", ""),
    upgrade: str = "",
    details: bool = True,
) -> Plan:
    gomod = directory / "go.mod"
    data = _read_bytes(gomod)
    if data is None:
        raise GomodxError(
            f"{directory}: go.mod file not found in current directory or any parent"
            " directory; see 'go help modules'"
        )
    main_file = modfile.parse(str(gomod), data)
    view = ModuleView(source, main_file, directory, local_go)
    get = _Get(view, targets, gosum, *dirs, upgrade=upgrade, details=details)
    plan = await get.run()
    # refusals too: go downloaded (and checked) these zips before it met the refusal
    contexts = tuple((m, tuple(c)) for m, c in get.planner.zip_contexts.items())
    said = tuple(get.resolution_errors) if not plan.ok else ()
    return _replace(plan, zip_contexts=contexts, resolution_errors=said)


async def _suggest_combination(
    directory: Path,
    source: ModuleSource,
    targets: Sequence[Target],
    refused: Plan,
    local_go: str,
    gosum: GoSum,
    dirs: tuple[str, str] = ("", ""),
    budget: int = 16,
) -> str:
    """The nearest combination of the arguments ``go get`` accepts (``""``: none found):
    as many of them as possible — one dropped, then two — trying first to drop those
    go's refusal names. Returned as the arguments joined by spaces."""
    if refused.error is not None and refused.error.unavailable:
        return ""
    text = str(refused.error or "")
    named = [i for i, t in enumerate(targets) if t.path in text]
    order = named + [i for i in reversed(range(len(targets))) if i not in named]
    drops: list[tuple[int, ...]] = [(i,) for i in order]
    if len(targets) > 2:
        drops += [(i, j) for a, i in enumerate(order) for j in order[a + 1 :]]
    drops = drops[:budget]

    async def attempt(drop: tuple[int, ...]) -> bool:
        kept = [t for i, t in enumerate(targets) if i not in drop]
        plan = await _plan_once(directory, source, kept, local_go, gosum, dirs)
        return plan.ok and bool(plan.changes)

    for size in (1, 2):
        batch = [d for d in drops if len(d) == size]
        results = await asyncio.gather(*(attempt(d) for d in batch))
        for drop, ok in zip(batch, results, strict=True):
            if ok:
                return " ".join(t.raw for i, t in enumerate(targets) if i not in drop)
    return ""


async def _suggest(
    directory: Path,
    source: ModuleSource,
    t: Target,
    refused: Plan,
    local_go: str,
    gosum: GoSum,
    dirs: tuple[str, str] = ("", ""),
) -> str:
    """The nearest version of the argument's module that ``go get`` would accept.

    Never the version selected now: going "back" to it changes nothing, so it is no
    answer to a refusal (the suggestion must be a real change).
    """
    if not isinstance(refused.error, DowngradeConflict):
        return ""
    main_file = modfile.parse(str(directory / "go.mod"), _read_bytes(directory / "go.mod") or b"")
    view = ModuleView(source, main_file, directory, local_go)
    try:
        listed = list(await view.repo_versions(t.path))
    except GomodxError:
        return ""
    allowed: list[str] = []
    for v in listed:
        try:
            await view.check_allowed(ModuleVersion(t.path, v))
        except GomodxError:
            continue
        allowed.append(v)
    want = refused.version
    current = next((m.version for m in refused.previous_build_list if m.path == t.path), "")
    above = [v for v in allowed if semver.mod_compare(t.path, v, want) > 0]
    below = [v for v in reversed(allowed) if semver.mod_compare(t.path, v, want) < 0]
    # Try the versions between the request and the current version first.
    order: list[str] = []
    first, second = (above, below)
    if current and semver.mod_compare(t.path, want, current) > 0:
        first, second = below, above
    for i in range(max(len(first), len(second))):
        if i < len(first):
            order.append(first[i])
        if i < len(second):
            order.append(second[i])
    order = [v for v in order if v != current]
    for v in order[:8]:
        alt = Target(f"{t.path}@{v}", t.path, v)
        plan = await _plan_once(directory, source, [alt], local_go, gosum, dirs)
        if plan.ok:
            return alt.raw
    return ""
