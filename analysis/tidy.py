"""Exact previews of ``go mod tidy`` and answers of ``go mod why``, without the go command.

:func:`plan_tidy` computes the go.mod and go.sum bytes ``go mod tidy`` (Go 1.27) would
write, or go's refusal, following cmd/go's ``modcmd/tidy.go`` and ``modload``:

* the ``all`` pattern: the main module's packages (every directory with Go files but
  ``testdata``, ``_``/``.`` directories and nested modules), their tests, and everything
  they import; with a go version below 1.16, tests of every package in ``all`` too;
* tidy's own loading (``LoadTests`` with ``all`` as the root pattern): the tests of every
  package in ``all`` and what those tests import, read with ``imports.AnyTags()`` (every
  build tag but ``ignore``; no GOOS/GOARCH filtering);
* ``loadFromRoots``' loop: ``updateRequirements`` (direct modules, tidy roots added
  during iteration, pruned and unpruned roots), ``resolveMissingImports`` (the module
  providing a missing package @latest: ``go: found P in M V``), until nothing moves;
* ``tidyRoots`` (``tidyPrunedRoots`` / ``tidyUnprunedRoots``), ``-go`` and the
  ``-compat`` check (``checkTidyCompatibility``);
* the go.mod go writes (``UpdateGoModFromReqs``: ``// indirect`` markers, the two-block
  layout from go 1.17, go/toolchain lines) and the go.sum it keeps (``keepSums``,
  ``TrimGoSum``, ``WriteGoSum``).

:func:`why_packages` and :func:`why_modules` answer ``go mod why [-m]`` from the same
loading (``LoadTests`` without tidying), as text go prints.

``tool`` directives' packages are roots of ``all`` too. Not modelled: workspaces,
vendoring, ``-v``/``-x`` output.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import modfile, semver
from analysis.errors import GomodxError, LoadError, PlanRefused
from analysis.hashes import GoSum, gomod_hash
from analysis.modfile import Require
from analysis.modpath import check_import_path, split_path_version
from analysis.module import NONE, ModuleVersion
from analysis.mvs import LoadedReqs
from analysis.mvs import build_list as mvs_build_list
from analysis.packages import (
    ANY_TAGS,
    ModuleFiles,
    Tags,
    is_std,
    is_std_like,
    match_file,
    read_imports,
    should_build,
)
from analysis.plan import (
    SEPARATE_INDIRECT_VERSION,
    SIMPLIFY_REQUIRE_VERSION,
    Plan,
    Target,
    _FetchError,
    _Get,
    _Graph,
    _Missing,
    _mod_key,
    _not_exist,
    _Planner,
    _Query,
    _read_bytes,
    _Refused,
    _Reqs,
)
from analysis.source import LOCAL_GO_VERSION, ModuleSource, ModuleView
from analysis.summary import (
    DEFAULT_GO_MOD_VERSION,
    STRICT_VERSION,
    has_redundant_root,
    supports_pruning,
)

__all__ = [
    "TidyLine",
    "TidyPlan",
    "plan_tidy",
    "unified_diff",
    "why_modules",
    "why_packages",
]

NARROW_ALL_VERSION = "1.16"
"""``gover.NarrowAllVersion``: from this go version "all" no longer closes over tests."""
TIDY_GO_MOD_SUM_VERSION = "1.21"
"""``gover.TidyGoModSumVersion``: from here tidy keeps go.mod sums of packages' modules."""

GO_ROOT_PANIC = "panic: go: internal error: missing go root module"
"""What go 1.27 prints (then its stack) when an unpruned tidy leaves the go version
implied by a dependency (``go mod tidy -go=1.16`` with a dependency at go 1.21+)."""

TIDY_TARGET = Target("go mod tidy", "", "", explicit=False)


@dataclass(frozen=True)
class TidyLine:
    """One line ``go mod tidy`` adds to or drops from go.mod or go.sum, and why."""

    file: str
    """``go.mod`` or ``go.sum``."""
    op: str
    """``+`` added, ``-`` removed."""
    text: str
    why: str


@dataclass(frozen=True)
class TidyPlan(Plan):
    """What ``go mod tidy`` would write: a :class:`~analysis.plan.Plan` (so the apply and
    undo machinery takes it as it takes a ``go get`` preview) whose go.sum is the whole
    file tidy writes (lines dropped, not only added)."""

    gosum_tidy: bytes | None = None
    """go.sum after tidy (``None``: there is none and tidy writes none)."""
    stderr: tuple[str, ...] = ()
    """What go prints on standard error when it succeeds (``go: finding module …``,
    ``go: found P in M V``, and with ``-e`` the errors it went past)."""
    lines: tuple[TidyLine, ...] = ()
    """The changed lines of both files, each with a reason."""
    stacks: tuple[tuple[str, str], ...] = ()
    """For each module version a loaded package came from (``path@version``, as fetched),
    the import stack of the first such package: go names it when that module's download
    fails verification."""
    gomod_current: bytes = b""
    """go.mod as go holds it before tidying (its own formatting, a missing go line
    added): the ``current/go.mod`` of ``go mod tidy -diff``."""

    def gosum_after(self) -> bytes | None:
        return self.gosum_tidy if self.ok else self.gosum_before

    def with_import_stacks(self) -> TidyPlan:
        """A refusal over a module's checksum as go words it in tidy: the import stack of
        the package that needed the module first (``go: A imports\n\tB: B@v: verifying
        module: …``)."""
        if self.ok or self.error is None:
            return self
        stacks = dict(self.stacks)
        out = []
        for line in str(self.error).splitlines():
            head, sep, rest = line.partition(": verifying ")
            mv = head.removeprefix("go: ")
            if sep and line.startswith("go: ") and mv in stacks:
                line = f"go: {stacks[mv]}: {mv}: verifying {rest}"
            out.append(line)
        return dataclasses.replace(self, error=PlanRefused("\n".join(out), self.error))

    def gosum_changed(self) -> bool:
        return self.gosum_after() != self.gosum_before

    @property
    def tidy(self) -> bool:
        """Whether go.mod and go.sum are already tidy (tidy would write nothing)."""
        return self.ok and not self.gomod_changed and not self.gosum_changed()

    def diff(self) -> str:
        """What ``go mod tidy -diff`` prints: unified diffs ``current/go.mod`` →
        ``tidy/go.mod`` and ``current/go.sum`` → ``tidy/go.sum``, each followed by an
        empty line."""
        out = ""
        current = self.gomod_current or self.gomod_before
        d = unified_diff("current/go.mod", current, "tidy/go.mod", self.gomod_after)
        if d:
            out += d + "\n"
        d = unified_diff(
            "current/go.sum", self.gosum_before or b"", "tidy/go.sum", self.gosum_after() or b""
        )
        if d:
            out += d + "\n"
        return out

    def tidy_json(self) -> dict[str, Any]:
        """``{"OK", "GoMod", "GoSum", "Error", "Lines", ...}`` for ``gomodx tidy --json``."""
        gosum = self.gosum_after()
        return {
            "OK": self.ok,
            "GoMod": self.gomod,
            "GoSum": None if gosum is None else gosum.decode("utf-8", "surrogateescape"),
            "Error": None if self.error is None else str(self.error),
            "GoModChanged": self.gomod_changed,
            "GoSumChanged": self.gosum_changed(),
            "Lines": [
                {"File": ln.file, "Op": ln.op, "Text": ln.text, "Why": ln.why} for ln in self.lines
            ],
            "Stderr": list(self.stderr),
            "Dir": self.main_dir,
        }


