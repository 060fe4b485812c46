"""A lossless go.mod reader, editor and formatter that behaves like ``golang.org/x/mod/modfile``.

Three layers, as in Go:

* the **syntax tree** (:class:`FileSyntax` of :class:`Line`, :class:`LineBlock` and
  :class:`CommentBlock`, each carrying its comments) produced by :func:`parse_syntax`, which
  keeps every comment and blank line a go.mod can hold;
* the **typed file** (:class:`ModFile`) produced by :func:`parse` (main module, strict) or
  :func:`parse_lax` (a dependency's go.mod), whose entries point back at their syntax lines;
* the **editing API** on :class:`ModFile` (``add_require``, ``drop_replace``, ``sort_blocks``,
  ``cleanup``, ...), which rewrites the tree the way Go does so that :meth:`ModFile.format`
  keeps the user's comments and layout.

>>> f = parse("go.mod", b"module example.com/m\\n\\ngo 1.22\\n\\nrequire example.com/x v1.2.3\\n")
>>> f.module.mod.path, f.go.version, f.require[0].mod.version
('example.com/m', '1.22', 'v1.2.3')
>>> f.add_require("example.com/y", "v0.1.0")
>>> f.format().decode().splitlines()[4:]
['require (', '\\texample.com/x v1.2.3', '\\texample.com/y v0.1.0', ')']

Errors are :class:`~analysis.errors.ModfileError` holding every error Go would report, each
printed as Go prints it (``go.mod:3:2: require example.com/x: version "v2.0.0" invalid: ...``).

Text is handled as ``str`` decoded with ``surrogateescape`` (see
:mod:`analysis.modfile_strconv`), so bytes that are not UTF-8 survive a round trip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cmp_to_key
from typing import TypeAlias

from analysis import modfile_strconv as gostr
from analysis import modpath, semver
from analysis.errors import (
    GomodxError,
    InvalidVersionError,
    ModfileError,
    ModfileErrorEntry,
    ModuleVersionError,
    Position,
)
from analysis.module import ModuleVersion

__all__ = [
    "GO_VERSION_RE",
    "TOOLCHAIN_RE",
    "Comment",
    "CommentBlock",
    "Comments",
    "Exclude",
    "Expr",
    "FileSyntax",
    "GoStmt",
    "Godebug",
    "Ignore",
    "LParen",
    "Line",
    "LineBlock",
    "ModFile",
    "Module",
    "RParen",
    "Replace",
    "Require",
    "Retract",
    "Tool",
    "Toolchain",
    "VersionFixer",
    "VersionInterval",
    "add_replace",
    "auto_quote",
    "fix_version",
    "format_syntax",
    "is_directory_path",
    "iter_lines",
    "modfile_json",
    "module_path",
    "must_quote",
    "parse",
    "parse_lax",
    "parse_syntax",
    "render_json",
    "to_json",
]

VersionFixer: TypeAlias = Callable[[str, str], str]
"""``fix(path, version) -> version``; raise a :class:`GomodxError` or ``ValueError`` to refuse
(a :class:`~analysis.errors.ModuleVersionError` is reported under the directive and path)."""


def fix_version(path: str, version: str) -> str:
    """The fixer the go command reads the main module's go.mod with (``modload.fixVersion``),
    without its network lookups.

    A canonical version must suit the major version of the path it is for — also in
    ``retract``, where the path is the module's own, so ``retract v3.0.1`` in a v1 module
    is ``go.mod:5: retract example.com/m: version "v3.0.1" invalid: should be v0 or v1,
    not v3`` (``go mod edit``, which reads without a fixer, accepts it). go resolves any
    other version with a query (``v1.2`` is the newest v1.2.x, ``master`` a branch);
    gomodx canonicalises it as a parse without a fixer does.

    >>> fix_version("example.com/m/v3", "v3.0.1")
    'v3.0.1'
    >>> fix_version("example.com/m", "v3.0.1")
    Traceback (most recent call last):
    ...
    analysis.errors.ModuleVersionError: example.com/m@v3.0.1: invalid version: should be v0 or v1, not v3
    """
    if path.startswith("gopkg.in/") and "-gopkgin-" in version:
        # The old -gopkgin- hack, removed as go removes it.
        version = version[version.index("-gopkgin-") + len("-gopkgin-") :]
    _prefix, path_major, ok = modpath.split_path_version(path)
    if not ok:
        reason = f"malformed module path {gostr.quote(path)}"
        raise ModuleVersionError(path, version, InvalidVersionError(version, reason))
    if version and semver.canonical_version(version) == version:
        try:
            modpath.check_path_major(version, path_major)
        except InvalidVersionError as exc:
            raise ModuleVersionError(path, version, exc) from None
        return version
    canonical = semver.canonical_version(version)
    if not canonical:
        raise ModuleVersionError(
            path, version, InvalidVersionError(version, "must be of the form v1.2.3")
        )
    return canonical


# ---------------------------------------------------------------------------------------------
# Syntax tree

_NO_POS = Position()
_NO_MOD = ModuleVersion("")


def _pos_add(p: Position, s: str) -> Position:
    """The position just after ``s`` when ``s`` starts at ``p``."""
    n = s.count("\n")
    line, col = p.line, p.col
    if n:
        line += n
        s_tail = s[s.rfind("\n") + 1 :]
        col = 1
    else:
        s_tail = s
    return Position(line, col + len(s_tail), p.byte + len(gostr.encode(s)))


@dataclass(frozen=True)
class Comment:
    """One ``//`` comment; a blank line inside a block is kept as ``Comment()`` (empty token)."""

    start: Position = _NO_POS
    token: str = ""
    suffix: bool = False


@dataclass(eq=False)
class Comments:
    """The comments attached to a syntax node (``after`` is used only at top level)."""

    before: list[Comment] = field(default_factory=list)
    suffix: list[Comment] = field(default_factory=list)
    after: list[Comment] = field(default_factory=list)


@dataclass(eq=False)
class CommentBlock(Comments):
    """A run of top-level comments not attached to a statement."""

    start: Position = _NO_POS

    def span(self) -> tuple[Position, Position]:
        return self.start, self.start


@dataclass(eq=False)
class Line(Comments):
    """A statement or a line inside a block; ``token`` excludes the verb when ``in_block``.

    An empty ``token`` list marks a line deleted by an edit; :meth:`ModFile.cleanup` drops it.
    """

    start: Position = _NO_POS
    token: list[str] = field(default_factory=list)
    in_block: bool = False
    end: Position = _NO_POS

    def span(self) -> tuple[Position, Position]:
        return self.start, self.end


@dataclass(eq=False)
class LParen(Comments):
    """The ``(`` opening a block; holds the block's first-line suffix comment."""

    pos: Position = _NO_POS

    def span(self) -> tuple[Position, Position]:
        return self.pos, _pos_add(self.pos, ")")


@dataclass(eq=False)
class RParen(Comments):
    """The ``)`` closing a block; holds the comments written just before it."""

    pos: Position = _NO_POS

    def span(self) -> tuple[Position, Position]:
        return self.pos, _pos_add(self.pos, ")")


@dataclass(eq=False)
class LineBlock(Comments):
    """A factored block such as ``require ( ... )``."""

    start: Position = _NO_POS
    lparen: LParen = field(default_factory=LParen)
    token: list[str] = field(default_factory=list)
    line: list[Line] = field(default_factory=list)
    rparen: RParen = field(default_factory=RParen)

    def span(self) -> tuple[Position, Position]:
        return self.start, _pos_add(self.rparen.pos, ")")


Expr: TypeAlias = CommentBlock | Line | LineBlock
"""A top-level statement."""


