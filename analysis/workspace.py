"""Workspaces as the go command finds and loads them (``cmd/go/internal/modload``).

* :func:`find_workspace` — which go.work go uses from a directory, given ``GOWORK``
  (``off``; unset or ``auto``: the nearest go.work upwards, not crossing ``GOROOT``; else
  an absolute path, used even if missing);
* :func:`load_workfile` — read and parse it as ``modload.ReadWorkFile`` does, refusing a
  go.work newer than the go in use;
* :func:`use_dirs` — the ``use``\\d module roots (``LoadWorkFile``: a directory used twice
  is an error);
* :func:`load_workspace` — all of that, then every used module's go.mod with go's errors
  (missing go.mod, unparsable go.mod, a module newer than the go.work's go line, a module
  used twice, a go.work replacing a workspace module at all versions, conflicting
  replacements), giving a :class:`Workspace` with :func:`workspace_replacements`;
* :func:`check_flags` — ``-mod``/``-modfile`` as workspace mode refuses them.

Errors are :class:`~analysis.errors.WorkspaceError`, worded as go words them, one message
per ``go: `` line go prints, without that prefix.

:func:`workspace_replacement` looks one module version up as go does when it loads the
workspace graph (:func:`analysis.loader.load_workspace_graph`).

Not modelled: go's table of known ``godebug`` keys (an unknown key in go.work is go's
error, not ours).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import modfile, semver
from analysis.errors import ModfileError, ReplacementConflict, WorkspaceError
from analysis.module import ModuleVersion

if TYPE_CHECKING:
    from analysis import workfile

__all__ = [
    "Workspace",
    "check_flags",
    "find_workspace",
    "load_workfile",
    "load_workspace",
    "load_workspace_lax",
    "short_path",
    "use_dirs",
    "workspace_replacement",
    "workspace_replacements",
]

GO_STRICT_VERSION = "1.21"
"""From this go version on a module's go line is a minimum the workspace must meet."""


@dataclass(frozen=True)
class Workspace:
    """A loaded workspace: its go.work, the file, and the main modules' roots in ``use``
    order (each holding a go.mod go accepts), with their module paths and go.mod files, and
    the replacements in force (see :func:`workspace_replacements`)."""

    path: Path
    file: workfile.WorkFile
    roots: tuple[Path, ...]
    modules: tuple[str, ...]
    mod_files: tuple[modfile.ModFile, ...] = ()
    replacements: Mapping[ModuleVersion, ModuleVersion] = field(default_factory=dict)


def short_path(path: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None) -> str:
    """The go command's ``base.ShortPath``: ``path`` relative to ``cwd`` when that is shorter
    and names the same file (or both are missing)."""
    path = os.fspath(path)
    here = os.fspath(cwd) if cwd is not None else os.getcwd()
    if not os.path.isabs(path):
        return path
    rel = os.path.relpath(path, here)
    if len(rel) >= len(path):
        return path
    try:
        same = os.path.samefile(os.path.join(here, rel), path)
    except OSError:
        same = not os.path.exists(os.path.join(here, rel)) and not os.path.exists(path)
    return rel if same else path


def find_workspace(directory: str | os.PathLike[str], env: Mapping[str, str]) -> Path | None:
    """The go.work go would use when run in ``directory`` (``modload.FindGoWork``).

    ``GOWORK=off`` means none; unset, empty or ``auto`` means the nearest ``go.work`` file in
    ``directory`` or a parent (never looking above ``GOROOT``, when ``env`` names it); any
    other value must be an absolute path and is used as is, existing or not.

    >>> find_workspace("/", {"GOWORK": "off"}) is None
    True
    """
    gowork = env.get("GOWORK", "")
    if gowork == "off":
        return None
    if gowork not in ("", "auto"):
        if not os.path.isabs(gowork):
            raise WorkspaceError("invalid GOWORK: not an absolute path")
        return Path(gowork)
    goroot = env.get("GOROOT", "")
    here = os.path.normpath(os.path.abspath(directory))
    while True:
        candidate = os.path.join(here, "go.work")
        if os.path.isfile(candidate):
            return Path(candidate)
        parent = os.path.dirname(here)
        if parent == here:
            return None
        if goroot and parent == goroot:
            # Go does not cross GOROOT: a go.work above it is most likely irrelevant.
            return None
        here = parent


def _too_new(what: str, version: str, running: str, gotoolchain: str) -> str:
    explain = f"; GOTOOLCHAIN={gotoolchain}" if gotoolchain not in ("", "auto") else ""
    return f"{what} requires go >= {version} (running go {running}{explain})"