def unified_diff(a_name: str, a: bytes, b_name: str, b: bytes) -> str:
    """A diff as cmd/go's ``internal/diff`` prints it (``go mod tidy -diff``): an
    anchored diff — lines that occur exactly once on each side anchor the match (their
    longest increasing run), matches grow around the anchors, and hunks keep three lines
    of context; ``""`` when equal."""
    if a == b:
        return ""
    x = _diff_lines(a)
    y = _diff_lines(b)
    out = [f"diff {a_name} {b_name}\n", f"--- {a_name}\n", f"+++ {b_name}\n"]
    context = 3
    done_x = done_y = 0
    chunk_x = chunk_y = 0
    count_x = count_y = 0
    text: list[str] = []
    for mx, my in _anchors(x, y):
        if mx < done_x:
            continue
        sx, sy = mx, my
        while sx > done_x and sy > done_y and x[sx - 1] == y[sy - 1]:
            sx -= 1
            sy -= 1
        ex, ey = mx, my
        while ex < len(x) and ey < len(y) and x[ex] == y[ey]:
            ex += 1
            ey += 1
        for line in x[done_x:sx]:
            text.append("-" + line)
            count_x += 1
        for line in y[done_y:sy]:
            text.append("+" + line)
            count_y += 1
        same = ex - sx
        if (ex < len(x) or ey < len(y)) and (same < context or (text and same < 2 * context)):
            for line in x[sx:ex]:
                text.append(" " + line)
            count_x += same
            count_y += same
            done_x, done_y = ex, ey
            continue
        if text:
            n = min(same, context)
            for line in x[sx : sx + n]:
                text.append(" " + line)
            count_x += n
            count_y += n
            done_x, done_y = sx + n, sy + n
            if count_x > 0:
                chunk_x += 1
            if count_y > 0:
                chunk_y += 1
            out.append(f"@@ -{chunk_x},{count_x} +{chunk_y},{count_y} @@\n")
            out.extend(text)
            count_x = count_y = 0
            text = []
        if ex >= len(x) and ey >= len(y):
            break
        chunk_x, chunk_y = ex - context, ey - context
        for line in x[chunk_x:ex]:
            text.append(" " + line)
        count_x += ex - chunk_x
        count_y += ex - chunk_x
        done_x, done_y = ex, ey
    return "".join(out)


def _diff_lines(data: bytes) -> list[str]:
    parts = data.decode("utf-8", "surrogateescape").split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1] + "\n\\ No newline at end of file\n")
    return lines


def _anchors(x: list[str], y: list[str]) -> list[tuple[int, int]]:
    """The anchor pairs: lines unique in both ``x`` and ``y``, the longest run of them in
    the same order on both sides (Szymanski's method), between sentinels ``(0, 0)`` and
    ``(len(x), len(y))``."""
    count_x: dict[str, int] = {}
    for line in x:
        count_x[line] = count_x.get(line, 0) + 1
    count_y: dict[str, int] = {}
    for line in y:
        count_y[line] = count_y.get(line, 0) + 1
    y_index: dict[str, int] = {}
    yi: list[int] = []
    for i, line in enumerate(y):
        if count_x.get(line) == 1 and count_y[line] == 1:
            y_index[line] = len(yi)
            yi.append(i)
    xi: list[int] = []
    inv: list[int] = []
    for i, line in enumerate(x):
        j = y_index.get(line)
        if j is not None:
            xi.append(i)
            inv.append(j)
    n = len(xi)
    tails = [n + 1] * n
    length = [0] * n
    for i in range(n):
        k = bisect.bisect_left(tails, inv[i])
        tails[k] = inv[i]
        length[i] = k + 1
    k = max(length, default=0)
    seq: list[tuple[int, int]] = [(0, 0)] * (2 + k)
    seq[1 + k] = (len(x), len(y))
    last = n
    for i in range(n - 1, -1, -1):
        if length[i] == k and inv[i] < last:
            seq[k] = (xi[i], yi[inv[i]])
            k -= 1
    seq[0] = (0, 0)
    return seq


# -- packages -------------------------------------------------------------------------------


def scan_dir(files: ModuleFiles, rel: str, tags: Tags) -> tuple[list[str], list[str]] | None:
    """``imports.ScanDir``: the imports and the test imports of the package in ``rel``
    (each sorted, ``C`` and appengine dropped); ``None`` when no file matches
    (``ErrNoGo``)."""
    found: set[str] = set()
    tests: set[str] = set()
    matched = 0
    for name, data in files.dirs.get(rel, ()):
        if name.startswith(("_", ".")) or not name.endswith(".go"):
            continue
        if not match_file(name, tags):
            continue
        _, imps = read_imports(data)
        if "C" in imps and not tags.any and "cgo" not in tags.names:
            continue
        if not should_build(data, tags):
            continue
        matched += 1
        (tests if name.endswith("_test.go") else found).update(imps)
    if matched == 0:
        return None
    return _filter(found), _filter(tests)


def _filter(paths: Iterable[str]) -> list[str]:
    return sorted(
        p
        for p in paths
        if p != "C"
        and p != "appengine"
        and not p.startswith("appengine/")
        and p != "appengine_internal"
        and not p.startswith("appengine_internal/")
    )