@dataclass(eq=False)
class FileSyntax(Comments):
    """A whole go.mod file as written: statements in order, with their comments."""

    name: str = ""
    stmt: list[Expr] = field(default_factory=list)

    def add_line(self, hint: Expr | Line | None, *tokens: str) -> Line:
        """Add a line of ``tokens`` (verb first) next to ``hint`` the way Go's ``addLine`` does.

        With no hint the line joins the last statement with the same verb (turning a single
        line into a block), or goes at the end of the file.
        """
        verb = tokens[0]
        if hint is None:
            for stmt in reversed(self.stmt):
                if isinstance(stmt, Line) and stmt.token and stmt.token[0] == verb:
                    hint = stmt
                    break
                if isinstance(stmt, LineBlock) and stmt.token[0] == verb:
                    hint = stmt
                    break

        def new_line_after(i: int) -> Line:
            new = Line(token=list(tokens))
            self.stmt.insert(i + 1, new)
            return new

        if hint is not None:
            for i, stmt in enumerate(self.stmt):
                if isinstance(stmt, Line):
                    if stmt is hint:
                        if not stmt.token or stmt.token[0] != verb:
                            return new_line_after(i)
                        # Turn the single line into a block holding it and the new line.
                        stmt.in_block = True
                        block = LineBlock(token=stmt.token[:1], line=[stmt])
                        stmt.token = stmt.token[1:]
                        self.stmt[i] = block
                        new = Line(token=list(tokens[1:]), in_block=True)
                        block.line.append(new)
                        return new
                elif isinstance(stmt, LineBlock):
                    if stmt is hint:
                        if stmt.token[0] != verb:
                            return new_line_after(i)
                        new = Line(token=list(tokens[1:]), in_block=True)
                        stmt.line.append(new)
                        return new
                    for j, line in enumerate(stmt.line):
                        if line is hint:
                            if stmt.token[0] != verb:
                                return new_line_after(i)
                            new = Line(token=list(tokens[1:]), in_block=True)
                            stmt.line.insert(j + 1, new)
                            return new

        new = Line(token=list(tokens))
        self.stmt.append(new)
        return new

    def update_line(self, line: Line, *tokens: str) -> None:
        """Replace ``line``'s tokens (``tokens`` starts with the verb)."""
        line.token = list(tokens[1:] if line.in_block else tokens)

    def cleanup(self) -> None:
        """Drop deleted lines and empty blocks; a block left with one line becomes that line."""
        out: list[Expr] = []
        for stmt in self.stmt:
            if isinstance(stmt, Line):
                if not stmt.token:
                    continue
            elif isinstance(stmt, LineBlock):
                live = [line for line in stmt.line if line.token]
                if not live:
                    continue
                if len(live) == 1 and not stmt.rparen.before:
                    # Collapse, reusing the Line object the typed entries point at.
                    only = live[0]
                    only.before = stmt.before + only.before
                    only.suffix = only.suffix + stmt.suffix
                    only.after = only.after + stmt.after
                    only.token = stmt.token + only.token
                    only.in_block = False
                    only.start = Position()
                    only.end = Position()
                    out.append(only)
                    continue
                stmt.line = live
            out.append(stmt)
        self.stmt = out


def _mark_removed(line: Line | None) -> None:
    if line is not None:
        line.token = []
        line.suffix = []


# ---------------------------------------------------------------------------------------------
# Lexer and parser

_EOF = "EOF"
_EOLCOMMENT = "EOLCOMMENT"
_IDENT = "IDENT"
_STRING = "STRING"
_COMMENT = "COMMENT"
_PUNCT = frozenset("\n()[]{},")
_EOL_KINDS = frozenset((_EOF, _EOLCOMMENT, "\n"))
_NOT_IDENT_ASCII = frozenset(" ()[]{},")


def _is_ident(ch: str) -> bool:
    if ch < "\x7f":
        return ch > " " and ch not in _NOT_IDENT_ASCII
    return not gostr.is_space(ch) and gostr.is_print(ch)


@dataclass
class _Token:
    kind: str = _EOF
    pos: Position = _NO_POS
    end_pos: Position = _NO_POS
    text: str = ""


class _SyntaxFailure(Exception):
    def __init__(self, entry: ModfileErrorEntry) -> None:
        super().__init__(str(entry))
        self.entry = entry


class _Input:
    """Go's ``modfile`` scanner and recursive-descent parser over one file."""

    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self.n = len(text)
        self.i = 0
        self.line = 1
        self.col = 1
        self.byte = 0
        self.tok_start = 0
        self.token = _Token()
        self.comments: list[Comment] = []
        self.file = FileSyntax(name=filename)

    # -- lexer ------------------------------------------------------------------------------

    def pos(self) -> Position:
        return Position(self.line, self.col, self.byte)

    def error(self, message: str, pos: Position | None = None) -> None:
        p = pos if pos is not None else self.pos()
        raise _SyntaxFailure(ModfileErrorEntry(self.filename, p.line, p.col, "", "", message))

    def read_rune(self) -> str:
        ch = self.text[self.i]
        self.i += 1
        self.byte += gostr.byte_len(ch)
        if ch == "\n":
            self.line += 1
            self.col = 1
        else:
            self.col += 1
        return ch

    def advance_to(self, j: int) -> None:
        """Consume ``text[i:j]``, which must contain no newline."""
        seg = self.text[self.i : j]
        self.i = j
        self.col += len(seg)
        self.byte += len(gostr.encode(seg)) if not seg.isascii() else len(seg)

    def start_token(self) -> None:
        self.tok_start = self.i
        self.token = _Token(pos=self.pos())

    def end_token(self, kind: str) -> None:
        text = self.text[self.tok_start : self.i]
        if kind in (_COMMENT, _EOLCOMMENT):
            if text.endswith("\r\n"):
                text = text[:-2]
            elif text.endswith("\n"):
                text = text[:-1]
        self.token.kind = kind
        self.token.text = text
        self.token.end_pos = self.pos()

    def peek(self) -> str:
        return self.token.kind

    def lex(self) -> _Token:
        tok = self.token
        self.read_token()
        return tok

    def read_token(self) -> None:
        text = self.text
        while self.i < self.n:
            c = text[self.i]
            if c == " " or c == "\t" or c == "\r":
                self.read_rune()
                continue
            if text.startswith("//", self.i):
                self.start_token()
                # A comment is a whole-line comment when only spaces precede it on its line.
                line_start = text.rfind("\n", 0, self.i) + 1
                suffix = gostr.trim_space(text[line_start : self.i]) != ""
                nl = text.find("\n", self.i)
                if nl < 0:
                    self.advance_to(self.n)
                else:
                    self.advance_to(nl)
                    self.read_rune()
                if not suffix:
                    self.end_token(_COMMENT)
                    return
                self.end_token(_EOLCOMMENT)
                self.comments.append(Comment(self.token.pos, self.token.text, True))
                return
            if text.startswith("/*", self.i):
                self.error("mod files must use // comments (not /* */ comments)")
            break

        self.start_token()
        if self.i >= self.n:
            self.end_token(_EOF)
            return

        c = text[self.i]
        if c in _PUNCT:
            self.read_rune()
            self.end_token(c)
            return
        if c == '"' or c == "`":
            quote = c
            self.read_rune()
            while True:
                if self.i >= self.n:
                    self.error("unexpected EOF in string", self.token.pos)
                if text[self.i] == "\n":
                    self.error("unexpected newline in string")
                ch = self.read_rune()
                if ch == quote:
                    break
                if ch == "\\" and quote != "`":
                    if self.i >= self.n:
                        self.error("unexpected EOF in string", self.token.pos)
                    self.read_rune()
            self.end_token(_STRING)
            return

        if not _is_ident(c):
            self.error(f"unexpected input character {gostr.quote_rune(c)}")
        j = self.i
        while j < self.n and _is_ident(text[j]):
            if text[j] == "/" and j + 1 < self.n:
                nxt = text[j + 1]
                if nxt == "/":
                    break
                if nxt == "*":
                    self.advance_to(j)
                    self.error("mod files must use // comments (not /* */ comments)")
            j += 1
        self.advance_to(j)
        self.end_token(_IDENT)

    # -- parser -----------------------------------------------------------------------------

    def parse_file(self) -> None:
        cb: CommentBlock | None = None
        while True:
            kind = self.peek()
            if kind == "\n":
                self.lex()
                if cb is not None:
                    self.file.stmt.append(cb)
                    cb = None
            elif kind == _COMMENT:
                tok = self.lex()
                if cb is None:
                    cb = CommentBlock(start=tok.pos)
                cb.before.append(Comment(tok.pos, tok.text))
            elif kind == _EOF:
                if cb is not None:
                    self.file.stmt.append(cb)
                return
            else:
                self.parse_stmt()
                if cb is not None:
                    self.file.stmt[-1].before = cb.before
                    cb = None

    def parse_stmt(self) -> None:
        tok = self.lex()
        start = tok.pos
        end = tok.end_pos
        tokens = [tok.text]
        while True:
            tok = self.lex()
            if tok.kind in _EOL_KINDS:
                self.file.stmt.append(Line(start=start, token=tokens, end=end))
                return
            if tok.kind == "(":
                nxt = self.peek()
                if nxt in _EOL_KINDS:
                    self.file.stmt.append(self.parse_line_block(start, tokens, tok))
                    return
                if nxt == ")":
                    rparen = self.lex()
                    if self.peek() in _EOL_KINDS:
                        self.lex()
                        self.file.stmt.append(
                            LineBlock(
                                start=start,
                                token=tokens,
                                lparen=LParen(pos=tok.pos),
                                rparen=RParen(pos=rparen.pos),
                            )
                        )
                        return
                    tokens.extend((tok.text, rparen.text))
                else:
                    tokens.append(tok.text)
            else:
                tokens.append(tok.text)
                end = tok.end_pos

    def parse_line_block(self, start: Position, tokens: list[str], lparen: _Token) -> LineBlock:
        block = LineBlock(start=start, token=tokens, lparen=LParen(pos=lparen.pos))
        comments: list[Comment] = []
        while True:
            kind = self.peek()
            if kind == _EOLCOMMENT:
                self.lex()  # attached later by assign_comments
            elif kind == "\n":
                self.lex()
                # Keep a blank line as an empty comment, but not right after "(" and
                # never two in a row.
                if (not comments and block.line) or (comments and comments[-1].token != ""):
                    comments.append(Comment())
            elif kind == _COMMENT:
                tok = self.lex()
                comments.append(Comment(tok.pos, tok.text))
            elif kind == _EOF:
                self.error(
                    f"syntax error (unterminated block started at "
                    f"{self.filename}:{block.start.line}:{block.start.col})"
                )
            elif kind == ")":
                rparen = self.lex()
                # A lone blank line before ")" is not kept.
                if len(comments) == 1 and comments[0] == Comment():
                    comments = []
                block.rparen.before = comments
                block.rparen.pos = rparen.pos
                if self.peek() not in _EOL_KINDS:
                    self.error("syntax error (expected newline after closing paren)")
                self.lex()
                return block
            else:
                line = self.parse_line()
                block.line.append(line)
                line.before = comments
                comments = []

    def parse_line(self) -> Line:
        tok = self.lex()
        start = tok.pos
        end = tok.end_pos
        tokens = [tok.text]
        while True:
            tok = self.lex()
            if tok.kind in _EOL_KINDS:
                return Line(start=start, token=tokens, end=end, in_block=True)
            tokens.append(tok.text)
            end = tok.end_pos

    # -- comment attachment -----------------------------------------------------------------

    def assign_comments(self) -> None:
        # Whole-line comments were placed by the parser itself (the scanner only queues
        # end-of-line comments), so only suffix comments are left to attach: each goes to
        # the node that ends just before it on the same line.
        post: list[CommentBlock | Line | LineBlock | LParen | RParen] = []
        for stmt in self.file.stmt:
            if isinstance(stmt, LineBlock):
                post.append(stmt.lparen)
                post.extend(stmt.line)
                post.append(stmt.rparen)
            post.append(stmt)

        suffix = list(self.comments)
        for node in reversed(post):
            start, end = node.span()
            if start.line != end.line:
                continue
            while suffix and end.byte <= suffix[-1].start.byte:
                node.suffix.append(suffix.pop())
        for node in post:
            node.suffix.reverse()
        self.file.before.extend(suffix)


