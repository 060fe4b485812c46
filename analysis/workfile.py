"""A lossless go.work reader, editor and formatter that behaves like ``modfile.ParseWork``.

A go.work is read with the go.mod lexer and syntax tree (:mod:`analysis.modfile`) and holds
``go``, ``toolchain``, ``godebug``, ``use`` and ``replace``; the last three may be blocks.

>>> wf = parse("go.work", b"go 1.22\\n\\nuse (\\n\\t./a // the a module\\n)\\n")
>>> [u.path for u in wf.use], wf.go.version if wf.go else None
(['./a'], '1.22')
>>> wf.add_use("./b", "")
>>> wf.format().decode().splitlines()
['go 1.22', '', 'use (', '\\t./a // the a module', '\\t./b', ')']

The editing methods are Go's ``WorkFile`` methods; :func:`edit_flag` turns one of
``go work edit``'s flags into such an edit, refusing bad arguments with go's words, and
:func:`workfile_json` prints what ``go work edit -json`` prints.

Like in Go, edits blank entries instead of removing them: ``go work edit`` then calls
:meth:`WorkFile.sort_blocks` and :meth:`WorkFile.cleanup`. Go's ``Cleanup`` forgets to
drop blanked ``godebug`` entries, so ``-json`` shows them as ``{"Key": "", "Value": ""}``;
we keep that.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cmp_to_key

from analysis import modfile_strconv as gostr
from analysis import modpath
from analysis.errors import GomodxError, ModfileError, ModfileErrorEntry
from analysis.modfile import (
    GO_VERSION_RE,
    TOOLCHAIN_RE,
    CommentBlock,
    FileSyntax,
    Godebug,
    GoStmt,
    JSONValue,
    Line,
    LineBlock,
    Replace,
    Toolchain,
    VersionFixer,
    _Args,
    _compare_line,
    _mark_removed,
    _parse_replace,
    _parse_string,
    _PlainError,
    _StringError,
    _VersionError,
    add_replace,
    auto_quote,
    format_syntax,
    go_stmt,
    godebug_stmt,
    is_directory_path,
    must_quote,
    parse_syntax,
    render_json,
    toolchain_stmt,
)
from analysis.module import ModuleVersion

__all__ = [
    "Use",
    "WorkEdit",
    "WorkFile",
    "edit_flag",
    "parse",
    "to_directory_path",
    "to_json",
    "workfile_json",
]

_BLOCK_VERBS = frozenset(("godebug", "use", "replace"))


@dataclass(eq=False)
class Use:
    """One ``use`` directory as written (``module_path`` is only ever set by edits)."""

    path: str = ""
    module_path: str = ""
    syntax: Line | None = None


@dataclass(eq=False)
class WorkFile:
    """A parsed go.work: typed entries plus the lossless ``syntax`` tree they point into."""

    go: GoStmt | None = None
    toolchain: Toolchain | None = None
    godebug: list[Godebug] = field(default_factory=list)
    use: list[Use] = field(default_factory=list)
    replace: list[Replace] = field(default_factory=list)
    syntax: FileSyntax = field(default_factory=FileSyntax)

    # -- reading ----------------------------------------------------------------------------

    def _add(
        self,
        errs: list[ModfileErrorEntry],
        line: Line,
        verb: str,
        args: _Args,
        fix: VersionFixer | None,
    ) -> None:
        filename = self.syntax.name
        start = line.start

        def err(message: str, verb_: str = "", path: str = "") -> None:
            errs.append(ModfileErrorEntry(filename, start.line, start.col, verb_, path, message))

        try:
            if verb == "go":
                if self.go is not None:
                    return err("repeated go statement")
                self.go = go_stmt(args, line)
            elif verb == "toolchain":
                if self.toolchain is not None:
                    return err("repeated toolchain statement")
                self.toolchain = toolchain_stmt(args, line)
            elif verb == "godebug":
                self.godebug.append(godebug_stmt(args, line))
            elif verb == "use":
                if len(args) != 1:
                    return err("usage: use local/dir")
                self.use.append(Use(_parse_string(args, 0), "", line))
            elif verb == "replace":
                self.replace.append(_parse_replace(verb, line, args, fix))
            else:
                err(f"unknown directive: {verb}")
        except _StringError as exc:
            err(f"invalid quoted string: {exc}")
        except _VersionError as exc:
            err(exc.message, exc.verb, exc.path)
        except _PlainError as exc:
            err(str(exc))
        return None

    # -- editing ----------------------------------------------------------------------------

    def add_go_stmt(self, version: str) -> None:
        """Set the ``go`` version; a new line goes before the first statement that is not a
        comment (so a file's leading comments stay on top)."""
        if not GO_VERSION_RE.match(version):
            raise GomodxError(f"invalid language version {gostr.quote(version)}")
        if self.go is None:
            line = Line(token=["go", version])
            self.go = GoStmt(version, line)
            self.syntax.stmt.insert(self._first_non_comment(), line)
        else:
            self.go.version = version
            if self.go.syntax is not None:
                self.syntax.update_line(self.go.syntax, "go", version)

    def _first_non_comment(self) -> int:
        for i, stmt in enumerate(self.syntax.stmt):
            if not isinstance(stmt, CommentBlock):
                return i
        return len(self.syntax.stmt)

    def add_toolchain_stmt(self, name: str) -> None:
        """Set the ``toolchain``; a new line goes right after a top-level ``go`` line, else
        where :meth:`add_go_stmt` would put one."""
        if not TOOLCHAIN_RE.match(name):
            raise GomodxError(f"invalid toolchain name {gostr.quote(name)}")
        if self.toolchain is None:
            line = Line(token=["toolchain", name])
            self.toolchain = Toolchain(name, line)
            at = next(
                (
                    i + 1
                    for i, stmt in enumerate(self.syntax.stmt)
                    if isinstance(stmt, Line) and stmt.token and stmt.token[0] == "go"
                ),
                None,
            )
            self.syntax.stmt.insert(self._first_non_comment() if at is None else at, line)
        else:
            self.toolchain.name = name
            if self.toolchain.syntax is not None:
                self.syntax.update_line(self.toolchain.syntax, "toolchain", name)

    def drop_go_stmt(self) -> None:
        """Delete the ``go`` line."""
        if self.go is not None:
            _mark_removed(self.go.syntax)
            self.go = None

    def drop_toolchain_stmt(self) -> None:
        """Delete the ``toolchain`` line."""
        if self.toolchain is not None:
            _mark_removed(self.toolchain.syntax)
            self.toolchain = None

    def add_godebug(self, key: str, value: str) -> None:
        """Set the first ``godebug key=...`` to ``value`` and blank the others for ``key``;
        with none, add a line at the end of the last godebug block."""
        need = True
        for g in self.godebug:
            if g.key == key:
                if need:
                    g.value = value
                    if g.syntax is not None:
                        self.syntax.update_line(g.syntax, "godebug", f"{key}={value}")
                    need = False
                else:
                    _mark_removed(g.syntax)
                    g.key, g.value, g.syntax = "", "", None
        if need:
            line = self.syntax.add_line(None, "godebug", f"{key}={value}")
            self.godebug.append(Godebug(key, value, line))

    def drop_godebug(self, key: str) -> None:
        """Delete every ``godebug key=...``."""
        for g in self.godebug:
            if g.key == key:
                _mark_removed(g.syntax)
                g.key, g.value, g.syntax = "", "", None

    def add_use(self, disk_path: str, module_path: str) -> None:
        """Use ``disk_path`` (as written: see :func:`to_directory_path`), keeping one line."""
        need = True
        for u in self.use:
            if u.path == disk_path:
                if need:
                    u.module_path = module_path
                    if u.syntax is not None:
                        self.syntax.update_line(u.syntax, "use", auto_quote(disk_path))
                    need = False
                else:
                    _mark_removed(u.syntax)
                    u.path, u.module_path, u.syntax = "", "", None
        if need:
            self.add_new_use(disk_path, module_path)

    def add_new_use(self, disk_path: str, module_path: str) -> None:
        """Add a ``use`` line at the end of the last use block, even if already present."""
        line = self.syntax.add_line(None, "use", auto_quote(disk_path))
        self.use.append(Use(disk_path, module_path, line))

    def drop_use(self, disk_path: str) -> None:
        """Delete every ``use disk_path`` (compared as written)."""
        for u in self.use:
            if u.path == disk_path:
                _mark_removed(u.syntax)
                u.path, u.module_path, u.syntax = "", "", None

    def add_replace(self, old_path: str, old_version: str, new_path: str, new_version: str) -> None:
        """Replace ``old_path[@old_version]`` by ``new_path[@new_version]`` (as in go.mod)."""
        add_replace(self.syntax, self.replace, old_path, old_version, new_path, new_version)

    def drop_replace(self, old_path: str, old_version: str) -> None:
        """Delete the replacement of exactly ``old_path`` at ``old_version`` (``""``: unversioned)."""
        for r in self.replace:
            if r.old.path == old_path and r.old.version == old_version:
                _mark_removed(r.syntax)
                r.old, r.new, r.syntax = ModuleVersion(""), ModuleVersion(""), None

    def sort_blocks(self) -> None:
        """Drop replaces overridden by a later one for the same old module@version, then sort
        every block's lines by their tokens."""
        kill: set[int] = set()
        seen: set[ModuleVersion] = set()
        for r in reversed(self.replace):
            if r.old in seen:
                kill.add(id(r.syntax))
            else:
                seen.add(r.old)
        self.replace = [r for r in self.replace if id(r.syntax) not in kill]
        kill.discard(id(None))
        stmts = []
        for stmt in self.syntax.stmt:
            if isinstance(stmt, Line) and id(stmt) in kill:
                continue
            if isinstance(stmt, LineBlock):
                stmt.line = [line for line in stmt.line if id(line) not in kill]
                if not stmt.line:
                    continue
            stmts.append(stmt)
        self.syntax.stmt = stmts
        for stmt in self.syntax.stmt:
            if isinstance(stmt, LineBlock):
                stmt.line.sort(key=_line_key)

    def cleanup(self) -> None:
        """Drop blanked ``use`` and ``replace`` entries and their lines (not ``godebug``
        entries: Go keeps those in the typed list)."""
        self.use = [u for u in self.use if u.path != ""]
        self.replace = [r for r in self.replace if r.old.path != ""]
        self.syntax.cleanup()

    # -- output -----------------------------------------------------------------------------

    def format(self) -> bytes:
        """The file in Go's standard layout (``go work edit -fmt``)."""
        return format_syntax(self.syntax)


_line_key = cmp_to_key(_compare_line)


def parse(filename: str, data: bytes | str, fix: VersionFixer | None = None) -> WorkFile:
    """Parse a go.work (Go's ``modfile.ParseWork``); raises :class:`ModfileError` listing
    every error in file order, worded as Go words them."""
    syntax = parse_syntax(filename, data)
    wf = WorkFile(syntax=syntax)
    errs: list[ModfileErrorEntry] = []
    for stmt in syntax.stmt:
        if isinstance(stmt, Line):
            wf._add(errs, stmt, stmt.token[0], _Args(stmt, 1), fix)
        elif isinstance(stmt, LineBlock):
            if len(stmt.token) > 1 or stmt.token[0] not in _BLOCK_VERBS:
                errs.append(
                    ModfileErrorEntry(
                        filename,
                        stmt.start.line,
                        stmt.start.col,
                        "",
                        "",
                        "unknown block type: " + " ".join(stmt.token),
                    )
                )
                continue
            for line in stmt.line:
                wf._add(errs, line, stmt.token[0], _Args(line, 0), fix)
    if errs:
        raise ModfileError(errs)
    return wf


# ---------------------------------------------------------------------------------------------
# go work edit


def to_directory_path(path: str) -> str:
    """Go's ``modload.ToDirectoryPath``: ``path`` made unmistakably a directory (``a/b/`` →
    ``./a/b``); rooted paths and paths starting with ``.`` or ``..`` are kept as given."""
    if is_directory_path(path):
        return path
    return "./" + posixpath.normpath(path.replace(os.sep, "/"))


WorkEdit = Callable[[WorkFile], None]
"""One edit from :func:`edit_flag`, applied to a :class:`WorkFile` in place."""


def _parse_path_version_optional(adj: str, arg: str, allow_dir: bool) -> tuple[str, str]:
    path, at, version = arg.partition("@")
    if at:
        if version[:1] in ("-", "/"):
            raise GomodxError(f"invalid module version {gostr.quote(version)}")
        path, version = gostr.trim_space(path), gostr.trim_space(version)
    else:
        path = arg
    try:
        modpath.check_import_path(path)
    except GomodxError as exc:
        if not allow_dir or not is_directory_path(path):
            raise GomodxError(f"invalid {adj} path: {exc}") from None
    if path != arg and must_quote(version):
        raise GomodxError(f"invalid {adj} version: {gostr.quote(version)}")
    return path, version


def edit_flag(name: str, arg: str) -> WorkEdit:
    """The edit ``go work edit -NAME=ARG`` makes, for ``godebug``, ``dropgodebug``, ``use``,
    ``dropuse``, ``replace`` and ``dropreplace`` (``go`` and ``toolchain`` are the methods
    :meth:`WorkFile.add_go_stmt` and so on).

    Raises :class:`GomodxError` with go's message (``go: -replace=...: ...``) for an argument
    go refuses while reading its flags.

    ``-use`` does not look at the directory: go reads its go.mod only to throw the module
    path away again.
    """

    def fail(message: str) -> GomodxError:
        return GomodxError(f"go: -{name}={arg}: {message}")

    if name == "godebug":
        key, eq, value = arg.partition("=")
        if not eq or any(q in arg for q in "\"`',"):
            raise fail("need key=value")
        return lambda wf: wf.add_godebug(key, value)
    if name == "dropgodebug":
        return lambda wf: wf.drop_godebug(arg)
    if name == "use":
        return lambda wf: wf.add_use(to_directory_path(arg), "")
    if name == "dropuse":
        return lambda wf: wf.drop_use(to_directory_path(arg))
    if name == "replace":
        before, eq, after = arg.partition("=")
        if not eq:
            raise fail("need old[@v]=new[@w] (missing =)")
        old, new = gostr.trim_space(before), gostr.trim_space(after)
        if new.startswith(">"):
            raise fail("separator between old and new is =, not =>")
        try:
            old_path, old_version = _parse_path_version_optional("old", old, False)
            new_path, new_version = _parse_path_version_optional("new", new, True)
        except GomodxError as exc:
            raise fail(str(exc)) from None
        if new_path == new and not is_directory_path(new):
            raise fail("unversioned new path must be local directory")
        return lambda wf: wf.add_replace(old_path, old_version, new_path, new_version)
    if name == "dropreplace":
        try:
            path, version = _parse_path_version_optional("old", arg, True)
        except GomodxError as exc:
            raise fail(str(exc)) from None
        return lambda wf: wf.drop_replace(path, version)
    raise ValueError(f"go work edit has no editing flag -{name}")


def to_json(wf: WorkFile) -> dict[str, JSONValue]:
    """The object ``go work edit -json`` prints for ``wf`` as it stands (go runs
    :meth:`WorkFile.sort_blocks` and :meth:`WorkFile.cleanup` first)."""
    out: dict[str, JSONValue] = {}
    if wf.go is not None and wf.go.version:
        out["Go"] = wf.go.version
    if wf.toolchain is not None and wf.toolchain.name:
        out["Toolchain"] = wf.toolchain.name
    godebug: list[JSONValue] = [{"Key": g.key, "Value": g.value} for g in wf.godebug]
    if godebug:
        out["Godebug"] = godebug
    use: list[JSONValue] = []
    for u in wf.use:
        item: dict[str, JSONValue] = {"DiskPath": u.path}
        if u.module_path:
            item["ModPath"] = u.module_path
        use.append(item)
    if use:
        out["Use"] = use
    replace: list[JSONValue] = [
        {"Old": _mv_json(r.old), "New": _mv_json(r.new)} for r in wf.replace
    ]
    if replace:
        out["Replace"] = replace
    return out


def _mv_json(m: ModuleVersion) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {"Path": m.path}
    if m.version:
        out["Version"] = m.version
    return out


def workfile_json(wf: WorkFile) -> str:
    """Exactly the text ``go work edit -json`` prints for ``wf`` (ends with a newline)."""
    return render_json(to_json(wf))