def main_packages(root: Path, module_path: str, tags: Tags = ANY_TAGS) -> list[str]:
    """``matchPackages`` for the main module: every directory below ``root`` with Go files
    that build (tests count), but ``testdata``, ``_``/``.`` directories, ``vendor`` trees
    and nested modules; import paths, sorted."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        rel = d.relative_to(root).as_posix()
        rel = "" if rel == "." else rel
        keep = []
        for name in sorted(dirnames):
            if name.startswith((".", "_")) or name == "testdata" or name == "vendor":
                continue
            if (d / name / "go.mod").is_file():
                continue
            keep.append(name)
        dirnames[:] = keep
        go_files = [n for n in sorted(filenames) if n.endswith(".go")]
        if not go_files:
            continue
        files = []
        for n in go_files:
            try:
                files.append((n, (d / n).read_bytes()))
            except OSError:
                continue
        if scan_dir(ModuleFiles({rel: files}), rel, tags) is not None:
            out.append(f"{module_path}/{rel}" if rel else module_path)
    return sorted(out)


@dataclass(eq=False)
class _Pkg:
    """One ``loadPkg``: a package, or the test of one (``test_of``)."""

    path: str
    mod: ModuleVersion | None = None
    """The module providing it; ``None`` for the standard library (or unknown)."""
    imports: list[_Pkg] = field(default_factory=list)
    test_imports: list[str] = field(default_factory=list)
    err: str = ""
    missing: _Missing | None = None
    std_missing: bool = False
    """A missing std-looking path: tidy says nothing about it (``SilenceMissingStdImports``)."""
    in_all: bool = False
    test: _Pkg | None = None
    test_of: _Pkg | None = None
    stack: _Pkg | None = None
    loaded: bool = False

    @property
    def is_test(self) -> bool:
        return self.test_of is not None

    def external(self, main: ModuleVersion) -> bool:
        """``fromExternalModule``."""
        return self.mod is not None and self.mod.path != main.path

    def stack_text(self) -> str:
        chain: list[_Pkg] = []
        p: _Pkg | None = self
        while p is not None:
            chain.append(p)
            p = p.stack
        chain.reverse()
        out = ""
        for i, q in enumerate(chain):
            out += q.path + (".test" if q.is_test else "")
            if i + 1 < len(chain):
                out += " tested by\n\t" if chain[i + 1].test_of is q else " imports\n\t"
        return out

    def why(self) -> str:
        chain: list[_Pkg] = []
        p: _Pkg | None = self
        while p is not None:
            chain.append(p)
            p = p.stack
        return "".join(
            (q.test_of.path + ".test\n") if q.test_of is not None else q.path + "\n"
            for q in reversed(chain)
        )


class _TidyPlanner(_Planner):
    """The ``go get`` planner's modload state, noting which module contents it read (go
    checks, and so uses, the checksums of exactly those)."""

    def __init__(self, view: ModuleView, gomodcache: str = "", goroot: str = "") -> None:
        super().__init__(view, gomodcache, goroot)
        self.touched: set[ModuleVersion] = set()

    async def package_files(self, m: ModuleVersion, rel: str) -> ModuleFiles:
        actual = self.view.resolve(m)
        try:
            files = await super().package_files(m, rel)
        except _FetchError:
            # A zip go downloaded (and hashed) but could not extract is used too.
            if actual.version and actual not in self.download_failed:
                self.touched.add(actual)
            raise
        if actual.version:
            self.touched.add(actual)
        return files


def _new_get(view: ModuleView, gosum: GoSum, gomodcache: str, goroot: str) -> _Get:
    get = _Get(view, [], gosum, gomodcache, goroot)
    get.planner = _TidyPlanner(view, gomodcache, goroot)
    return get


class _Loader:
    """One ``loadFromRoots`` with ``all`` as the root pattern."""

    def __init__(
        self,
        planner: _TidyPlanner,
        get: _Get,
        *,
        tidy: bool,
        tidy_go: str = "",
        allow_errors: bool = False,
        resolve: bool = True,
    ) -> None:
        self.planner = planner
        self.get = get
        self.main = planner.main
        self.tidy = tidy
        self.tidy_go = tidy_go
        self.allow_errors = allow_errors
        self.resolve = resolve
        self.stderr: list[str] = []
        self.pkgs: list[_Pkg] = []
        self.cache: dict[str, _Pkg] = {}
        self.all_closes_over_tests = False
        self.finding: list[str] = []
        self.warned = 0
        self.all_root = True
        """Whether the roots are the ``all`` pattern (else package arguments)."""
        self.root_pkgs: list[_Pkg] = []
        self.build_list: list[str] = []
        """``go mod why -m all``: the module paths ``all`` lists (the build list)."""

    def drain(self) -> None:
        """Move the planner's warnings (``-> unzip …``) into :attr:`stderr`, where go
        prints them."""
        self.stderr.extend(self.planner.warnings[self.warned :])
        self.warned = len(self.planner.warnings)

    # -- one pass ------------------------------------------------------------------------

    async def load_pass(self, rs: _Reqs, roots: Sequence[str]) -> None:
        """Load ``roots`` and everything go loads from them (with :attr:`all_root`, the
        ``all`` pattern: tests of every package in ``all``; else ``LoadTests`` for the
        root packages); :attr:`pkgs` in go's ``buildStacks`` order, with stacks."""
        self.cache = {}
        self.pkgs = []
        root_pkgs: list[_Pkg] = []
        for path in roots:
            p = await self.pkg(rs, path)
            if p not in root_pkgs:
                root_pkgs.append(p)
        self.root_pkgs = root_pkgs
        while True:
            self._mark_all(root_pkgs)
            if self.all_root:
                want = [p for p in self.cache.values() if p.in_all and p.loaded and not p.err]
            else:
                want = [p for p in root_pkgs if p.loaded and not p.err]
            new = [p for p in want if p.test is None]
            if not new:
                break
            for p in new:
                await self.pkg_test(rs, p)
        # buildStacks.
        seen: set[int] = set()
        order: list[_Pkg] = []
        for p in root_pkgs:
            if id(p) not in seen:
                seen.add(id(p))
                p.stack = None
                order.append(p)
        i = 0
        while i < len(order):
            p = order[i]
            i += 1
            for d in p.imports:
                if id(d) not in seen:
                    seen.add(id(d))
                    d.stack = p
                    order.append(d)
            tp = p.test
            if tp is not None and id(tp) not in seen:
                t = tp
                seen.add(id(t))
                t.stack = p
                order.append(t)
        self.pkgs = order

    def _mark_all(self, root_pkgs: Sequence[_Pkg]) -> None:
        """``pkgInAll``: the main module's packages (and, loading ``all``, the roots),
        what they import, and what their tests import (every test in ``all``, when
        ``all`` closes over tests)."""
        for p in self.cache.values():
            p.in_all = False
            if p.test is not None:
                p.test.in_all = False
        todo = [p for p in self.cache.values() if self.in_main(p)]
        if self.all_root:
            todo.extend(root_pkgs)
        while todo:
            p = todo.pop()
            if p.in_all:
                continue
            p.in_all = True
            todo.extend(p.imports)
            t = p.test
            if t is not None and (
                self.in_main(p) or (self.all_root and self.all_closes_over_tests)
            ):
                t.in_all = True
                todo.extend(t.imports)

    def in_main(self, p: _Pkg) -> bool:
        return p.mod is not None and p.mod.path == self.main.path and not p.mod.version

    async def pkg(self, rs: _Reqs, path: str) -> _Pkg:
        """The package ``path`` and (transitively) its imports, loaded once per pass."""
        got = self.cache.get(path)
        if got is not None:
            return got
        new: list[tuple[_Pkg, list[str]]] = []
        queue = [path]
        while queue:
            p = queue.pop(0)
            if p in self.cache:
                continue
            node = _Pkg(p)
            self.cache[p] = node
            imports = await self.load_one(rs, node)
            new.append((node, imports))
            queue.extend(i for i in imports if i not in self.cache)
        for node, imports in new:
            node.imports = [self.cache[i] for i in imports]
        return self.cache[path]

    async def load_one(self, rs: _Reqs, node: _Pkg) -> list[str]:
        """Find ``node``'s module and read its files; its imports (``[]`` on error)."""
        path = node.path
        node.loaded = True
        if is_std_like(path) and is_std(path):
            node.mod = None
            scanned: tuple[list[str], list[str]] | None = ([], [])
        else:
            try:
                m = await self.planner.import_from_modules(rs, path)
                rel = path[len(m.path) :].lstrip("/")
                files = await self.planner.package_files(m, rel)
            except _Missing as exc:
                node.missing = exc
                node.err = exc.text
                node.std_missing = is_std_like(path) and not exc.ambiguous
                return []
            except _FetchError as exc:
                node.err = str(exc)
                return []
            node.mod = m
            scanned = scan_dir(files, rel, ANY_TAGS)
            if scanned is None:
                d = self.planner.package_dir(m, path)
                node.err = (
                    f"no Go source files in {d}"
                    if not files.has_go_files(rel)
                    else (f"build constraints exclude all Go files in {d}")
                )
                return []
        assert scanned is not None
        imports, tests = scanned
        node.test_imports = tests
        return imports

    async def pkg_test(self, rs: _Reqs, p: _Pkg) -> _Pkg:
        if p.test is not None:
            return p.test
        t = _Pkg(p.path, mod=p.mod, err=p.err, test_of=p, loaded=True)
        p.test = t
        deps = []
        for imp in p.test_imports:
            deps.append(await self.pkg(rs, imp))
        t.imports = deps
        return t

    # -- the loop --------------------------------------------------------------------------

    def go_version(self, rs: _Reqs) -> str:
        if self.tidy_go:
            return self.tidy_go
        return rs.root_selected("go", self.main) or DEFAULT_GO_MOD_VERSION

    async def run(self, rs: _Reqs, roots: Sequence[str]) -> _Reqs:
        """``loadFromRoots``: load, update the requirements, resolve missing imports,
        until nothing changes; then (tidying) ``tidyRoots``."""
        planner = self.planner
        if not rs.pruned:
            rs, _ = await planner.load_mod_graph(rs)
        for _ in range(100):
            go = self.go_version(rs)
            rs = await planner.convert_pruning(rs, supports_pruning(go))
            self.all_closes_over_tests = semver.gover_compare(go, NARROW_ALL_VERSION) < 0
            if rs.pruned:
                preloaded = await self.preload_roots(rs, roots)
                if preloaded.roots != rs.roots:
                    rs = preloaded
                    continue
            await self.load_pass(rs, roots)
            self.drain()
            new_rs = await self.update_requirements(rs)
            changed = await self.changed(rs, new_rs)
            rs = new_rs
            if changed:
                continue
            if not self.resolve:
                break
            added = await self.resolve_missing(rs)
            if not added:
                break
            if rs.pruned:
                add = [m for m in added if _below(rs.root_selected(m.path, self.main), m)]
                rs = await planner.update_pruned_roots(rs.direct, rs, add)
            else:
                rs = await planner.update_unpruned_roots(rs.direct, rs, added)
        else:  # pragma: no cover - go's loop converges
            raise _Refused("gomodx: package loading did not converge")
        if self.tidy:
            tidy = await self.tidy_roots(rs)
            if self.tidy_go:
                over = _override_go(tidy, self.tidy_go, self.main)
                g = await planner.graph(over)
                err = g.error()
                if err is not None:
                    raise _Refused(f"go: {err}", err)
                v = g.selected("go")
                if v != self.tidy_go:
                    raise _Refused(f"go: {_go_conflict(g, v, self.tidy_go)}")
                tidy = over
            rs = tidy
        return rs

    async def preload_roots(self, rs: _Reqs, roots: Sequence[str]) -> _Reqs:
        """``preloadRootModules`` (a pruned graph, ``-mod=mod``): the module of each root
        package not a root at that version yet becomes one before anything is loaded
        (package arguments outside the roots; the main module's packages never)."""
        need: dict[ModuleVersion, None] = {}
        for path in roots:
            if is_std_like(path) and is_std(path):
                continue
            try:
                m = await self.planner.import_from_modules(rs, path)
            except (_Missing, _FetchError):
                continue  # left for loading to report
            if rs.root_selected(m.path, self.main) != m.version:
                need[m] = None
        add = [
            m for m in sorted(need, key=_mod_key) if _below(rs.root_selected(m.path, self.main), m)
        ]
        if not need:
            return rs
        return await self.planner.update_pruned_roots(rs.direct, rs, add)

    async def update_requirements(self, rs: _Reqs) -> _Reqs:
        # Loading "all" with every tag sees every direct import; otherwise the old
        # direct marks stay.
        direct: set[str] = set() if self.all_root else set(rs.direct)
        for p in self.pkgs:
            if p.mod is None or p.mod.path != self.main.path or p.mod.version:
                continue
            for d in p.imports:
                if d.external(self.main):
                    assert d.mod is not None
                    direct.add(d.mod.path)
        add: list[ModuleVersion] = []
        if self.tidy:
            add = list((await self.tidy_roots(rs)).roots)
        if rs.pruned:
            extra: dict[ModuleVersion, None] = {}
            spot: dict[ModuleVersion, None] = {}
            roots = {id(p) for p in self.root_pkgs}
            for p in self.pkgs:
                if not p.external(self.main) or p.is_test:
                    continue
                if not p.in_all and id(p) not in roots:
                    continue
                assert p.mod is not None
                if rs.root_selected(p.mod.path, self.main) is None:
                    extra[p.mod] = None
                else:
                    spot[p.mod] = None
            for m in add:
                if m.path in ("go", "toolchain"):
                    continue
                if _below(rs.root_selected(m.path, self.main), m):
                    extra[m] = None
            if not extra and rs.graph is None and not await self._spot_check(rs, spot):
                # updatePrunedRoots reads the whole graph when a spot check fails: the
                # roots then move up to the versions it selects.
                await self.planner.graph(rs)
            return await self.planner.update_pruned_roots(
                frozenset(direct), rs, sorted(extra, key=_mod_key)
            )
        add = [m for m in add if m.path not in ("go", "toolchain")]
        return await self.planner.update_unpruned_roots(frozenset(direct), rs, add)

    async def _spot_check(self, rs: _Reqs, mods: Iterable[ModuleVersion]) -> bool:
        """go's ``spotCheckRoots``: whether no go.mod of ``mods`` (the root modules
        packages were loaded from) requires a root path above its root version (a go.mod
        that cannot be read fails the check)."""
        await self.planner._load(mods)
        for m in mods:
            got = self.planner.loaded.get(m)
            if got is None or isinstance(got, LoadError):
                return False
            for r in got.require:
                v = rs.root_selected(r.path, self.main)
                if v is not None and semver.mod_compare(r.path, v, r.version) < 0:
                    return False
        return True

    async def changed(self, old: _Reqs, new: _Reqs) -> bool:
        if new.root_selected("go", self.main) != old.root_selected("go", self.main):
            return True
        if new is old or new.roots == old.roots:
            return False
        g = await self.planner.graph(new)
        for p in self.pkgs:
            if p.external(self.main):
                assert p.mod is not None
                if g.selected(p.mod.path) != p.mod.version:
                    return True
            if p.err:
                try:
                    await self.planner.import_from_modules(new, p.path)
                except (_Missing, _FetchError):
                    continue
                return True
        return False

    async def resolve_missing(self, rs: _Reqs) -> list[ModuleVersion]:
        """``resolveMissingImports``: the module providing each missing package @latest."""
        g = await self.planner.graph(rs)
        self.get.initial_version = {m.path: m.version for m in g.build_list()}
        out: dict[ModuleVersion, None] = {}
        # go queries them concurrently ("finding" as each starts), then reports what it
        # found in load order.
        found_lines: list[str] = []
        for p in self.pkgs:
            if not p.err or p.is_test or p.missing is None or p.missing.ambiguous:
                continue
            if p.std_missing:
                continue
            found = await self.query_import(p, g)
            if isinstance(found, ModuleVersion):
                found_lines.append(f"go: found {p.path} in {found.path} {found.version}")
                out[found] = None
        self.stderr.extend(self.finding)
        self.drain()
        self.stderr.extend(found_lines)
        self.finding = []
        return sorted(out, key=_mod_key)

    async def query_import(self, p: _Pkg, g: _Graph) -> ModuleVersion | None:
        """``queryImport``: the module @latest providing ``p`` (``None``: ``p.err`` says
        why there is none)."""
        path = p.path
        # A replaced module (above its selected version) holding the package is the
        # answer without a query.
        highest: dict[str, str] = {}
        for r in self.planner.view.main_file.replace:
            cur = highest.get(r.old.path)
            if cur is None or semver.mod_compare(r.old.path, r.old.version, cur) > 0:
                highest[r.old.path] = r.old.version
        candidates: list[ModuleVersion] = []
        for mp, mv in highest.items():
            if not (path == mp or path.startswith(mp + "/")):
                continue
            if not mv:
                major = split_path_version(mp)[1].lstrip("/.") or "v0"
                mv = f"{major}.0.0-00010101000000-000000000000"
            if semver.mod_compare(mp, g.selected(mp), mv) >= 0:
                continue
            candidates.append(ModuleVersion(mp, mv))
        candidates.sort(key=lambda m: -len(m.path))
        for m in candidates:
            try:
                if await self.planner.dir_in_module(m, path):
                    return m
            except _FetchError as exc:
                p.err = str(exc)
                return None
        self.finding.append(f"go: finding module for package {path}")
        q = _Query(self.get, Target(f"{path}@latest", path, "latest", explicit=False))
        try:
            found, _ = await q.query_pattern()
        except _Refused as exc:
            text = exc.text.removeprefix("go: ").removeprefix(f"{path}@latest: ")
            if exc.cause is not None and isinstance(exc.cause, _FetchError):
                p.err = str(exc.cause)
            elif exc.cause is not None and not _not_exist(exc.cause):
                p.err = text
            else:
                p.err = f"cannot find module providing package {path}: {text}"
            return None
        missing_version = ""
        for i, m in enumerate(found):
            v = g.selected(m.path)
            if semver.mod_compare(m.path, v, m.version) > 0:
                if i == 0:
                    missing_version = v
                continue
            return m
        if found and missing_version:
            m = found[0]
            p.err = (
                f"package {path} provided by {m.path} at latest version {m.version} but not"
                f" at required version {missing_version}"
            )
        elif found:
            m = found[0]
            p.err = f"missing module for import: {m.path}@{m.version} provides {path}"
        else:
            p.err = f"cannot find module providing package {path}"
        return None

    # -- tidyRoots -------------------------------------------------------------------------

    async def tidy_roots(self, rs: _Reqs) -> _Reqs:
        if rs.pruned:
            return await self.tidy_pruned_roots(rs)
        return await self.tidy_unpruned_roots(rs)

    async def tidy_pruned_roots(self, old: _Reqs) -> _Reqs:
        planner = self.planner
        roots: list[ModuleVersion] = []
        is_root: set[str] = {self.main.path}
        for special in ("go", "toolchain"):
            v = old.root_selected(special, self.main)
            if v is not None:
                roots.append(ModuleVersion(special, v))
                is_root.add(special)
        queue: list[_Pkg] = []
        queued: set[int] = set()
        for p in self.pkgs:
            if not p.in_all:
                continue
            if p.external(self.main):
                assert p.mod is not None
                if p.mod.path not in is_root:
                    roots.append(p.mod)
                    is_root.add(p.mod.path)
            queue.append(p)
            queued.add(id(p))
        tidy = _Reqs(True, sorted(roots, key=_mod_key), old.direct)
        while queue:
            roots = list(tidy.roots)
            g = await planner.graph(tidy)
            err = g.error()
            if err is not None:
                raise _Refused(f"go: {err}", err)
            prev, queue = queue, []
            for p in prev:
                m = p.mod
                if m is None:
                    continue
                for d in p.imports:
                    if id(d) not in queued:
                        queue.append(d)
                        queued.add(id(d))
                if p.test is not None and id(p.test) not in queued:
                    queue.append(p.test)
                    queued.add(id(p.test))
                if m.path not in is_root and m.path != self.main.path:
                    s = g.selected(m.path)
                    if semver.mod_compare(m.path, s, m.version) < 0:
                        roots.append(m)
                        is_root.add(m.path)
            if len(roots) > len(tidy.roots):
                tidy = _Reqs(True, sorted(roots, key=_mod_key), tidy.direct)
        g = await planner.graph(tidy)
        err = g.error()
        if err is not None:
            raise _Refused(f"go: {err}", err)
        while True:
            extra: set[ModuleVersion] = set()
            for p in self.pkgs:
                if p.mod is None or p.mod.path in is_root:
                    continue
                try:
                    await planner.import_from_modules(tidy, p.path)
                except _Missing as exc:
                    if exc.ambiguous:
                        extra.add(p.mod)
                except _FetchError:
                    pass
            if not extra:
                break
            roots = list(tidy.roots) + sorted(extra, key=_mod_key)
            is_root.update(m.path for m in extra)
            tidy = _Reqs(True, sorted(roots, key=_mod_key), tidy.direct)
            g = await planner.graph(tidy)
            err = g.error()
            if err is not None:
                raise _Refused(f"go: {err}", err)
        return tidy

    async def tidy_unpruned_roots(self, old: _Reqs) -> _Reqs:
        planner = self.planner
        keep: list[ModuleVersion] = []
        kept: set[str] = set()
        root_paths: list[str] = []
        for special in ("go", "toolchain"):
            v = old.root_selected(special, self.main)
            if v is not None:
                keep.append(ModuleVersion(special, v))
                kept.add(special)
        alt: dict[str, str] = {}
        for p in self.pkgs:
            if not p.external(self.main):
                continue
            assert p.mod is not None
            m = p.mod
            if m.path not in kept:
                keep.append(m)
                kept.add(m.path)
                if m.path in old.direct and m.path not in root_paths:
                    root_paths.append(m.path)
            if p.missing is not None:
                for a in p.missing.ambiguous:
                    alt[a.path] = a.version
        try:
            minimal = await planner.mvs_req(root_paths, keep)
            await planner.read_graph(False, keep)
            reqs = LoadedReqs(self.main, list(keep), planner._loaded_require)
            build_list = mvs_build_list([self.main], reqs)
        except LoadError as exc:
            raise _Refused(f"go: {exc}", exc) from None
        kept_alt = False
        for m in build_list:
            v = alt.get(m.path)
            if v is not None and semver.mod_compare(m.path, m.version, v) < 0:
                keep.append(ModuleVersion(m.path, v))
                kept_alt = True
        if kept_alt:
            minimal = await planner.mvs_req(root_paths, keep)
        if not any(m.path == "go" for m in minimal):
            # A dependency requires the selected go version, so mvs.Req leaves it out of
            # the roots, and cmd/go (1.27) panics: say so in its words.
            raise _Refused(GO_ROOT_PANIC)
        return _Reqs(False, minimal, old.direct)