def _as_text(data: bytes | str) -> str:
    return gostr.decode(data) if isinstance(data, bytes | bytearray) else data


def parse_syntax(filename: str, data: bytes | str) -> FileSyntax:
    """Parse go.mod text into its syntax tree only (Go's unexported ``parse``).

    Raises :class:`ModfileError` with the first lexical or structural error.
    """
    inp = _Input(filename, _as_text(data))
    try:
        inp.read_token()
        inp.parse_file()
    except _SyntaxFailure as exc:
        raise ModfileError([exc.entry]) from None
    inp.assign_comments()
    return inp.file


# ---------------------------------------------------------------------------------------------
# Printer


class _Printer:
    """Go's ``modfile`` printer: a text buffer that knows the current margin."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.comment: list[Comment] = []
        self.margin = 0

    def write(self, s: str) -> None:
        if s:
            self.parts.append(s)

    def trim(self) -> None:
        parts = self.parts
        while parts:
            last = parts[-1]
            stripped = last.rstrip(" \t")
            if stripped is last or len(stripped) == len(last):
                return
            if stripped:
                parts[-1] = stripped
                return
            parts.pop()

    def tail(self, n: int) -> str:
        """The last ``n`` characters written (fewer at the start of the buffer)."""
        out = ""
        for part in reversed(self.parts):
            out = part + out
            if len(out) >= n:
                return out[-n:]
        return out

    def indent(self) -> int:
        n = 0
        for part in reversed(self.parts):
            k = part.rfind("\n")
            if k >= 0:
                return n + len(part) - k - 1
            n += len(part)
        return n

    def newline(self) -> None:
        if self.comment:
            self.write(" ")
            for i, com in enumerate(self.comment):
                if i > 0:
                    self.trim()
                    self.write("\n")
                    self.write("\t" * self.margin)
                self.write(gostr.trim_space(com.token))
            self.comment = []
        self.trim()
        if self.parts and self.tail(2) != "\n\n":
            self.write("\n")
        self.write("\t" * self.margin)

    def file(self, f: FileSyntax) -> None:
        for com in f.before:
            self.write(gostr.trim_space(com.token))
            self.newline()
        for i, stmt in enumerate(f.stmt):
            self.expr(stmt)
            if not isinstance(stmt, CommentBlock):
                self.newline()
            for com in stmt.after:
                self.write(gostr.trim_space(com.token))
                self.newline()
            if i + 1 < len(f.stmt):
                self.newline()

    def expr(self, x: CommentBlock | Line | LineBlock | LParen | RParen) -> None:
        if x.before:
            self.trim()
            if self.indent() > 0:
                self.write("\n")
            self.write("\t" * self.margin)
            for com in x.before:
                self.write(gostr.trim_space(com.token))
                self.newline()
        if isinstance(x, LParen):
            self.write("(")
        elif isinstance(x, RParen):
            self.write(")")
        elif isinstance(x, Line):
            self.tokens(x.token)
        elif isinstance(x, LineBlock):
            self.tokens(x.token)
            self.write(" ")
            self.expr(x.lparen)
            self.margin += 1
            for line in x.line:
                self.newline()
                self.expr(line)
            self.margin -= 1
            self.newline()
            self.expr(x.rparen)
        self.comment.extend(x.suffix)

    def tokens(self, tokens: Sequence[str]) -> None:
        sep = ""
        for t in tokens:
            if t in (",", ")", "]", "}"):
                sep = ""
            self.write(sep + t)
            sep = ""
            if t not in ("(", "[", "{"):
                sep = " "

    def text(self) -> str:
        out = "".join(self.parts)
        # Remove trailing blank lines, keeping the final newline.
        while out.endswith("\n") and (len(out) == 1 or out[-2] == "\n"):
            out = out[:-1]
        return out


def format_syntax(syntax: FileSyntax) -> bytes:
    """Go's ``modfile.Format``: the file in standard layout."""
    pr = _Printer()
    pr.file(syntax)
    return gostr.encode(pr.text())


# ---------------------------------------------------------------------------------------------
# Typed file


@dataclass(eq=False)
class Module:
    """The ``module`` statement."""

    mod: ModuleVersion = _NO_MOD
    deprecated: str = ""
    syntax: Line | None = None


@dataclass(eq=False)
class GoStmt:
    """The ``go`` statement."""

    version: str = ""
    syntax: Line | None = None


@dataclass(eq=False)
class Toolchain:
    """The ``toolchain`` statement."""

    name: str = ""
    syntax: Line | None = None


@dataclass(eq=False)
class Godebug:
    """One ``godebug key=value``."""

    key: str = ""
    value: str = ""
    syntax: Line | None = None


@dataclass(eq=False)
class Require:
    """One requirement; ``indirect`` mirrors its ``// indirect`` comment."""

    mod: ModuleVersion = _NO_MOD
    indirect: bool = False
    syntax: Line | None = None

    def set_version(self, version: str) -> None:
        """Change the version in place (also dropping a lone blank line before it)."""
        self.mod = ModuleVersion(self.mod.path, version)
        line = self.syntax
        if line is None or not line.token:
            return
        if line.in_block:
            if len(line.before) == 1 and line.before[0].token == "":
                line.before = []
            if len(line.token) >= 2:
                line.token[1] = version
        elif len(line.token) >= 3:
            line.token[2] = version

    def set_indirect(self, indirect: bool) -> None:
        """Add or remove the ``// indirect`` marking, keeping any other comment text."""
        self.indirect = indirect
        line = self.syntax
        if line is None or _is_indirect(line) == indirect:
            return
        if indirect:
            if not line.suffix:
                line.suffix = [Comment(token="// indirect", suffix=True)]
                return
            com = line.suffix[0]
            text = gostr.trim_space(com.token.removeprefix("//"))
            new = "// indirect" if text == "" else "// indirect; " + text
            line.suffix = [Comment(com.start, new, com.suffix), *line.suffix[1:]]
            return
        com = line.suffix[0]
        if gostr.trim_space(com.token.removeprefix("//")) == "indirect":
            line.suffix = []
            return
        k = com.token.find("indirect;")
        line.suffix = [
            Comment(com.start, "//" + com.token[k + len("indirect;") :], com.suffix),
            *line.suffix[1:],
        ]


