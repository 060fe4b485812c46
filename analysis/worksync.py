"""Previews of ``go work sync`` — and of ``go get`` inside a workspace — file by file,
before anything is written.

``go work sync`` (``cmd/go/internal/workcmd/sync.go``) loads the workspace's packages
(``all``, per main module, with tests and every build tag), then in each module does what
``go get`` of the modules providing them at the workspace's selected versions would do,
tidies the modules whose requirements moved (a ``go mod tidy``-like load of ``all``), and
writes their go.mod and go.sum; last it raises go.work's ``go`` line to the newest module's
and writes go.work.

gomodx does not reimplement that tidy: :func:`preview` runs the go command itself in a
*sandbox* — a copy of the workspace's files under a scratch directory, at the same
relative places (go.mod, go.sum, go.work and go.work.sum copied; everything else hard
linked, or copied across file systems) — and reads back what it wrote. The preview is then
exactly go's, and nothing of the user's changes; :func:`analysis.apply.apply_files`
writes it as one transaction with undo.

``go get`` in a workspace (Go 1.27, ``modget``) plans in the current module alone but
loads the final packages, retractions and deprecations in the workspace, reports changes
against the go.mod it has already updated, keeps the sums that workspace load verified,
and raises go.work's ``go`` line to the module's: :func:`plan_from_sandbox` turns the
same sandbox run of ``go get`` into a :class:`~analysis.plan.Plan` (go's files, refusal
and report; gomodx's reasons for each change where its own plan has one).

::

    sync = preview(ws, go="go", environ=os.environ)
    sync.ok, sync.gomods()        # (True, {"a": "module example.com/a\\n...", ...})
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.apply import FileEdit
from analysis.errors import GomodxError, NotSupported, PlanRefused
from analysis.plan import Change, Plan
from analysis.workspace import Workspace

__all__ = [
    "TARGET",
    "SandboxRun",
    "WorkSync",
    "plan_from_sandbox",
    "preview",
    "run_in_sandbox",
]

TARGET = "go work sync"
"""What an apply of a preview says it ran (backups, journal, undo)."""

_KEEP = frozenset({"go.mod", "go.sum", "go.work", "go.work.sum"})
"""Files go may write: copied into the sandbox, never linked."""

_SKIP = frozenset({".git", ".hg", ".svn", "node_modules"})


@dataclass(frozen=True)
class WorkSync:
    """What ``go work sync`` would do to the workspace at ``work_file``.

    ``files`` holds every file it reads and may write (each module's go.mod and go.sum,
    go.work and go.work.sum), named relative to go.work's directory, with its bytes before
    and after (``None``: absent). ``modules`` maps each module's directory (relative to
    go.work's directory, ``.`` for go.work's own) to its module path, in ``use`` order.
    ``messages`` are go's standard error lines but ``go: downloading``; when go fails
    ``error`` is its message and nothing would change.
    """

    work_file: Path
    ok: bool
    files: tuple[FileEdit, ...] = ()
    modules: tuple[tuple[str, str], ...] = ()
    messages: tuple[str, ...] = ()
    error: str | None = None
    source: str = "go"

    @property
    def root(self) -> Path:
        """The directory the file names are relative to (go.work's)."""
        return self.work_file.parent

    @property
    def changed(self) -> tuple[FileEdit, ...]:
        """The files whose bytes change."""
        return tuple(f for f in self.files if f.old != f.new)

    def after(self, name: str) -> bytes | None:
        for f in self.files:
            if f.name == name:
                return f.new
        return None

    def gomods(self) -> dict[str, str]:
        """``{module directory: go.mod after}``, as the JSON's ``GoMods``."""
        out: dict[str, str] = {}
        for d, _ in self.modules:
            data = self.after(_join(d, "go.mod"))
            if data is not None:
                out[d] = data.decode("utf-8", "replace")
        return out

    def gosums(self) -> dict[str, str | None]:
        """``{module directory: go.sum after, or None when there is none}``."""
        out: dict[str, str | None] = {}
        for d, _ in self.modules:
            data = self.after(_join(d, "go.sum"))
            out[d] = None if data is None else data.decode("utf-8", "replace")
        return out

    def diffs(self) -> list[tuple[str, str]]:
        """``(file name, unified diff)`` for every file that changes (a go.sum's diff is
        its added and removed lines)."""
        out: list[tuple[str, str]] = []
        for f in self.changed:
            a = (f.old or b"").decode("utf-8", "replace").splitlines(keepends=True)
            b = (f.new or b"").decode("utf-8", "replace").splitlines(keepends=True)
            before = f"a/{f.name}" if f.old is not None else "/dev/null"
            after = f"b/{f.name}" if f.new is not None else "/dev/null"
            lines = list(difflib.unified_diff(a, b, before, after))
            # A last line without a newline is marked as diff marks it.
            text = "".join(
                line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                for line in lines
            )
            out.append((f.name, text))
        return out

    def to_json(self) -> dict[str, Any]:
        """``{"OK", "GoMods", "Error", ...}``: see :mod:`tui.commands.worksync`."""
        return {
            "OK": self.ok,
            "GoMods": self.gomods() if self.ok else {},
            "Error": self.error,
            "GoWork": str(self.work_file),
            "GoSums": self.gosums() if self.ok else {},
            "GoWorkText": _text(self.after("go.work")) if self.ok else None,
            "GoWorkSum": _text(self.after("go.work.sum")) if self.ok else None,
            "Modules": {d: p for d, p in self.modules},
            "Changed": [f.name for f in self.changed],
            "Messages": list(self.messages),
            "Source": self.source,
        }


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "replace")