def load_workfile(
    path: str | os.PathLike[str],
    *,
    running: str,
    gotoolchain: str = "",
    cwd: str | os.PathLike[str] | None = None,
) -> workfile.WorkFile:
    """Read and parse the go.work at ``path`` as ``modload.ReadWorkFile`` does, refusing one
    whose ``go`` line is newer than ``running`` (the go version in use, ``"1.27.3"``).

    ``gotoolchain`` only words that refusal (go adds ``; GOTOOLCHAIN=local``). Raises
    :class:`WorkspaceError` worded as go (``errors parsing go.work:\ngo.work:2: ...``).
    """
    here = os.fspath(cwd) if cwd is not None else os.getcwd()
    full = os.path.join(here, os.fspath(path))
    name = short_path(full, here)
    try:
        with open(full, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        op = "read" if isinstance(exc, IsADirectoryError) else "open"
        reason = (exc.strerror or str(exc)).lower()
        raise WorkspaceError(f"reading go.work: {op} {name}: {reason}") from exc
    from analysis import workfile  # a go.work is rare: its parser is loaded when one is

    try:
        wf = workfile.parse(name, data)
    except ModfileError as exc:
        raise WorkspaceError(f"errors parsing go.work:\n{exc}") from exc
    if wf.go is not None and semver.gover_compare(wf.go.version, running) > 0:
        raise WorkspaceError(_too_new(name, wf.go.version, running, gotoolchain))
    return wf


def use_dirs(
    work: workfile.WorkFile,
    path: str | os.PathLike[str],
    cwd: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """The absolute module roots ``work`` (read from ``path``) uses, in order, as
    ``modload.LoadWorkFile`` computes them: relative ``use`` paths are taken from the
    go.work's directory. Two ``use`` lines naming one directory are go's error.

    Also checks the ``godebug`` lines as go does (keys and values without spaces or commas;
    whether go knows the key is not checked here).
    """
    here = os.fspath(cwd) if cwd is not None else os.getcwd()
    abs_path = os.path.join(here, os.fspath(path))
    work_dir = os.path.dirname(abs_path)
    name = short_path(abs_path, here)
    seen: set[str] = set()
    roots: list[Path] = []
    for u in work.use:
        # Like go, an absolute path is taken as written (not cleaned) when looking for
        # repeats; a module used twice that way is caught by its module path instead.
        root = u.path if os.path.isabs(u.path) else os.path.normpath(os.path.join(work_dir, u.path))
        if root in seen:
            line = u.syntax.start.line if u.syntax is not None else 0
            raise WorkspaceError(
                f"error loading go.work:\n{name}:{line}: path {root} appears multiple times "
                "in workspace"
            )
        seen.add(root)
        roots.append(Path(root))
    for g in work.godebug:
        problem = _godebug_problem(g.key, g.value)
        if problem:
            line = g.syntax.start.line if g.syntax is not None else 0
            raise WorkspaceError(f"error loading go.work:\n{name}:{line}: {problem}")
    return roots


def _godebug_problem(key: str, value: str) -> str:
    for text, what in ((key, "key"), (value, "value")):
        if " " in text or "\t" in text:
            return f"{what} contains space"
    for text, what in ((key, "key"), (value, "value")):
        if "," in text:
            return f"{what} contains comma"
    return ""


def load_workspace(
    path: str | os.PathLike[str],
    *,
    running: str,
    gotoolchain: str = "",
    cwd: str | os.PathLike[str] | None = None,
    work_command: bool = False,
) -> Workspace:
    """Load the workspace at ``path`` as go does before it builds the module graph:
    :func:`load_workfile`, :func:`use_dirs`, then every used module's go.mod, refusing
    (all at once, as go lists them) a directory without a go.mod, a go.mod that does not
    parse, and a module whose go version is newer than the go.work's.

    ``work_command``: load as the ``go work`` commands do (``go work sync``), which fix a
    go.work older than a module rather than refuse it: a module newer than the go.work
    is accepted, and one newer than the go running is go's ``cannot load module``
    error with the go.mod's own ``requires go >=`` message."""
    here = os.fspath(cwd) if cwd is not None else os.getcwd()
    wf = load_workfile(path, running=running, gotoolchain=gotoolchain, cwd=here)
    roots = use_dirs(wf, path, here)
    work_go = wf.go.version if wf.go is not None else "1.18"
    errs: list[str] = []
    modules: list[str] = []
    mod_files: list[modfile.ModFile] = []

    def too_old(root: Path, version: str) -> str:
        verb = "lists" if wf.go is not None else "implicitly requires"
        return (
            f"module {short_path(root, here)} listed in go.work file requires go >= {version}, "
            f"but go.work {verb} go {work_go}; to download and use go {version}:\n\tgo work use"
        )

    def too_new(root: Path, short: str, version: str) -> str:
        if not work_command:
            return too_old(root, version)
        return f"cannot load module {short_path(root, here)} listed in go.work file: " + _too_new(
            short, version, running, gotoolchain
        )

    for root in roots:
        gomod = root / "go.mod"
        short = short_path(gomod, here)
        try:
            data = gomod.read_bytes()
        except OSError as exc:
            op = "read" if isinstance(exc, IsADirectoryError) else "open"
            reason = (exc.strerror or str(exc)).lower()
            errs.append(
                f"cannot load module {short_path(root, here)} listed in go.work file: "
                f"{op} {short}: {reason}"
            )
            continue
        try:
            f = modfile.parse(short, data)
        except ModfileError as exc:
            try:
                lax = modfile.parse_lax(short, data)
            except ModfileError:
                lax = None
            if (
                lax is not None
                and lax.go is not None
                and semver.gover_compare(lax.go.version, running) > 0
            ):
                errs.append(too_new(root, short, lax.go.version))
                continue
            errs.append(
                f"cannot load module {short_path(root, here)} listed in go.work file: "
                f"errors parsing {short}:\n{exc}"
            )
            continue
        mod_go = f.go.version if f.go is not None else "1.16"
        if semver.gover_compare(mod_go, running) > 0:
            errs.append(too_new(root, short, mod_go))
            continue
        if (
            not work_command
            and semver.gover_compare(mod_go, work_go) > 0
            and semver.gover_compare(mod_go, GO_STRICT_VERSION) >= 0
        ):
            errs.append(too_old(root, mod_go))
            continue
        _check_replace_map(f.replace)  # go stops at once here
        modules.append(f.module.mod.path if f.module is not None else "")
        mod_files.append(f)
    if errs:
        raise WorkspaceError(*errs)
    _check_replace_map(wf.replace)
    seen: set[str] = set()
    for m in modules:
        if m in seen:
            errs.append(f"module {m} appears multiple times in workspace")
        seen.add(m)
    for r in wf.replace:
        if r.old.path in seen and r.old.version == "":
            errs.append(
                f"workspace module {r.old.path} is replaced at all versions in the go.work file. "
                "To fix, remove the replacement from the go.work file or specify the version at "
                "which to replace the module."
            )
    try:
        replacements = workspace_replacements(wf, roots, mod_files)
    except WorkspaceError as exc:
        errs.extend(exc.messages)
    if errs:
        raise WorkspaceError(*errs)
    return Workspace(
        Path(os.path.join(here, os.fspath(path))),
        wf,
        tuple(roots),
        tuple(modules),
        tuple(mod_files),
        replacements,
    )


def load_workspace_lax(
    path: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None
) -> Workspace | None:
    """The workspace at ``path`` read without go's checks — as ``go get`` reads it, which
    works on the current module and only looks the workspace up (``modget.loadWorkspace``:
    a go.work or go.mod it cannot read is ignored there). ``None`` when the go.work
    itself cannot be read or parsed; a used module whose go.mod cannot be read gets an
    empty one."""
    here = os.fspath(cwd) if cwd is not None else os.getcwd()
    full = Path(os.path.join(here, os.fspath(path)))
    from analysis import workfile

    try:
        wf = workfile.parse(str(full), full.read_bytes())
        roots = use_dirs(wf, full, here)
    except (OSError, ModfileError, WorkspaceError):
        return None
    modules: list[str] = []
    mod_files: list[modfile.ModFile] = []
    for root in roots:
        try:
            f = modfile.parse_lax(str(root / "go.mod"), (root / "go.mod").read_bytes())
        except (OSError, ModfileError):
            f = modfile.parse_lax(str(root / "go.mod"), b"")
        modules.append(f.module.mod.path if f.module is not None else "")
        mod_files.append(f)
    return Workspace(full, wf, tuple(roots), tuple(modules), tuple(mod_files))


def _check_replace_map(replace: Sequence[modfile.Replace]) -> None:
    """Go's ``toReplaceMap``: one file replacing one module@version two ways is fatal."""
    seen: dict[ModuleVersion, ModuleVersion] = {}
    for r in replace:
        prev = seen.get(r.old)
        if prev is not None and prev != r.new:
            raise WorkspaceError(f"conflicting replacements for {r.old}:\n\t{prev}\n\t{r.new}")
        seen[r.old] = r.new


def workspace_replacements(
    work: workfile.WorkFile,
    roots: Sequence[Path],
    mod_files: Sequence[modfile.ModFile],
) -> dict[ModuleVersion, ModuleVersion]:
    """The replacements in force in a workspace, as ``modload.makeMainModules`` merges them:
    the go.work's replaces, then each used module's go.mod replaces (in ``use`` order) for
    paths the go.work does not replace, local directories made absolute from that module's
    root. Two modules replacing one module@version differently is go's error::

        conflicting replacements for example.com/x@v1.0.0:
        \t/w/a/fork
        \t/w/b/fork
        use "go work edit -replace example.com/x@v1.0.0=[override]" to resolve
    """
    replacements: dict[ModuleVersion, ModuleVersion] = {}
    by_work: set[str] = set()
    for r in work.replace:
        by_work.add(r.old.path)
        replacements[r.old] = r.new
    for root, f in zip(roots, mod_files, strict=True):
        mine: set[ModuleVersion] = set()
        for r in f.replace:
            if r.old.path in by_work:
                continue
            new = r.new
            if new.version == "" and not os.path.isabs(new.path):
                new = ModuleVersion(os.path.normpath(os.path.join(root, new.path)))
            prev = replacements.get(r.old)
            if prev is not None and r.old not in mine and prev != new:
                raise WorkspaceError(
                    f"conflicting replacements for {r.old}:\n\t{prev}\n\t{new}\n"
                    f'use "go work edit -replace {r.old}=[override]" to resolve'
                )
            mine.add(r.old)
            replacements[r.old] = new
    return replacements


def _replacement(
    mod: ModuleVersion, replace: Sequence[modfile.Replace]
) -> tuple[str, ModuleVersion] | None:
    """Go's ``replacement``: the exact ``path version`` key first, then the path-only key
    (the last line wins for a repeated key, as in ``toReplaceMap``); with the version the
    key named."""
    exact = path_only = None
    for r in replace:
        if r.old == mod:
            exact = r.new
        elif r.old == ModuleVersion(mod.path, ""):
            path_only = r.new
    if exact is not None:
        return mod.version, exact
    if path_only is not None:
        return "", path_only
    return None


def workspace_replacement(ws: Workspace, mod: ModuleVersion) -> ModuleVersion | None:
    """What ``mod`` is replaced with in ``ws``, as ``modload.Replacement`` answers: the
    go.work's replaces first; else the used modules' go.mod replaces (the last module in
    ``use`` order that replaces it), a relative directory made relative to the go.work's
    directory (``./b/fork``). A workspace module itself (version ``""``) is never replaced.

    A later module replacing ``mod`` by its exact version, after an earlier one replaced
    it (by any key) with another target, is go's error
    (:class:`~analysis.errors.ReplacementConflict`): ``conflicting replacements found for M
    in workspace modules defined by A/go.mod and B/go.mod``. (Go compares the later key
    with the first key it saw as if that were always path-only, so a later path-only key
    simply wins; we keep that.)
    """
    if mod.version == "" and mod.path in ws.modules:
        return None
    hit = _replacement(mod, ws.file.replace)
    if hit is not None:
        return hit[1]
    found: tuple[ModuleVersion, Path] | None = None
    for root, f in zip(ws.roots, ws.mod_files, strict=True):
        hit = _replacement(mod, f.replace)
        if hit is None:
            continue
        if found is not None and hit[0] != "" and found[0] != hit[1]:
            raise ReplacementConflict(
                f"conflicting replacements found for {mod} in workspace modules defined by "
                f"{found[1] / 'go.mod'} and {root / 'go.mod'}"
            )
        found = (hit[1], root)
    if found is None:
        return None
    new, root = found
    if new.version != "" or os.path.isabs(new.path):
        return new
    rel = os.path.relpath(os.path.join(root, new.path), ws.path.parent)
    from analysis import workfile

    return ModuleVersion(workfile.to_directory_path(rel), "")


def check_flags(mod: str = "", modfile_flag: str = "") -> None:
    """Refuse, as go does in workspace mode, ``-modfile`` and any ``-mod`` other than
    ``readonly`` or ``vendor`` (from the command line or GOFLAGS). ``-modfile`` is refused
    first, as go checks it first."""
    if modfile_flag:
        raise WorkspaceError("-modfile cannot be used in workspace mode")
    if mod and mod not in ("readonly", "vendor"):
        raise WorkspaceError(
            "-mod may only be set to readonly or vendor when in workspace mode, but it is "
            f'set to "{mod}"\n\tRemove the -mod flag to use the default readonly value, '
            "\n\tor set GOWORK=off to disable workspace mode."
        )