@dataclass(eq=False)
class Exclude:
    """One ``exclude``."""

    mod: ModuleVersion = _NO_MOD
    syntax: Line | None = None


@dataclass(eq=False)
class Replace:
    """One ``replace``; ``old.version`` is ``""`` when it covers every version and
    ``new.version`` is ``""`` when the target is a directory."""

    old: ModuleVersion = _NO_MOD
    new: ModuleVersion = _NO_MOD
    syntax: Line | None = None


@dataclass(frozen=True)
class VersionInterval:
    """A closed interval of versions; a single version has ``low == high``."""

    low: str = ""
    high: str = ""


@dataclass(eq=False)
class Retract:
    """One ``retract`` with its rationale (the text of its comments)."""

    low: str = ""
    high: str = ""
    rationale: str = ""
    syntax: Line | None = None

    @property
    def interval(self) -> VersionInterval:
        return VersionInterval(self.low, self.high)


@dataclass(eq=False)
class Tool:
    """One ``tool``."""

    path: str = ""
    syntax: Line | None = None


@dataclass(eq=False)
class Ignore:
    """One ``ignore``."""

    path: str = ""
    syntax: Line | None = None


GO_VERSION_RE = re.compile(r"([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?\Z")
"""Go's ``modfile.GoVersionRE`` (use with ``match``)."""
_LAX_GO_VERSION_RE = re.compile(r"v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)\Z", re.S)
TOOLCHAIN_RE = re.compile(r"default\Z|go1(\Z|\.)")
"""Go's ``modfile.ToolchainRE`` (use with ``match``)."""
_DEPRECATED_RE = re.compile(r"(?s)(?:^|\n\n)Deprecated: *(.*?)(?:\Z|\n\n)")

_BLOCK_VERBS = frozenset(
    ("module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore")
)
_LAX_VERBS = frozenset(("go", "module", "retract", "require", "ignore"))


is_directory_path = modpath.is_directory_path


def must_quote(s: str) -> bool:
    """Go's ``modfile.MustQuote``: whether ``s`` needs quotes to be one go.mod token."""
    for ch in s:
        if ch in " \"'`":
            return True
        if ch in "()[]{},":
            if len(s) > 1:
                return True
        elif not gostr.is_print(ch):
            return True
    return s == "" or "//" in s or "/*" in s


def auto_quote(s: str) -> str:
    """``s``, or its Go quotation when it must be quoted."""
    return gostr.quote(s) if must_quote(s) else s


def _is_indirect(line: Line) -> bool:
    if not line.suffix:
        return False
    f = gostr.fields(line.suffix[0].token.removeprefix("//"))
    return (len(f) == 1 and f[0] == "indirect") or (len(f) > 1 and f[0] == "indirect;")


def _directive_comment(block: LineBlock | None, line: Line) -> str:
    """The text of a directive's comments (its block's, when the line has none)."""
    before, suffix = line.before, line.suffix
    if block is not None and not before and not suffix:
        before, suffix = block.before, block.suffix
    lines = [
        gostr.trim_space(c.token.removeprefix("//"))
        for c in (*before, *suffix)
        if c.token.startswith("//")
    ]
    return "\n".join(lines)


def _deprecation(block: LineBlock | None, line: Line) -> str:
    m = _DEPRECATED_RE.search(_directive_comment(block, line))
    return m.group(1) if m else ""


class _Args:
    """A directive's arguments as a writable view onto its line's tokens (Go's ``args`` slice)."""

    def __init__(self, line: Line, base: int) -> None:
        self.line = line
        self.base = base

    def __len__(self) -> int:
        return len(self.line.token) - self.base

    def __getitem__(self, i: int) -> str:
        return self.line.token[self.base + i]

    def __setitem__(self, i: int, value: str) -> None:
        self.line.token[self.base + i] = value

    def sub(self, k: int) -> _Args:
        return _Args(self.line, self.base + k)


class _StringError(Exception):
    pass


class _VersionError(Exception):
    """A version problem reported as ``VERB PATH: message`` (Go's position-less inner Error)."""

    def __init__(self, verb: str, path: str, message: str) -> None:
        super().__init__(message)
        self.verb = verb
        self.path = path
        self.message = message


class _PlainError(Exception):
    pass


# The directives go.mod and go.work share (modfile's parseToolchain and friends).


def go_stmt(args: _Args, line: Line, strict: bool = True) -> GoStmt:
    """A ``go`` line; a lax read (a dependency's go.mod) accepts ``1.21rc1``-style
    versions as their ``1.21`` prefix, as go does."""
    if len(args) != 1:
        raise _PlainError("go directive expects exactly one argument")
    if not GO_VERSION_RE.match(args[0]):
        m = None if strict else _LAX_GO_VERSION_RE.match(args[0])
        if m is None:
            raise _PlainError(f"invalid go version '{args[0]}': must match format 1.23.0")
        args[0] = m.group(1)
    return GoStmt(args[0], line)


def toolchain_stmt(args: _Args, line: Line) -> Toolchain:
    """A ``toolchain`` line."""
    if len(args) != 1:
        raise _PlainError("toolchain directive expects exactly one argument")
    if not TOOLCHAIN_RE.match(args[0]):
        raise _PlainError(
            f"invalid toolchain version '{args[0]}': must match format go1.23.0 or default"
        )
    return Toolchain(args[0], line)


def godebug_stmt(args: _Args, line: Line) -> Godebug:
    """A ``godebug key=value`` line (single or in a block)."""
    if len(args) != 1 or any(q in args[0] for q in "\"`',"):
        raise _PlainError("usage: godebug key=value")
    key, eq, value = args[0].partition("=")
    if not eq:
        raise _PlainError("usage: godebug key=value")
    return Godebug(key, value, line)


def _parse_string(args: _Args, i: int) -> str:
    t = args[i]
    if t.startswith('"'):
        try:
            t = gostr.unquote(t)
        except gostr.UnquoteError as exc:
            raise _StringError(str(exc)) from None
    elif any(q in t for q in "\"'`"):
        raise _StringError("unquoted string cannot contain quote")
    args[i] = auto_quote(t)
    return t


def _invalid_version(version: str, reason: str) -> str:
    return f"version {gostr.quote(version)} invalid: {reason}"


def _parse_version(verb: str, path: str, args: _Args, i: int, fix: VersionFixer | None) -> str:
    raw = args[i]
    try:
        t = _parse_string(args, i)
    except _StringError as exc:
        raise _VersionError(verb, path, _invalid_version(raw, str(exc))) from None
    if fix is not None:
        try:
            t = fix(path, t)
        except ModuleVersionError as exc:
            # Go reports a module.ModuleError's inner error under the directive and path.
            raise _VersionError(verb, path, str(exc.err)) from None
        except (GomodxError, ValueError) as exc:
            raise _PlainError(str(exc)) from None
    else:
        cv = semver.canonical_version(t)
        if cv == "":
            raise _VersionError(verb, path, _invalid_version(t, "must be of the form v1.2.3"))
        t = cv
    args[i] = t
    return t


def _keep_version(_path: str, version: str) -> str:
    return version


def _parse_version_interval(
    verb: str, path: str, args: _Args, fix: VersionFixer | None
) -> tuple[VersionInterval, int]:
    """Parse ``v`` or ``[low, high]``; returns the interval and how many tokens it used."""
    n = len(args)
    if n == 0 or args[0] == "(":
        raise _PlainError("expected '[' or version")
    if args[0] != "[":
        v = _parse_version(verb, path, args, 0, fix)
        return VersionInterval(v, v), 1
    if n < 2:
        raise _PlainError("expected version after '['")
    low = _parse_version(verb, path, args, 1, fix)
    if n < 3 or args[2] != ",":
        raise _PlainError("expected ',' after version")
    if n < 4:
        raise _PlainError("expected version after ','")
    high = _parse_version(verb, path, args, 3, fix)
    if n < 5 or args[4] != "]":
        raise _PlainError("expected ']' after version")
    return VersionInterval(low, high), 5