def _join(d: str, name: str) -> str:
    return name if d == "." else f"{d}/{name}"


def _rel(path: Path, root: Path) -> str:
    rel = os.path.relpath(path, root)
    return rel.replace(os.sep, "/")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _sources(ws: Workspace) -> list[Path]:
    """The directories go reads: every module, and every directory replacement target
    named by a relative path (an absolute one is read where it is). The go.work's own
    files are placed apart."""
    dirs: list[Path] = list(ws.roots)
    work_dir = ws.path.parent
    for r in ws.file.replace:
        if r.new.version == "" and not os.path.isabs(r.new.path):
            dirs.append(Path(os.path.normpath(work_dir / r.new.path)))
    for root, f in zip(ws.roots, ws.mod_files, strict=True):
        for r in f.replace:
            if r.new.version == "" and not os.path.isabs(r.new.path):
                dirs.append(Path(os.path.normpath(root / r.new.path)))
    # Outermost first; a directory inside one already copied comes with it.
    out: list[Path] = []
    for d in sorted(set(dirs), key=lambda p: (len(p.parts), str(p))):
        if not any(d == o or o in d.parents for o in out):
            out.append(d)
    return out


def _place(path: Path, sandbox: Path) -> Path:
    """Where ``path`` (absolute) is in the sandbox: the same path under it."""
    return sandbox / Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(path)).anchor)


def _copy_tree(src: Path, dst: Path) -> None:
    """``src`` into ``dst``: the files go may write are copied, the rest hard linked (or
    copied when the link fails); symbolic links stay links."""
    if not src.is_dir():
        return  # a missing replacement directory: go says so, from the sandbox too

    def link_or_copy(s: str, d: str) -> object:
        if os.path.basename(s) in _KEEP:
            return shutil.copy2(s, d)
        try:
            os.link(s, d)
        except OSError:
            return shutil.copy2(s, d)
        return d

    shutil.copytree(
        src,
        dst,
        symlinks=True,
        ignore=shutil.ignore_patterns(*_SKIP),
        copy_function=link_or_copy,
        dirs_exist_ok=True,
    )


def _check_uses(ws: Workspace) -> None:
    for u in ws.file.use:
        if os.path.isabs(u.path):
            raise NotSupported(
                f"gomodx worksync: go.work uses the absolute directory {u.path}: previews"
                " of go work sync there are not supported yet"
            )


def _tracked(ws: Workspace) -> list[tuple[str, Path]]:
    """``(name relative to go.work's directory, path)`` of every file go may write."""
    root = ws.path.parent
    out: list[tuple[str, Path]] = []
    for d in ws.roots:
        rel = _rel(d, root)
        for name in ("go.mod", "go.sum"):
            out.append((_join(rel, name), d / name))
    out.append(("go.work", ws.path))
    out.append(("go.work.sum", ws.path.with_name(ws.path.name + ".sum")))
    return out


def _lines(text: str, sandbox: Path) -> list[str]:
    """go's standard error lines, the sandbox's paths put back as the user's."""
    prefix = str(sandbox)
    return [
        line.replace(prefix + os.sep, os.sep)
        for line in text.splitlines()
        if not line.startswith("go: downloading ")
    ]


@dataclass(frozen=True)
class SandboxRun:
    """What a go command did on a sandbox copy of a workspace: its exit status, its
    standard error lines (but ``go: downloading``; the sandbox's paths put back as the
    user's) and every file it may write (see :class:`WorkSync`), before and after."""

    returncode: int
    lines: tuple[str, ...]
    files: tuple[FileEdit, ...]