def _below(current: str | None, m: ModuleVersion) -> bool:
    return current is None or semver.mod_compare(m.path, current, m.version) < 0


def _override_go(rs: _Reqs, go: str, main: ModuleVersion) -> _Reqs:
    roots = [m for m in rs.roots if m.path != "go"] + [ModuleVersion("go", go)]
    return _Reqs(rs.pruned, sorted(roots, key=_mod_key), rs.direct)


def _go_conflict(g: _Graph, v: str, want: str) -> str:
    """``Conflict.Summary`` for a go version above ``-go``."""
    chain = _path_to(g, ModuleVersion("go", v))[1:]
    if len(chain) < 2:
        return f"go@{v} is above {want}"
    adverb = "indirectly " if len(chain) > 2 else ""
    return f"{chain[0]} {adverb}requires go@{v}, but {want} is requested"


def _path_to(g: _Graph, target: ModuleVersion) -> list[ModuleVersion]:
    """A shortest requirement path from the main module to ``target`` in ``g``."""
    parent: dict[ModuleVersion, ModuleVersion | None] = {g.main: None}
    queue = [g.main]
    while queue:
        m = queue.pop(0)
        if m == target:
            chain = []
            cur: ModuleVersion | None = m
            while cur is not None:
                chain.append(cur)
                cur = parent[cur]
            return chain[::-1]
        for r in g.required.get(m, ()):
            if r not in parent:
                parent[r] = m
                queue.append(r)
    return []


