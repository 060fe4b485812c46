"""Previews of ``go work sync``: every file it would write, before anything is written.

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

::

    sync = preview(ws, go="go", environ=os.environ)
    sync.ok, sync.gomods()        # (True, {"a": "module example.com/a\\n...", ...})
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.apply import FileEdit
from analysis.errors import GomodxError, NotSupported
from analysis.workspace import Workspace

__all__ = ["TARGET", "WorkSync", "preview"]

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


def preview(
    ws: Workspace,
    *,
    go: str,
    environ: Mapping[str, str],
    scratch: Path | None = None,
    timeout: float = 600,
) -> WorkSync:
    """Run ``go work sync`` on a sandbox copy of ``ws`` and read back what it wrote.

    ``environ`` is the go command's environment (the user's settings: GOPROXY, GOFLAGS,
    GOMODCACHE …; ``GOWORK`` is set to the sandbox's go.work). ``scratch`` is where the
    sandbox goes (default: a new temporary directory); it is removed afterwards.

    Raises :class:`~analysis.errors.NotSupported` for a go.work that uses an absolute
    directory (go would write the real go.mod there) and
    :class:`~analysis.errors.GomodxError` when go cannot be run.
    """
    _check_uses(ws)
    root = ws.path.parent
    base = Path(tempfile.mkdtemp(prefix="gomodx-worksync-", dir=scratch))
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
        work_dir = _place(root, sandbox)
        env["GOWORK"] = str(_place(ws.path, sandbox))
        env["PWD"] = str(work_dir)
        try:
            proc = subprocess.run(
                [go, "work", "sync"],
                cwd=work_dir,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise GomodxError(f"gomodx worksync: running go work sync: {exc}") from exc
        lines = _lines(proc.stderr, sandbox)
        modules = tuple((_rel(d, root), p) for d, p in zip(ws.roots, ws.modules, strict=True))
        if proc.returncode != 0:
            return WorkSync(
                ws.path,
                False,
                tuple(FileEdit(n, before[n], before[n]) for n, _ in tracked),
                modules,
                (),
                "\n".join(lines) or f"go work sync exited {proc.returncode}",
            )
        files = tuple(
            FileEdit(name, before[name], _read(_place(path, sandbox))) for name, path in tracked
        )
        return WorkSync(ws.path, True, files, modules, tuple(lines))
    finally:
        shutil.rmtree(base, ignore_errors=True)