def _path_major(path: str) -> str:
    _prefix, major, ok = modpath.split_path_version(path)
    if not ok:
        raise _PlainError("invalid module path")
    return major


def _check_path_major(verb: str, path: str, version: str, path_major: str) -> None:
    try:
        modpath.check_path_major(version, path_major)
    except GomodxError as exc:
        raise _VersionError(verb, path, str(exc)) from None


@dataclass(eq=False)
class ModFile:
    """A parsed go.mod: typed entries plus the lossless ``syntax`` tree they point into."""

    module: Module | None = None
    go: GoStmt | None = None
    toolchain: Toolchain | None = None
    godebug: list[Godebug] = field(default_factory=list)
    require: list[Require] = field(default_factory=list)
    exclude: list[Exclude] = field(default_factory=list)
    replace: list[Replace] = field(default_factory=list)
    retract: list[Retract] = field(default_factory=list)
    tool: list[Tool] = field(default_factory=list)
    ignore: list[Ignore] = field(default_factory=list)
    syntax: FileSyntax = field(default_factory=FileSyntax)

    # -- reading ----------------------------------------------------------------------------

    def _add(
        self,
        errs: list[ModfileErrorEntry],
        block: LineBlock | None,
        line: Line,
        verb: str,
        args: _Args,
        fix: VersionFixer | None,
        strict: bool,
    ) -> None:
        if not strict and verb not in _LAX_VERBS:
            return
        filename = self.syntax.name
        start = line.start

        def err(message: str, verb_: str = "", path: str = "") -> None:
            errs.append(ModfileErrorEntry(filename, start.line, start.col, verb_, path, message))

        try:
            if verb == "go":
                if self.go is not None:
                    return err("repeated go statement")
                self.go = go_stmt(args, line, strict)
            elif verb == "toolchain":
                if self.toolchain is not None:
                    return err("repeated toolchain statement")
                self.toolchain = toolchain_stmt(args, line)
            elif verb == "module":
                if self.module is not None:
                    return err("repeated module statement")
                self.module = Module(syntax=line, deprecated=_deprecation(block, line))
                if len(args) != 1:
                    return err("usage: module module/path")
                self.module.mod = ModuleVersion(_parse_string(args, 0))
            elif verb == "godebug":
                self.godebug.append(godebug_stmt(args, line))
            elif verb in ("require", "exclude"):
                if len(args) != 2:
                    return err(f"usage: {verb} module/path v1.2.3")
                path = _parse_string(args, 0)
                version = _parse_version(verb, path, args, 1, fix)
                _check_path_major(verb, path, version, _path_major(path))
                mod = ModuleVersion(path, version)
                if verb == "require":
                    self.require.append(Require(mod, _is_indirect(line), line))
                else:
                    self.exclude.append(Exclude(mod, line))
            elif verb == "replace":
                self.replace.append(_parse_replace(verb, line, args, fix))
            elif verb == "retract":
                rationale = _directive_comment(block, line)
                try:
                    vi, used = _parse_version_interval(verb, "", args, _keep_version)
                except (_PlainError, _VersionError):
                    if strict:
                        raise
                    return None  # a dependency may use interval syntax we do not know yet
                if len(args) > used and strict:
                    return err(f"unexpected token after version: {gostr.quote(args[used])}")
                self.retract.append(Retract(vi.low, vi.high, rationale, line))
            elif verb in ("tool", "ignore"):
                if len(args) != 1:
                    return err(f"{verb} directive expects exactly one argument")
                path = _parse_string(args, 0)
                if verb == "tool":
                    self.tool.append(Tool(path, line))
                else:
                    self.ignore.append(Ignore(path, line))
            else:
                err(f"unknown directive: {verb}")
        except _StringError as exc:
            err(f"invalid quoted string: {exc}")
        except _VersionError as exc:
            err(exc.message, exc.verb, exc.path)
        except _PlainError as exc:
            err(str(exc))
        return None

    def _fix_retract(self, fix: VersionFixer | None, errs: list[ModfileErrorEntry]) -> None:
        if fix is None:
            return
        path = self.module.mod.path if self.module is not None else ""
        for r in self.retract:
            line = r.syntax
            assert line is not None
            if path == "":
                errs.append(
                    ModfileErrorEntry(
                        self.syntax.name,
                        line.start.line,
                        line.start.col,
                        "",
                        "",
                        "no module directive found, so retract cannot be used",
                    )
                )
                return
            args = _Args(line, 1 if line.token and line.token[0] == "retract" else 0)
            try:
                vi, _ = _parse_version_interval("retract", path, args, fix)
            except _VersionError as exc:
                errs.append(
                    ModfileErrorEntry(
                        self.syntax.name,
                        line.start.line,
                        line.start.col,
                        exc.verb,
                        exc.path,
                        exc.message,
                    )
                )
                vi = VersionInterval()
            except _PlainError as exc:
                errs.append(
                    ModfileErrorEntry(
                        self.syntax.name, line.start.line, line.start.col, "", "", str(exc)
                    )
                )
                vi = VersionInterval()
            r.low, r.high = vi.low, vi.high

    # -- editing ----------------------------------------------------------------------------

    def add_module_stmt(self, path: str) -> None:
        """Set the module path, adding a ``module`` line if there is none."""
        if self.module is None:
            self.module = Module(
                ModuleVersion(path), syntax=self.syntax.add_line(None, "module", auto_quote(path))
            )
        else:
            self.module.mod = ModuleVersion(path)
            if self.module.syntax is not None:
                self.syntax.update_line(self.module.syntax, "module", auto_quote(path))

    def add_comment(self, text: str) -> None:
        """Append a top-level comment (``text`` includes the ``//``)."""
        self.syntax.stmt.append(CommentBlock(before=[Comment(token=text)]))

    def add_go_stmt(self, version: str) -> None:
        """Set the ``go`` version; a new line goes right after ``module``."""
        if not GO_VERSION_RE.match(version):
            raise ModfileError.single("", f"invalid language version {gostr.quote(version)}")
        if self.go is None:
            hint = self.module.syntax if self.module is not None else None
            self.go = GoStmt(version, self.syntax.add_line(hint, "go", version))
        else:
            self.go.version = version
            if self.go.syntax is not None:
                self.syntax.update_line(self.go.syntax, "go", version)

    def drop_go_stmt(self) -> None:
        """Delete the ``go`` line."""
        if self.go is not None:
            _mark_removed(self.go.syntax)
            self.go = None

    def add_toolchain_stmt(self, name: str) -> None:
        """Set the ``toolchain``; a new line goes after ``go`` (or ``module``)."""
        if not TOOLCHAIN_RE.match(name):
            raise ModfileError.single("", f"invalid toolchain name {gostr.quote(name)}")
        if self.toolchain is None:
            hint: Line | None = None
            if self.go is not None and self.go.syntax is not None:
                hint = self.go.syntax
            elif self.module is not None:
                hint = self.module.syntax
            self.toolchain = Toolchain(name, self.syntax.add_line(hint, "toolchain", name))
        else:
            self.toolchain.name = name
            if self.toolchain.syntax is not None:
                self.syntax.update_line(self.toolchain.syntax, "toolchain", name)

    def drop_toolchain_stmt(self) -> None:
        """Delete the ``toolchain`` line."""
        if self.toolchain is not None:
            _mark_removed(self.toolchain.syntax)
            self.toolchain = None

    def add_godebug(self, key: str, value: str) -> None:
        """Set the first ``godebug`` line for ``key`` and delete the others (or add one)."""
        need = True
        for g in self.godebug:
            if g.key != key:
                continue
            if need:
                g.value = value
                if g.syntax is not None:
                    self.syntax.update_line(g.syntax, "godebug", key + "=" + value)
                need = False
            else:
                _mark_removed(g.syntax)
                g.key, g.value, g.syntax = "", "", None
        if need:
            line = self.syntax.add_line(None, "godebug", key + "=" + value)
            self.godebug.append(Godebug(key, value, line))

    def drop_godebug(self, key: str) -> None:
        """Delete every ``godebug`` line for ``key``."""
        for g in self.godebug:
            if g.key == key:
                _mark_removed(g.syntax)
                g.key, g.value, g.syntax = "", "", None

    def add_require(self, path: str, version: str) -> None:
        """Set the first requirement on ``path`` to ``version`` (keeping its comments) and
        delete the others; with none, add one at the end of the last require block."""
        need = True
        for r in self.require:
            if r.mod.path != path:
                continue
            if need:
                r.mod = ModuleVersion(path, version)
                if r.syntax is not None:
                    self.syntax.update_line(r.syntax, "require", auto_quote(path), version)
                need = False
            else:
                _mark_removed(r.syntax)
                _zero_require(r)
        if need:
            self.add_new_require(path, version, False)

    def add_new_require(self, path: str, version: str, indirect: bool) -> None:
        """Add a requirement at the end of the last require block, even if ``path`` has one."""
        line = self.syntax.add_line(None, "require", auto_quote(path), version)
        r = Require(ModuleVersion(path, version), syntax=line)
        r.set_indirect(indirect)
        self.require.append(r)

    def set_require(self, req: Sequence[Require]) -> None:
        """Make the requirements exactly ``req``, keeping the first line (and its comments)
        for each path; new paths join the last require block. Sorts the blocks."""
        need: dict[str, tuple[str, bool]] = {}
        for r in req:
            prev = need.get(r.mod.path)
            if prev is not None and prev[0] != r.mod.version:
                raise ValueError(
                    f"set_require called with conflicting versions for path {r.mod.path} "
                    f"({prev[0]} and {r.mod.version})"
                )
            need[r.mod.path] = (r.mod.version, r.indirect)
        for r in self.require:
            e = need.get(r.mod.path)
            if e is not None:
                r.set_version(e[0])
                r.set_indirect(e[1])
            else:
                _mark_removed(r.syntax)
                _zero_require(r)
            need.pop(r.mod.path, None)
        for path, (version, indirect) in need.items():
            self.add_new_require(path, version, indirect)
        self.sort_blocks()

    def set_require_separate_indirect(self, req: Sequence[Require]) -> None:
        """Like :meth:`set_require`, but keep direct and ``// indirect`` requirements in two
        separate blocks, as the go command does for go 1.17 and later."""
        self._set_require_separate_indirect(req, simplify=False)

    def set_require_at_most_two(self, req: Sequence[Require]) -> None:
        """Like :meth:`set_require_separate_indirect`, but merge everything into at most two
        blocks (one direct, one indirect)."""
        self._set_require_separate_indirect(req, simplify=True)

    def _set_require_separate_indirect(self, req: Sequence[Require], simplify: bool) -> None:
        def has_comments(c: Comments) -> bool:
            return (
                bool(c.before)
                or bool(c.after)
                or len(c.suffix) > 1
                or (
                    len(c.suffix) == 1
                    and gostr.trim_space(c.suffix[0].token.removeprefix("//")) != "indirect"
                )
            )

        def move_req(r: Require, block: LineBlock) -> None:
            if r.syntax is None:
                line = Line(token=[auto_quote(r.mod.path), r.mod.version])
                r.syntax = line
                if r.indirect:
                    r.set_indirect(True)
            else:
                old = r.syntax
                line = Line(
                    before=list(old.before),
                    suffix=list(old.suffix),
                    after=list(old.after),
                    start=old.start,
                    token=list(old.token),
                    in_block=old.in_block,
                    end=old.end,
                )
                if not line.in_block and line.token and line.token[0] == "require":
                    line.token = line.token[1:]
                old.token = []  # cleanup deletes the old line
                r.syntax = line
            line.in_block = True
            block.line.append(line)

        need: dict[str, Require] = {}
        for r in req:
            need[r.mod.path] = Require(r.mod, r.indirect)
        line_indirect: dict[int, bool] = {}
        for r in self.require:
            n = need.get(r.mod.path)
            if n is not None and r.syntax is not None:
                line_indirect[id(r.syntax)] = n.indirect

        last_direct = -1
        last_indirect = -1
        last_require = -1
        count = 0
        line_to_block: dict[int, LineBlock] = {}
        direct_comments: list[Comment] = []
        indirect_comments: list[Comment] = []
        stmts = self.syntax.stmt
        for i, stmt in enumerate(stmts):
            if isinstance(stmt, Line):
                if not stmt.token or stmt.token[0] != "require":
                    continue
                last_require = i
                count += 1
                if not has_comments(stmt):
                    if _is_indirect(stmt):
                        last_indirect = i
                    else:
                        last_direct = i
            elif isinstance(stmt, LineBlock):
                if not stmt.token or stmt.token[0] != "require":
                    continue
                last_require = i
                count += 1
                all_direct = bool(stmt.line) and not has_comments(stmt)
                all_indirect = all_direct
                for line in stmt.line:
                    line_to_block[id(line)] = stmt
                    if has_comments(line):
                        all_direct = all_indirect = False
                    elif _is_indirect(line):
                        all_direct = False
                    else:
                        all_indirect = False
                if all_direct:
                    last_direct = i
                if all_indirect:
                    last_indirect = i
                if simplify:
                    any_direct = any(line_indirect.get(id(line)) is False for line in stmt.line)
                    target = (
                        indirect_comments if (not any_direct and stmt.line) else direct_comments
                    )
                    if target and stmt.before:
                        target.append(Comment(token="//"))
                    target.extend(stmt.before)
                    stmt.before = []

        one_flat_uncommented = count == 1 and not has_comments(stmts[last_require])

        def insert_block(i: int) -> LineBlock:
            block = LineBlock(token=["require"])
            stmts.insert(i, block)
            return block

        def ensure_block(i: int) -> LineBlock:
            stmt = stmts[i]
            if isinstance(stmt, LineBlock):
                return stmt
            assert isinstance(stmt, Line)
            block = LineBlock(token=["require"], line=[stmt])
            stmt.token = stmt.token[1:]
            stmt.in_block = True
            stmts[i] = block
            return block

        if last_direct < 0:
            if last_indirect >= 0:
                last_direct = last_indirect
                last_indirect += 1
            elif last_require >= 0:
                last_direct = last_require + 1
            else:
                last_direct = len(stmts)
            direct_block = insert_block(last_direct)
        else:
            direct_block = ensure_block(last_direct)

        if last_indirect < 0:
            last_indirect = last_direct + 1
            indirect_block = insert_block(last_indirect)
        else:
            indirect_block = ensure_block(last_indirect)

        if simplify:
            direct_block.before.extend(direct_comments)
            indirect_block.before.extend(indirect_comments)

        have: dict[str, Require] = {}
        for r in self.require:
            path = r.mod.path
            n = need.get(path)
            if n is None or path in have:
                _mark_removed(r.syntax)
                _zero_require(r)
                continue
            have[path] = r
            r.set_version(n.mod.version)
            r.set_indirect(n.indirect)
            in_block = line_to_block.get(id(r.syntax)) if r.syntax is not None else None
            if n.indirect and (simplify or one_flat_uncommented or in_block is direct_block):
                move_req(r, indirect_block)
            elif not n.indirect and (
                simplify or one_flat_uncommented or in_block is indirect_block
            ):
                move_req(r, direct_block)

        for path, n in need.items():
            if path not in have:
                move_req(n, indirect_block if n.indirect else direct_block)
                self.require.append(n)

        self.sort_blocks()

    def drop_require(self, path: str) -> None:
        """Delete every requirement on ``path``."""
        for r in self.require:
            if r.mod.path == path:
                _mark_removed(r.syntax)
                _zero_require(r)

    def add_exclude(self, path: str, version: str) -> None:
        """Add ``exclude path version`` (no-op if present) next to other excludes of ``path``.

        Raises :class:`~analysis.errors.ModuleError` for a non-canonical version.
        """
        modpath.check_canonical_version(path, version)
        hint: Line | None = None
        for x in self.exclude:
            if x.mod.path == path and x.mod.version == version:
                return
            if x.mod.path == path:
                hint = x.syntax
        line = _add_line_typed_hint(self.syntax, hint, "exclude", auto_quote(path), version)
        self.exclude.append(Exclude(ModuleVersion(path, version), line))

    def drop_exclude(self, path: str, version: str) -> None:
        """Delete ``exclude path version``."""
        for x in self.exclude:
            if x.mod.path == path and x.mod.version == version:
                _mark_removed(x.syntax)
                x.mod, x.syntax = ModuleVersion(""), None

    def add_replace(self, old_path: str, old_version: str, new_path: str, new_version: str) -> None:
        """Replace ``old_path[@old_version]`` by ``new_path[@new_version]``, updating the first
        matching replace and deleting the other matches."""
        add_replace(self.syntax, self.replace, old_path, old_version, new_path, new_version)

    def drop_replace(self, old_path: str, old_version: str) -> None:
        """Delete the replacement of exactly ``old_path`` at ``old_version`` (``""``: unversioned)."""
        for r in self.replace:
            if r.old.path == old_path and r.old.version == old_version:
                _mark_removed(r.syntax)
                r.old, r.new, r.syntax = ModuleVersion(""), ModuleVersion(""), None

    def add_retract(self, vi: VersionInterval, rationale: str = "") -> None:
        """Add a retraction at the end of the last retract block, with ``rationale`` as
        ``//`` comments before it. Raises for versions that are not canonical."""
        path = self.module.mod.path if self.module is not None else ""
        modpath.check_canonical_version(path, vi.high)
        modpath.check_canonical_version(path, vi.low)
        if vi.low == vi.high:
            line = self.syntax.add_line(None, "retract", auto_quote(vi.low))
        else:
            line = self.syntax.add_line(
                None, "retract", "[", auto_quote(vi.low), ",", auto_quote(vi.high), "]"
            )
        if rationale:
            line.before.extend(Comment(token="// " + text) for text in rationale.split("\n"))
        # Like Go, the typed list is not extended: the go command re-reads files it edits.

    def drop_retract(self, vi: VersionInterval) -> None:
        """Delete every retraction of exactly ``vi``."""
        for r in self.retract:
            if r.low == vi.low and r.high == vi.high:
                _mark_removed(r.syntax)
                r.low, r.high, r.rationale, r.syntax = "", "", "", None

    def add_tool(self, path: str) -> None:
        """Add ``tool path`` unless present; sorts the blocks."""
        if any(t.path == path for t in self.tool):
            return
        self.tool.append(Tool(path, self.syntax.add_line(None, "tool", path)))
        self.sort_blocks()

    def drop_tool(self, path: str) -> None:
        """Delete ``tool path``."""
        for t in self.tool:
            if t.path == path:
                _mark_removed(t.syntax)
                t.path, t.syntax = "", None

    def add_ignore(self, path: str) -> None:
        """Add ``ignore path`` unless present; sorts the blocks."""
        if any(t.path == path for t in self.ignore):
            return
        self.ignore.append(Ignore(path, self.syntax.add_line(None, "ignore", path)))
        self.sort_blocks()

    def drop_ignore(self, path: str) -> None:
        """Delete ``ignore path``."""
        for t in self.ignore:
            if t.path == path:
                _mark_removed(t.syntax)
                t.path, t.syntax = "", None

    def sort_blocks(self) -> None:
        """Remove duplicate excludes/replaces/tools/ignores, then sort each block's lines
        (exclude blocks by semver from go 1.21 on, retract blocks newest first)."""
        self._remove_dups()
        semantic_exclude = (
            self.go is not None and semver.compare("v" + self.go.version, "v1.21") >= 0
        )
        for stmt in self.syntax.stmt:
            if not isinstance(stmt, LineBlock):
                continue
            cmp: Callable[[Line, Line], int] = _compare_line
            if stmt.token[0] == "exclude" and semantic_exclude:
                cmp = _compare_line_exclude
            elif stmt.token[0] == "retract":
                cmp = _compare_line_retract
            stmt.line.sort(key=cmp_to_key(cmp))

    def _deduplicated(
        self,
    ) -> tuple[list[Exclude], list[Replace], list[Tool], list[Ignore], set[int]]:
        """Go's ``removeDups`` on the typed lists, without changing ``self``: the surviving
        excludes, replaces, tools and ignores, and the ids of the syntax lines to delete.

        Like Go, one kill set (keyed by line) serves all four lists, so once two deleted
        entries (which have no line) collide, every deleted entry after that goes too.
        """
        kill: set[int] = set()

        seen_ex: set[ModuleVersion] = set()
        for x in self.exclude:
            if x.mod in seen_ex:
                kill.add(id(x.syntax))
            else:
                seen_ex.add(x.mod)
        exclude = [x for x in self.exclude if id(x.syntax) not in kill]

        seen_rep: set[ModuleVersion] = set()
        for r in reversed(self.replace):
            if r.old in seen_rep:
                kill.add(id(r.syntax))
            else:
                seen_rep.add(r.old)
        replace = [r for r in self.replace if id(r.syntax) not in kill]

        seen_tool: set[str] = set()
        for t in self.tool:
            if t.path in seen_tool:
                kill.add(id(t.syntax))
            else:
                seen_tool.add(t.path)
        tool = [t for t in self.tool if id(t.syntax) not in kill]

        seen_ign: set[str] = set()
        for g in self.ignore:
            if g.path in seen_ign:
                kill.add(id(g.syntax))
            else:
                seen_ign.add(g.path)
        ignore = [g for g in self.ignore if id(g.syntax) not in kill]
        return exclude, replace, tool, ignore, kill

    def _remove_dups(self) -> None:
        self.exclude, self.replace, self.tool, self.ignore, kill = self._deduplicated()
        kill.discard(id(None))
        stmts: list[Expr] = []
        for stmt in self.syntax.stmt:
            if isinstance(stmt, Line):
                if id(stmt) in kill:
                    continue
            elif isinstance(stmt, LineBlock):
                stmt.line = [line for line in stmt.line if id(line) not in kill]
                if not stmt.line:
                    continue
            stmts.append(stmt)
        self.syntax.stmt = stmts

    def cleanup(self) -> None:
        """Drop entries deleted by edits, from the typed lists and from the syntax tree."""
        self.godebug = [g for g in self.godebug if g.key != ""]
        self.require = [r for r in self.require if r.mod.path != ""]
        self.exclude = [x for x in self.exclude if x.mod.path != ""]
        self.replace = [r for r in self.replace if r.old.path != ""]
        self.retract = [r for r in self.retract if r.low != "" or r.high != ""]
        self.syntax.cleanup()

    # -- output -----------------------------------------------------------------------------

    def format(self) -> bytes:
        """The file in Go's standard layout (``go mod edit -fmt``)."""
        return format_syntax(self.syntax)