def _query_detail(text: str, path: str) -> str:
    prefix = f"{path}@latest: "
    return text.removeprefix(prefix)


# -- entry points ---------------------------------------------------------------------------


def _view(
    main_dir: Path, source: ModuleSource, local_go: str, data: bytes | None = None
) -> ModuleView:
    gomod = main_dir / "go.mod"
    if data is None:
        data = _read_bytes(gomod)
    if data is None:
        raise GomodxError(
            "go: go.mod file not found in current directory or any parent directory;"
            " see 'go help modules'"
        )
    return ModuleView(source, modfile.parse(str(gomod), data), main_dir, local_go)


async def plan_tidy(
    main_dir: str | os.PathLike[str],
    source: ModuleSource,
    *,
    gosum: GoSum,
    local_go: str = LOCAL_GO_VERSION,
    go_version: str = "",
    compat: str = "",
    allow_errors: bool = False,
    gomodcache: str = "",
    goroot: str = "",
    files: tuple[bytes, bytes | None] | None = None,
) -> TidyPlan:
    """Preview ``go mod tidy [-e] [-go=V] [-compat=V]`` in the module at ``main_dir``.

    A refusal is a plan with ``ok`` false and go's message in ``error``; ``gosum`` is the
    main module's go.sum as the caller read it (strictly). ``files`` stands for go.mod
    and go.sum on disk (say, as they were before an apply); the packages are read from
    ``main_dir`` either way."""
    directory = Path(main_dir)
    if files is not None:
        before, gosum_before = files
    else:
        before = _read_bytes(directory / "go.mod") or b""
        gosum_before = _read_bytes(directory / "go.sum")
    view = _view(directory, source, local_go, before if files is not None else None)
    base = TidyPlan(
        targets=(TIDY_TARGET,),
        ok=False,
        gomod_before=before,
        gomod_after=before,
        gosum_before=gosum_before,
        gosum_tidy=gosum_before,
        main_dir=str(directory),
    )
    if go_version and semver.gover_compare(local_go, go_version) < 0:
        return _refuse(
            base,
            f"go: -go flag requires go >= {go_version} (running go {local_go}; GOTOOLCHAIN=local)",
        )
    get = _new_get(view, gosum, gomodcache, goroot)
    planner = get.planner
    assert isinstance(planner, _TidyPlanner)
    loader = _Loader(planner, get, tidy=True, tidy_go=go_version, allow_errors=allow_errors)
    # The main module's packages and its tools ("all").
    roots = main_packages(directory, view.main.path)
    roots += [t.path for t in view.main_file.tool if t.path not in roots]
    try:
        rs = await _load_mod_file(planner, go_version or local_go)
        rs = await loader.run(rs, roots)
    except _Refused as exc:
        loader.drain()
        return _refuse(base, exc.text, loader.stderr)
    errors = [
        f"go: {p.stack_text()}: {p.err}"
        for p in loader.pkgs
        if p.err and not p.is_test and not p.std_missing
    ]
    errors += _multiple_paths(planner, rs)
    loader.drain()
    warnings: list[str] = []
    stderr = list(loader.stderr)
    if errors and not allow_errors:
        return _refuse(base, "\n".join(errors), loader.stderr, warnings)
    stderr.extend(errors)
    # The -compat check.
    go = rs.root_selected("go", view.main) or DEFAULT_GO_MOD_VERSION
    compat_v = compat
    if not compat_v:
        compat_v = _prev(go) if semver.gover_compare(go, STRICT_VERSION) < 0 else go
    if semver.gover_compare(compat_v, go) > 0:
        compat_v = go
    keep_mod, keep_zip = await _keep_sums(loader, rs)
    compat_pruned = supports_pruning(compat_v)
    if compat_pruned != rs.pruned:
        compat_rs = _Reqs(compat_pruned, rs.roots, rs.direct)
        file_go = view.main_file.go.version if view.main_file.go is not None else go
        lines, failed = await _check_compat(loader, compat_rs, compat_v, go, file_go, allow_errors)
        # What reading go 1.16's graph printed ("-> unzip …") comes first.
        stderr.extend(planner.warnings[loader.warned :])
        loader.drain()
        if failed and not allow_errors:
            return _refuse(base, "\n".join(lines), loader.stderr)
        stderr.extend(lines)
        km, kz = await _keep_sums(loader, compat_rs)
        keep_mod |= km
        keep_zip |= kz
    try:
        after = _render_gomod(view, rs, before)
    except GomodxError as exc:
        return _refuse(base, f"go: {exc}", loader.stderr, warnings)
    # What go.sum holds now (the session's copy may predate an apply).
    on_disk = GoSum.parse(gosum_before, lax=True) if gosum_before is not None else GoSum()
    gosum_after = await _tidy_gosum(planner, on_disk, gosum_before, keep_mod, keep_zip)
    had = set((gosum_before or b"").decode("utf-8", "surrogateescape").splitlines())
    added_sums = [
        ln
        for ln in (gosum_after or b"").decode("utf-8", "surrogateescape").splitlines()
        if ln not in had
    ]
    plan = TidyPlan(
        targets=(TIDY_TARGET,),
        ok=True,
        gomod_before=before,
        gomod_after=after,
        gosum_before=gosum_before,
        gosum_tidy=gosum_after,
        gosum_added=tuple(ln for ln in added_sums if ln.split(" ")[1].endswith("/go.mod")),
        zip_sums_added=tuple(ln for ln in added_sums if not ln.split(" ")[1].endswith("/go.mod")),
        main_dir=str(directory),
        warnings=tuple(warnings),
        stderr=tuple(stderr),
    )
    explained = _explain(plan, loader, rs)
    current = modfile.parse(str(directory / "go.mod"), before)
    if current.go is None:
        current.add_go_stmt(go_version or local_go)
    stacks: dict[str, str] = {}
    for p in loader.pkgs:
        if p.external(view.main) and not p.is_test:
            assert p.mod is not None
            stacks.setdefault(str(view.resolve(p.mod)), p.stack_text())
    return TidyPlan(
        **{
            **_fields(plan),
            "lines": tuple(explained),
            "gomod_current": current.format(),
            "stacks": tuple(stacks.items()),
        }
    )