def run_in_sandbox(
    ws: Workspace,
    args: list[str],
    *,
    go: str,
    environ: Mapping[str, str],
    cwd: Path | None = None,
    scratch: Path | None = None,
    timeout: float = 600,
) -> SandboxRun:
    """Run ``go ARGS`` in ``cwd`` (default: go.work's directory) as if in ``ws``, on a
    sandbox copy of it, and read back the files it wrote; the user's files are only
    read. ``environ`` is the go command's environment (``GOWORK`` is set to the
    sandbox's go.work). ``scratch`` is where the sandbox goes (default: a new temporary
    directory); it is removed afterwards.

    Raises :class:`~analysis.errors.NotSupported` for a go.work that uses an absolute
    directory (go would write the real go.mod there) and
    :class:`~analysis.errors.GomodxError` when go cannot be run.
    """
    _check_uses(ws)
    root = ws.path.parent
    base = Path(tempfile.mkdtemp(prefix="gomodx-sandbox-", dir=scratch))
    try:
        sandbox = base / "root"
        for d in _sources(ws):
            _copy_tree(d, _place(d, sandbox))
        tracked = _tracked(ws)
        for _, path in tracked:
            placed = _place(path, sandbox)
            data = _read(path)
            if data is not None:
                placed.parent.mkdir(parents=True, exist_ok=True)
                placed.write_bytes(data)
        before = {name: _read(path) for name, path in tracked}
        env = dict(environ)
        work_dir = _place(cwd if cwd is not None else root, sandbox)
        env["GOWORK"] = str(_place(ws.path, sandbox))
        env["PWD"] = str(work_dir)
        try:
            proc = subprocess.run(
                [go, *args],
                cwd=work_dir,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise GomodxError(f"gomodx: running go {' '.join(args)}: {exc}") from exc
        files = tuple(
            FileEdit(name, before[name], _read(_place(path, sandbox))) for name, path in tracked
        )
        return SandboxRun(proc.returncode, tuple(_lines(proc.stderr, sandbox)), files)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def preview(
    ws: Workspace,
    *,
    go: str,
    environ: Mapping[str, str],
    scratch: Path | None = None,
    timeout: float = 600,
) -> WorkSync:
    """Run ``go work sync`` on a sandbox copy of ``ws`` (:func:`run_in_sandbox`) and read
    back what it wrote."""
    run = run_in_sandbox(
        ws, ["work", "sync"], go=go, environ=environ, scratch=scratch, timeout=timeout
    )
    root = ws.path.parent
    modules = tuple((_rel(d, root), p) for d, p in zip(ws.roots, ws.modules, strict=True))
    if run.returncode != 0:
        unchanged = tuple(FileEdit(f.name, f.old, f.old) for f in run.files)
        error = "\n".join(run.lines) or f"go work sync exited {run.returncode}"
        return WorkSync(ws.path, False, unchanged, modules, (), error)
    return WorkSync(ws.path, True, run.files, modules, run.lines)


_REPORT = re.compile(r"^go: (added|removed|upgraded|downgraded) (\S+) (\S+)(?: => (\S+))?$")
_NOTE = "\tnote: expanded dependencies to upgrade to go 1.17 or higher"


def plan_from_sandbox(plan: Plan, run: SandboxRun, module_dir: str) -> Plan:
    """``plan`` (gomodx's own, for the module alone) with what ``go get`` did on the
    sandbox: its refusal, or its go.mod, the go.sum lines it added, its report (each
    change with the reason ``plan`` has for it) and warnings, and the other files it
    rewrote (go.work), named relative to the module. ``module_dir`` is the module's
    directory relative to go.work's (``.`` for the same)."""
    gomod_name, gosum_name = _join(module_dir, "go.mod"), _join(module_dir, "go.sum")
    if run.returncode != 0:
        text = "\n".join(run.lines) or f"go get exited {run.returncode}"
        return dataclasses.replace(
            plan,
            ok=False,
            error=PlanRefused(text),
            changes=(),
            gomod_after=plan.gomod_before,
            gosum_added=(),
            zip_sums_added=(),
            warnings=(),
            suggestion=plan.suggestion if not plan.ok else "",
            chains=plan.chains if not plan.ok else (),
            other_files=(),
            source="go",
        )
    reasons = {c.path: c.why for c in plan.changes}
    changes: list[Change] = []
    warnings: list[str] = []
    for line in run.lines:
        m = _REPORT.match(line)
        if m is None:
            if not line.startswith(_NOTE):
                warnings.append(line)
            continue
        kind, path, a, b = m.groups()
        why = reasons.get(path) or "go get reports it (in the workspace)"
        if kind == "added":
            changes.append(Change(path, "none", a, kind, why))
        elif kind == "removed":
            changes.append(Change(path, a, "none", kind, why))
        else:
            changes.append(Change(path, a, b or "", kind, why))
    files = {f.name: f for f in run.files}
    gomod = files[gomod_name].new
    old_sum = files[gosum_name].old if gosum_name in files else None
    new_sum = files[gosum_name].new if gosum_name in files else None
    had = set((old_sum or b"").decode("utf-8", "surrogateescape").splitlines())
    added = [
        line
        for line in (new_sum or b"").decode("utf-8", "surrogateescape").splitlines()
        if line and line not in had
    ]
    mod_lines = tuple(x for x in added if x.split(" ")[1:2] and x.split(" ")[1].endswith("/go.mod"))
    zip_lines = tuple(x for x in added if x not in mod_lines)
    others = tuple(
        (os.path.relpath(f.name, module_dir).replace(os.sep, "/"), f.old, f.new)
        for f in run.files
        if f.name not in (gomod_name, gosum_name) and f.old != f.new
    )
    return dataclasses.replace(
        plan,
        ok=True,
        error=None,
        changes=tuple(changes),
        gomod_after=gomod if gomod is not None else plan.gomod_before,
        gosum_added=mod_lines,
        zip_sums_added=zip_lines,
        warnings=tuple(warnings),
        suggestion="",
        chains=(),
        other_files=others,
        source="go",
    )