def _add_line_typed_hint(syntax: FileSyntax, hint: Line | None, *tokens: str) -> Line:
    # Go passes a nil *Line as the hint here, which is not a nil interface: with no
    # existing line for the path the new line is appended to the end of the file
    # instead of joining the last block of its kind (go mod edit -exclude does this).
    if hint is None:
        line = Line(token=list(tokens))
        syntax.stmt.append(line)
        return line
    return syntax.add_line(hint, *tokens)


def add_replace(
    syntax: FileSyntax,
    replace: list[Replace],
    old_path: str,
    old_version: str,
    new_path: str,
    new_version: str,
) -> None:
    """Go's ``addReplace``, shared by go.mod and go.work: update the first replace of
    ``old_path[@old_version]`` in ``replace`` (and its line in ``syntax``), delete the other
    matches, or add a line after the last replace of ``old_path`` (else at the end)."""
    need = True
    old = ModuleVersion(old_path, old_version)
    new = ModuleVersion(new_path, new_version)
    tokens = ["replace", auto_quote(old_path)]
    if old_version:
        tokens.append(old_version)
    tokens += ["=>", auto_quote(new_path)]
    if new_version:
        tokens.append(new_version)
    hint: Line | None = None
    for r in replace:
        if r.old.path == old_path and (old_version == "" or r.old.version == old_version):
            if need:
                r.new = new
                if r.syntax is not None:
                    syntax.update_line(r.syntax, *tokens)
                need = False
                continue
            _mark_removed(r.syntax)
            r.old, r.new, r.syntax = ModuleVersion(""), ModuleVersion(""), None
        if r.old.path == old_path:
            hint = r.syntax
    if need:
        replace.append(Replace(old, new, _add_line_typed_hint(syntax, hint, *tokens)))