def _fields(plan: TidyPlan) -> dict[str, Any]:
    return {f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)}


def _refuse(
    base: TidyPlan, text: str, stderr: Sequence[str] = (), warnings: Sequence[str] = ()
) -> TidyPlan:
    full = "\n".join([*warnings, *stderr, text])
    return TidyPlan(
        **{
            **_fields(base),
            "ok": False,
            "error": PlanRefused(full),
            "stderr": (),
            "warnings": (),
        }
    )


async def _load_mod_file(planner: _Planner, missing_go: str) -> _Reqs:
    """``loadModFile`` with ``-mod=mod``: a missing go line becomes ``missing_go`` (the
    ``-go`` flag's version, else the local one)."""
    f = planner.view.main_file
    roots, direct = planner.roots_from_mod_file()
    go = f.go.version if f.go is not None else DEFAULT_GO_MOD_VERSION
    rs = _Reqs(supports_pruning(go), roots, direct)
    if has_redundant_root(planner.main, rs.roots):
        rs = await planner.update_roots(rs.direct, rs)
    if f.go is None:
        kept = [m for m in rs.roots if m.path != "go"]
        rs = _Reqs(
            rs.pruned, sorted([*kept, ModuleVersion("go", missing_go)], key=_mod_key), rs.direct
        )
        if supports_pruning(missing_go):
            rs = await planner.convert_pruning(rs, True)
    return rs


def _multiple_paths(planner: _Planner, rs: _Reqs) -> list[str]:
    """``checkMultiplePaths``: one module version cannot stand for two module paths."""
    mods = rs.graph.build_list() if rs.graph is not None else list(rs.roots)
    first: dict[ModuleVersion, str] = {}
    out = []
    for m in mods:
        if m.path in ("go", "toolchain") or m == planner.main:
            continue
        src = planner.view.resolve(m)
        prev = first.setdefault(src, m.path)
        if prev != m.path:
            out.append(
                f"go: {src.path}@{src.version} used for two different module paths"
                f" ({prev} and {m.path})"
            )
    return out


def _prev(go: str) -> str:
    """``gover.Prev``: the release before (``1.17`` → ``1.16``; ``1.0`` and below stay)."""
    parts = go.split(".")
    if len(parts) < 2 or not parts[1].isdigit():
        return go
    minor = int(parts[1])
    if minor == 0:
        return go
    return f"{parts[0]}.{minor - 1}"


async def _check_compat(
    loader: _Loader, rs: _Reqs, compat: str, go: str, file_go: str, allow_errors: bool
) -> tuple[list[str], bool]:
    """``checkTidyCompatibility``: go's lines for each package go ``compat`` would load
    from another module version (or not at all), then (without ``-e``) its suggestions;
    and whether that is an error."""
    planner = loader.planner
    g = await planner.graph(rs)
    err = g.error()
    errors: list[str] = []
    suggest_upgrade = False
    suggest_e = False
    if err is not None:
        errors.append(f"go: error loading go {compat} module graph: {err}")
    else:
        for p in loader.pkgs:
            if p.is_test or (p.mod is None and not p.err):
                continue
            other: ModuleVersion | None = None
            problem: Exception | None = None
            try:
                other = await planner.import_from_modules(rs, p.path)
            except (_Missing, _FetchError) as exc:
                problem = exc
            if other == p.mod and problem is None:
                continue
            if problem is None and p.mod is None and other is None:
                continue
            stack = p.stack_text()
            if problem is not None:
                if p.mod is None:
                    continue  # failed both ways: no mismatch (both "none")
                if isinstance(problem, _Missing) and not problem.ambiguous:
                    sel = ModuleVersion(p.mod.path, g.selected(p.mod.path))
                    errors.append(
                        f"go: {stack} loaded from {p.mod},\n\tbut go {compat} would fail to"
                        f" locate it in {sel}"
                    )
                else:
                    text = problem.text if isinstance(problem, _Missing) else str(problem)
                    errors.append(
                        f"go: {stack} loaded from {p.mod},\n\tbut go {compat} would fail to"
                        f" locate it:\n\t{text}"
                    )
                suggest_e = True
                if not suggest_upgrade:
                    suggest_upgrade = any(
                        g.selected(m.path) != m.version
                        for m in rs.roots
                        if m.path not in ("go", "toolchain")
                    )
            elif p.err:
                suggest_upgrade = True
                errors.append(
                    f"go: {p.path} failed to load from any module,\n\tbut go {compat} would"
                    f" load it from {other}"
                )
            else:
                assert other is not None
                suggest_upgrade = True
                errors.append(
                    f"go: {stack} loaded from {p.mod},\n\tbut go {compat} would select"
                    f" {other.version}\n"
                )
    if not errors:
        return [], False
    if allow_errors:
        # Printed as they happen ("go: %v\n": a message's own newline leaves a blank
        # line), no suggestions.
        return list(errors), True
    # Collected, printed when go checks for a toolchain switch, then the suggestions,
    # then printed once more as go exits.
    said = [e.rstrip("\n") for e in errors]
    out = list(said)
    go_flag = f" -go={go}" if go != file_go else ""
    compat_flag = f" -compat={compat}" if compat != _prev(go) else ""
    out.append("")
    if suggest_upgrade:
        e_desc = ", leaving some packages unresolved" if suggest_e else ""
        e_flag = " -e" if suggest_e else ""
        out.append(
            f"To upgrade to the versions selected by go {compat}{e_desc}:\n\tgo mod"
            f" tidy{e_flag} -go={compat} && go mod tidy{e_flag} -go={go}{compat_flag}"
        )
    elif suggest_e:
        out.append(
            f"To proceed despite packages unresolved in go {compat}:\n\tgo mod tidy"
            f" -e{go_flag}{compat_flag}"
        )
    out.append(
        f"If reproducibility with go {compat} is not needed:\n\tgo mod tidy{go_flag} -compat={go}"
    )
    out.append(
        "For information about 'go mod tidy' compatibility, see:\n\t"
        "https://go.dev/ref/mod#graph-pruning"
    )
    return out + said, True