def _zero_require(r: Require) -> None:
    r.mod, r.indirect, r.syntax = ModuleVersion(""), False, None


def _token_key(t: str) -> bytes:
    # Go compares strings bytewise; bad bytes must sort by their byte value.
    return gostr.encode(t)


def _cmp(a: bytes, b: bytes) -> int:
    return (a > b) - (a < b)


def _compare_line(li: Line, lj: Line) -> int:
    for a, b in zip(li.token, lj.token, strict=False):
        if a != b:
            return _cmp(_token_key(a), _token_key(b))
    return (len(li.token) > len(lj.token)) - (len(li.token) < len(lj.token))


def _compare_line_exclude(li: Line, lj: Line) -> int:
    if len(li.token) != 2 or len(lj.token) != 2:
        return _compare_line(li, lj)
    if li.token[0] != lj.token[0]:
        return _cmp(_token_key(li.token[0]), _token_key(lj.token[0]))
    return semver.compare(li.token[1], lj.token[1])


def _line_interval(line: Line) -> VersionInterval:
    t = line.token
    if len(t) == 1:
        return VersionInterval(t[0], t[0])
    if len(t) == 5 and t[0] == "[" and t[2] == "," and t[4] == "]":
        return VersionInterval(t[1], t[3])
    return VersionInterval()