async def _keep_sums(loader: _Loader, rs: _Reqs) -> tuple[set[ModuleVersion], set[ModuleVersion]]:
    """``keepSums(…, loadedZipSumsOnly)``: the go.mod sums (first set) and zip sums
    (second) tidy keeps."""
    planner = loader.planner
    view = planner.view
    main = loader.main
    keep_mod: set[ModuleVersion] = set()
    keep_zip: set[ModuleVersion] = set()
    go = rs.root_selected("go", main) or DEFAULT_GO_MOD_VERSION
    keep_pkg_mod = semver.gover_compare(go, TIDY_GO_MOD_SUM_VERSION) >= 0
    g: _Graph | None = None
    for p in loader.pkgs:
        if p.is_test or (p.mod is None and not p.err) or not _valid_import(p.path):
            continue
        if keep_pkg_mod and p.mod is not None:
            r = view.resolve(p.mod)
            if r.version:
                keep_mod.add(r)
        if rs.pruned and p.mod is not None:
            v = rs.root_selected(p.mod.path, main)
            if v is not None and v == p.mod.version:
                for prefix in _prefixes(p.path):
                    pv = rs.root_selected(prefix, main)
                    if pv is not None and pv != NONE and prefix != main.path:
                        keep_zip.add(view.resolve(ModuleVersion(prefix, pv)))
                continue
        if g is None:
            g = await planner.graph(rs)
        for prefix in _prefixes(p.path):
            if prefix == main.path or prefix in ("go", "toolchain"):
                continue
            v = g.selected(prefix)
            if v != NONE:
                keep_zip.add(view.resolve(ModuleVersion(prefix, v)))
    if rs.graph is None:
        for m in rs.roots:
            if m.path in ("go", "toolchain"):
                continue
            keep_mod.add(view.resolve(m))
    else:
        gg = rs.graph
        for m in gg.walk():
            if m in gg.summaries and not semver.is_toolchain_path(m.path) and m != main:
                keep_mod.add(view.resolve(m))
    return keep_mod, keep_zip


def _valid_import(path: str) -> bool:
    try:
        check_import_path(path)
    except GomodxError:
        return False
    return True


def _prefixes(path: str) -> list[str]:
    out = []
    while path and path != ".":
        out.append(path)
        if "/" not in path:
            break
        path = path.rsplit("/", 1)[0]
    return out


async def _tidy_gosum(
    planner: _TidyPlanner,
    gosum: GoSum,
    before: bytes | None,
    keep_mod: set[ModuleVersion],
    keep_zip: set[ModuleVersion],
) -> bytes | None:
    """``TrimGoSum`` + ``WriteGoSum``: the lines of go.sum for kept modules, with the
    hashes tidy checked and did not find added."""
    view = planner.view
    lines: dict[tuple[str, str], set[str]] = {}
    for path, version, h in _sum_entries(before):
        if version.endswith("/go.mod"):
            if ModuleVersion(path, version[: -len("/go.mod")]) not in keep_mod:
                continue
        elif ModuleVersion(path, version) not in keep_zip:
            continue
        lines.setdefault((path, version), set()).add(h)
    for m in keep_mod:
        if not m.version or gosum.gomod_hashes(m.path, m.version):
            continue
        if m not in view.gomod_reads and m not in planner.touched:
            continue
        data = await view.raw_gomod(m)
        lines.setdefault((m.path, m.version + "/go.mod"), set()).add(gomod_hash(data))
    for m in keep_zip:
        if not m.version or gosum.hashes(m.path, m.version):
            continue
        if m in planner.download_failed or m not in planner.touched:
            continue
        try:
            h = await view.zip_sum(m)
        except GomodxError:
            continue
        lines.setdefault((m.path, m.version), set()).add(h)
    if before is None and not lines:
        return None
    out = []
    for (path, version), hs in sorted(
        lines.items(), key=lambda kv: semver.mod_sort_key(kv[0][0], kv[0][1])
    ):
        for h in sorted(hs):
            out.append(f"{path} {version} {h}\n")
    return "".join(out).encode()


def _sum_entries(data: bytes | None) -> list[tuple[str, str, str]]:
    out = []
    for line in (data or b"").decode("utf-8", "surrogateescape").splitlines():
        f = line.split()
        if len(f) == 3:
            out.append((f[0], f[1], f[2]))
    return out


def _render_gomod(view: ModuleView, rs: _Reqs, before: bytes) -> bytes:
    """``UpdateGoModFromReqs`` as tidy runs it: the new bytes (tidy writes them whenever
    they differ from the file's)."""
    name = str(view.main_dir / "go.mod")
    f = modfile.parse(name, before)
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
    if semver.gover_compare(go_version, view.local_go) > 0:
        raise GomodxError(
            f"updating go.mod requires go >= {go_version}"
            f" (running go {view.local_go}; GOTOOLCHAIN=local)"
        )
    if f.go is None or f.go.version != go_version:
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
    return f.format()


def _requires(data: bytes) -> dict[str, tuple[str, bool]]:
    try:
        f = modfile.parse("go.mod", data)
    except GomodxError:
        return {}
    return {r.mod.path: (r.mod.version, r.indirect) for r in f.require}


def _explain(plan: TidyPlan, loader: _Loader, rs: _Reqs) -> list[TidyLine]:
    """Each changed line of go.mod and go.sum, with why tidy changes it."""
    main = loader.main
    provides: dict[str, list[_Pkg]] = {}
    for p in loader.pkgs:
        if p.external(main) and not p.is_test:
            assert p.mod is not None
            provides.setdefault(p.mod.path, []).append(p)
    old = _requires(plan.gomod_before)
    new = _requires(plan.gomod_after)
    out: list[TidyLine] = []
    for name, a, b in (
        ("go.mod", plan.gomod_before, plan.gomod_after),
        ("go.sum", plan.gosum_before or b"", plan.gosum_after() or b""),
    ):
        a_lines = a.decode("utf-8", "surrogateescape").splitlines()
        b_lines = b.decode("utf-8", "surrogateescape").splitlines()
        sm = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
        for tag, a1, a2, b1, b2 in sm.get_opcodes():
            if tag == "equal":
                continue
            for op, texts in (("-", a_lines[a1:a2]), ("+", b_lines[b1:b2])):
                for text in texts:
                    if not text.strip():
                        continue
                    why = _why_line(name, op, text, provides, old, new)
                    out.append(TidyLine(name, op, text, why))
    return out


def _why_line(
    name: str,
    op: str,
    text: str,
    provides: Mapping[str, list[_Pkg]],
    old: Mapping[str, tuple[str, bool]],
    new: Mapping[str, tuple[str, bool]],
) -> str:
    words = text.strip().removeprefix("require").strip().split()
    if not words or words[0] in ("(", ")"):
        return "block syntax: go keeps direct and indirect requirements in blocks of their own"
    path = words[0]
    if name == "go.sum":
        if op == "-":
            return "dropped: not needed to load the module graph or the packages of the build"
        if len(words) > 1 and words[1].endswith("/go.mod"):
            return "added: checksum of a go.mod in the module graph"
        return "added: checksum of a module providing a package of the build"
    if path in ("go", "toolchain"):
        return f"{path} line: the version the requirements now need"
    if path not in old and path not in new:
        return "layout"
    pkgs = provides.get(path, [])
    provided = ""
    if pkgs:
        p = pkgs[0]
        importer = p.stack
        by = ""
        if importer is not None:
            by = importer.path + (" (its test)" if importer.is_test else "")
        provided = f"provides {p.path}" + (f", imported by {by}" if by else "")
    if op == "-":
        if path not in new:
            return "removed: no package of the main module imports anything from it"
        return "rewritten below"
    before = old.get(path)
    after = new[path]
    indirect = after[1]
    if before is None:
        kind = "added indirect" if indirect else "added"
        return f"{kind}: {provided}" if provided else f"{kind}: keeps the selected version"
    changes = []
    if before[0] != after[0]:
        changes.append(f"{before[0]} → {after[0]} (the version the build selects)")
    if before[1] != after[1]:
        changes.append(
            "now indirect: no package of the main module imports it"
            if indirect
            else "now direct: a package of the main module imports it"
        )
    if not changes:
        changes.append("moved to the " + ("indirect" if indirect else "direct") + " block")
    return "; ".join(changes) + (f" ({provided})" if provided else "")


# -- go mod why -------------------------------------------------------------------------------


async def _why_loader(
    main_dir: Path,
    source: ModuleSource,
    gosum: GoSum,
    local_go: str,
    gomodcache: str,
    goroot: str,
    first: Sequence[str] = (),
    modules: Sequence[str] = (),
) -> _Loader:
    """``go mod why``'s loading: ``all`` with tests (``LoadTests``), the requirements
    brought up to date in memory (``-mod=mod``), missing imports left missing. With
    ``first``, the package arguments are loaded before, as go loads them (which may
    promote their modules to roots for the ``all`` that follows). With ``modules``
    (``-m``), they are listed first, as go's ``ListModules`` does: a module that is not
    a root (any, without graph pruning) makes go read the whole graph and move roots
    below their selected versions up (``expandGraph``) before ``all`` is loaded."""
    view = _view(main_dir, source, local_go)
    get = _new_get(view, gosum, gomodcache, goroot)
    planner = get.planner
    assert isinstance(planner, _TidyPlanner)
    try:
        rs = await _load_mod_file(planner, local_go)
        listed: list[str] = []
        if any(not rs.pruned or rs.root_selected(m, planner.main) is None for m in modules):
            g = await planner.graph(rs)
            if g.error() is None and any(g.selected(m.path) != m.version for m in rs.roots):
                rs = await planner.update_roots(rs.direct, rs)
                g = await planner.graph(rs)
            if "all" in modules:
                listed = [m.path for m in g.build_list() if m.path not in ("go", "toolchain")]
        if first:
            args = _Loader(planner, get, tidy=False, resolve=False)
            args.all_root = False
            rs = await args.run(rs, first)
        loader = _Loader(planner, get, tidy=False, resolve=False)
        roots = main_packages(main_dir, view.main.path)
        roots += [t.path for t in view.main_file.tool if t.path not in roots]
        rs = await loader.run(rs, roots)
    except _Refused as exc:
        raise PlanRefused(exc.text) from None
    errors = _multiple_paths(planner, rs)
    if errors:
        raise PlanRefused("\n".join(errors))
    loader.build_list = listed
    return loader


async def why_packages(
    main_dir: str | os.PathLike[str],
    source: ModuleSource,
    packages: Sequence[str],
    *,
    gosum: GoSum,
    local_go: str = LOCAL_GO_VERSION,
    all_paths: bool = False,
    gomodcache: str = "",
    goroot: str = "",
) -> str:
    """What ``go mod why PKG...`` prints: for each package a ``# PKG`` line, then the
    import path that loading ``all`` (with tests) found first, or ``(main module does not
    need package PKG)``. With ``all_paths``, every shortest import path, separated by
    empty lines."""
    directory = Path(main_dir)
    main = modfile.module_path(_read_bytes(directory / "go.mod") or b"")
    paths = []
    for arg in packages:
        path = arg
        if arg == "." or arg.startswith(("./", "../")):
            rel = os.path.relpath(os.path.normpath(directory / arg), directory)
            path = main if rel == "." else f"{main}/{Path(rel).as_posix()}"
        paths.append(path)
    loader = await _why_loader(directory, source, gosum, local_go, gomodcache, goroot, first=paths)
    out = []
    for path in paths:
        stanzas = _why_all(loader, path) if all_paths else [_why_one(loader, path)]
        stanzas = [st for st in stanzas if st]
        body = "\n".join(stanzas) if stanzas else f"(main module does not need package {path})\n"
        out.append(f"# {path}\n{body}")
    return "\n".join(out)


async def why_modules(
    main_dir: str | os.PathLike[str],
    source: ModuleSource,
    modules: Sequence[str],
    *,
    gosum: GoSum,
    local_go: str = LOCAL_GO_VERSION,
    all_paths: bool = False,
    gomodcache: str = "",
    goroot: str = "",
) -> str:
    """What ``go mod why -m MODULE...`` prints: for each module the import path of its
    package nearest the main module (``(main module does not need module M)`` when none
    is loaded); with ``all_paths``, every shortest one to each of its nearest packages.
    ``all`` is every module of the build list, the main module first."""
    for m in modules:
        if "@" in m:
            raise PlanRefused(f"go: {m}: 'go mod why' requires a module path, not a version query")
    loader = await _why_loader(
        Path(main_dir), source, gosum, local_go, gomodcache, goroot, modules=modules
    )
    by_module: dict[str, list[_Pkg]] = {}
    for path in sorted({p.path for p in loader.pkgs if not p.is_test}):
        p = loader.cache[path]
        if p.mod is not None:
            by_module.setdefault(p.mod.path, []).append(p)
    out = []
    for m in [p for arg in modules for p in (loader.build_list if arg == "all" else [arg])]:
        depth = min((_depth(p) for p in by_module.get(m, [])), default=0)
        nearest = [p for p in by_module.get(m, []) if _depth(p) == depth]
        if not nearest:
            why = f"(main module does not need module {m})\n"
        elif all_paths:
            why = "\n".join(st for p in nearest for st in _why_all(loader, p.path))
        else:
            why = nearest[0].why()
        out.append(f"# {m}\n{why}")
    return "\n".join(out)


def _depth(p: _Pkg) -> int:
    n = 0
    q: _Pkg | None = p
    while q is not None:
        n += 1
        q = q.stack
    return n


def _why_one(loader: _Loader, path: str) -> str:
    p = loader.cache.get(path)
    if p is None:
        return ""
    return p.why()


def _why_all(loader: _Loader, path: str) -> list[str]:
    """Every shortest import path to ``path`` from a package of the main module (through
    tests as ``go mod why`` shows them), in the order go would print the first."""
    target = loader.cache.get(path)
    if target is None:
        return []
    order = {id(p): i for i, p in enumerate(loader.pkgs)}
    parents: dict[int, list[_Pkg]] = {}
    dist: dict[int, int] = {}
    frontier = [p for p in loader.pkgs if p.stack is None]
    for p in frontier:
        dist[id(p)] = 0
    level = 0
    while frontier:
        nxt: list[_Pkg] = []
        for p in frontier:
            edges = list(p.imports) + ([p.test] if p.test is not None else [])
            for d in edges:
                if id(d) not in dist:
                    dist[id(d)] = level + 1
                    nxt.append(d)
                    parents[id(d)] = [p]
                elif dist[id(d)] == level + 1 and p not in parents[id(d)]:
                    parents[id(d)].append(p)
        frontier = nxt
        level += 1
    if id(target) not in dist:
        return []
    chains: list[list[_Pkg]] = []

    def walk(p: _Pkg, tail: list[_Pkg]) -> None:
        if len(chains) >= 1000:
            return
        if dist[id(p)] == 0:
            chains.append([p, *tail])
            return
        for q in sorted(parents[id(p)], key=lambda x: order.get(id(x), 0)):
            walk(q, [p, *tail])

    walk(target, [])
    out = [
        "".join((q.test_of.path + ".test\n") if q.test_of is not None else q.path + "\n" for q in c)
        for c in chains
    ]
    return list(dict.fromkeys(out))