def _compare_line_retract(li: Line, lj: Line) -> int:
    a, b = _line_interval(li), _line_interval(lj)
    c = semver.compare(a.low, b.low)
    if c != 0:
        return -c
    return -semver.compare(a.high, b.high)


def _parse_replace(verb: str, line: Line, args: _Args, fix: VersionFixer | None) -> Replace:
    arrow = 1 if len(args) >= 2 and args[1] == "=>" else 2
    if len(args) < arrow + 2 or len(args) > arrow + 3 or args[arrow] != "=>":
        raise _PlainError(
            f"usage: {verb} module/path [v1.2.3] => other/module v1.4\n\t or {verb} module/path [v1.2.3] => ../local/directory"
        )
    old_path = _parse_string(args, 0)
    try:
        path_major = _path_major(old_path)
    except _PlainError as exc:
        raise _VersionError(verb, old_path, str(exc)) from None
    old_version = ""
    if arrow == 2:
        old_version = _parse_version(verb, old_path, args, 1, fix)
        _check_path_major(verb, old_path, old_version, path_major)
    new_path = _parse_string(args, arrow + 1)
    new_version = ""
    if len(args) == arrow + 2:
        if not is_directory_path(new_path):
            if "@" in new_path:
                raise _PlainError(
                    "replacement module must match format 'path version', not 'path@version'"
                )
            raise _PlainError(
                "replacement module without version must be directory path (rooted or starting with . or ..)"
            )
        if "\\" in new_path:
            raise _PlainError(
                "replacement directory appears to be Windows path (on a non-windows system)"
            )
    if len(args) == arrow + 3:
        new_version = _parse_version(verb, new_path, args, arrow + 2, fix)
        if is_directory_path(new_path):
            raise _PlainError(
                f"replacement module directory path {gostr.quote(new_path)} cannot have version"
            )
    return Replace(ModuleVersion(old_path, old_version), ModuleVersion(new_path, new_version), line)


def _parse_to_file(
    filename: str, data: bytes | str, fix: VersionFixer | None, strict: bool
) -> ModFile:
    syntax = parse_syntax(filename, data)
    f = ModFile(syntax=syntax)
    errs: list[ModfileErrorEntry] = []
    for stmt in syntax.stmt:
        if isinstance(stmt, Line):
            f._add(errs, None, stmt, stmt.token[0], _Args(stmt, 1), fix, strict)
        elif isinstance(stmt, LineBlock):
            if len(stmt.token) > 1 or stmt.token[0] not in _BLOCK_VERBS:
                if strict:
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
                f._add(errs, stmt, line, stmt.token[0], _Args(line, 0), fix, strict)
    f._fix_retract(fix, errs)
    if errs:
        raise ModfileError(errs)
    return f


def parse(filename: str, data: bytes | str, fix: VersionFixer | None = None) -> ModFile:
    """Parse the main module's go.mod (Go's ``modfile.Parse``).

    Without ``fix`` every version must be canonical semver (``v1.2`` is accepted and written
    back as ``v1.2.0``) and retract versions are kept as written. Raises
    :class:`ModfileError` listing every error, in file order.
    """
    return _parse_to_file(filename, data, fix, True)


def parse_lax(filename: str, data: bytes | str, fix: VersionFixer | None = None) -> ModFile:
    """Parse a dependency's go.mod (Go's ``modfile.ParseLax``): only ``module``, ``go``,
    ``require``, ``retract`` and ``ignore`` are read; everything else is skipped."""
    return _parse_to_file(filename, data, fix, False)


# ---------------------------------------------------------------------------------------------
# go mod edit -json

JSONValue: TypeAlias = "str | bool | list[JSONValue] | dict[str, JSONValue]"


def _mv_json(m: ModuleVersion) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {"Path": m.path}
    if m.version:
        out["Version"] = m.version
    return out


def to_json(f: ModFile) -> dict[str, JSONValue]:
    """The object ``go mod edit -json`` prints for ``f``, with Go's field names and omissions.

    ``go mod edit`` runs ``SortBlocks`` and ``Cleanup`` before printing; their effect on the
    typed lists (duplicates and deleted entries dropped) is applied here without changing
    ``f``.
    """
    out: dict[str, JSONValue] = {}
    module: dict[str, JSONValue] = {"Path": f.module.mod.path if f.module else ""}
    if f.module is not None and f.module.deprecated:
        module["Deprecated"] = f.module.deprecated
    out["Module"] = module
    if f.go is not None and f.go.version:
        out["Go"] = f.go.version
    if f.toolchain is not None and f.toolchain.name:
        out["Toolchain"] = f.toolchain.name
    godebug: list[JSONValue] = [{"Key": g.key, "Value": g.value} for g in f.godebug if g.key != ""]
    if godebug:
        out["GoDebug"] = godebug
    require: list[JSONValue] = []
    for r in f.require:
        if r.mod.path == "":
            continue
        item = _mv_json(r.mod)
        if r.indirect:
            item["Indirect"] = True
        require.append(item)
    if require:
        out["Require"] = require
    excludes, replaces, tools, ignores, _ = f._deduplicated()
    exclude: list[JSONValue] = [_mv_json(x.mod) for x in excludes if x.mod.path != ""]
    if exclude:
        out["Exclude"] = exclude
    replace: list[JSONValue] = [
        {"Old": _mv_json(r.old), "New": _mv_json(r.new)} for r in replaces if r.old.path != ""
    ]
    if replace:
        out["Replace"] = replace
    retract: list[JSONValue] = []
    for rt in f.retract:
        if rt.low == "" and rt.high == "":
            continue
        item = {}
        if rt.low:
            item["Low"] = rt.low
        if rt.high:
            item["High"] = rt.high
        if rt.rationale:
            item["Rationale"] = rt.rationale
        retract.append(item)
    if retract:
        out["Retract"] = retract
    tool: list[JSONValue] = [{"Path": t.path} for t in tools]
    if tool:
        out["Tool"] = tool
    ignore: list[JSONValue] = [{"Path": i.path} for i in ignores]
    if ignore:
        out["Ignore"] = ignore
    return out


def _render_json(value: JSONValue, depth: int, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(gostr.json_string(value))
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        out.append("[\n")
        for i, item in enumerate(value):
            out.append("\t" * (depth + 1))
            _render_json(item, depth + 1, out)
            out.append(",\n" if i + 1 < len(value) else "\n")
        out.append("\t" * depth + "]")
    else:
        if not value:
            out.append("{}")
            return
        out.append("{\n")
        items = list(value.items())
        for i, (key, item) in enumerate(items):
            out.append("\t" * (depth + 1) + gostr.json_string(key) + ": ")
            _render_json(item, depth + 1, out)
            out.append(",\n" if i + 1 < len(items) else "\n")
        out.append("\t" * depth + "}")


def render_json(value: JSONValue) -> str:
    """``value`` as Go's ``json.MarshalIndent(v, "", "\\t")`` writes it, plus a newline."""
    out: list[str] = []
    _render_json(value, 0, out)
    out.append("\n")
    return "".join(out)


def modfile_json(f: ModFile) -> str:
    """Exactly the text ``go mod edit -json`` prints for ``f`` (ends with a newline)."""
    return render_json(to_json(f))


def module_path(data: bytes | str) -> str:
    """The module path from go.mod text, tolerating unrelated problems (Go's ``ModulePath``).

    Returns ``""`` when no usable ``module`` line is found.

    >>> module_path(b'// c\\nmodule "example.com/m" // x\\n')
    'example.com/m'
    """
    for raw in _as_text(data).split("\n"):
        line = raw
        k = line.find("//")
        if k >= 0:
            line = line[:k]
        line = gostr.trim_space(line)
        if not line.startswith("module"):
            continue
        rest = line[len("module") :]
        n = len(rest)
        rest = gostr.trim_space(rest)
        if len(rest) == n or not rest:
            continue
        if rest[0] in '"`':
            try:
                return gostr.unquote(rest)
            except gostr.UnquoteError:
                return ""
        return rest
    return ""


def iter_lines(syntax: FileSyntax) -> Iterator[tuple[LineBlock | None, Line]]:
    """Every live statement line with the block holding it (``None`` at top level)."""
    for stmt in syntax.stmt:
        if isinstance(stmt, Line):
            if stmt.token:
                yield None, stmt
        elif isinstance(stmt, LineBlock):
            for line in stmt.line:
                if line.token:
                    yield stmt, line
