"""The one exception tree of gomodx.

::

    GomodxError
     ├── ModfileError            a go.mod that does not parse: ``go.mod:3:9: message``
     ├── ModuleError             a bad module path or version (Go's InvalidPathError/InvalidVersionError)
     ├── GraphError              malformed ``go mod graph`` text: ``FILE:LINE: message``
     ├── GoCommandError          the go command failed or is missing
     ├── ProxyError              fetching through GOPROXY failed
     │    ├── ModuleNotFound     404/410, lookup disabled, or not on any proxy
     │    ├── ProxyUnavailable   network failures, timeouts, 5xx after retries
     │    ├── AuthRequired       401/403
     │    └── ChecksumMismatch   a download whose hash does not match go.sum
     └── PlanError               a downgrade/upgrade that cannot be done
          └── DowngradeConflict  carries the requirement chain that forbids it

User mistakes raise one of these; the command line prints ``str(error)`` and exits 2,
never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class GomodxError(Exception):
    """Base class of every error gomodx reports to a user."""


@dataclass(frozen=True)
class Position:
    """A place in a file: 1-based line, 1-based rune column, 0-based byte offset."""

    line: int = 0
    col: int = 0
    byte: int = 0


class ModfileError(GomodxError):
    """One or more go.mod errors, each printed as Go prints ``modfile.Error``.

    ``entries`` holds the individual errors in file order; ``str()`` joins them with
    newlines exactly like ``modfile.ErrorList``.
    """

    def __init__(self, entries: Sequence[ModfileErrorEntry]) -> None:
        self.entries: tuple[ModfileErrorEntry, ...] = tuple(entries)
        super().__init__("\n".join(str(e) for e in self.entries))

    @classmethod
    def single(
        cls,
        filename: str,
        message: str,
        line: int = 0,
        col: int = 0,
        verb: str = "",
        mod_path: str = "",
    ) -> ModfileError:
        return cls([ModfileErrorEntry(filename, line, col, verb, mod_path, message)])


@dataclass(frozen=True)
class ModfileErrorEntry:
    """One ``modfile.Error``: ``FILE:LINE:COL: VERB MODPATH: message``.

    The column is printed only when it is greater than 1, as Go does.
    """

    filename: str
    line: int
    col: int
    verb: str
    mod_path: str
    message: str

    def __str__(self) -> str:
        if self.col > 1:
            pos = f"{self.filename}:{self.line}:{self.col}: "
        elif self.line > 0:
            pos = f"{self.filename}:{self.line}: "
        elif self.filename:
            pos = f"{self.filename}: "
        else:
            pos = ""
        if self.mod_path:
            directive = f"{self.verb} {self.mod_path}: "
        elif self.verb:
            directive = f"{self.verb}: "
        else:
            directive = ""
        return pos + directive + self.message


class ModuleError(GomodxError):
    """A malformed module path or version, worded as golang.org/x/mod/module words it."""


class GraphError(GomodxError):
    """Malformed module-graph input, printed ``FILE:LINE: message``."""

    def __init__(self, message: str, filename: str = "", line: int = 0) -> None:
        self.filename = filename
        self.line = line
        self.message = message
        if filename and line:
            text = f"{filename}:{line}: {message}"
        elif filename:
            text = f"{filename}: {message}"
        else:
            text = message
        super().__init__(text)


class GoCommandError(GomodxError):
    """The go command is missing or failed; carries its stderr."""

    def __init__(self, message: str, stderr: str = "") -> None:
        self.stderr = stderr
        super().__init__(message)


class ProxyError(GomodxError):
    """Fetching from a module proxy (or the module cache) failed."""


class ModuleNotFound(ProxyError):
    """The module or version is not there (404/410, lookup disabled, GOPRIVATE)."""


class ProxyUnavailable(ProxyError):
    """Network failure, timeout, or server error that persisted through retries."""


class AuthRequired(ProxyError):
    """The proxy answered 401 or 403: credentials are missing or wrong."""


class ChecksumMismatch(ProxyError):
    """Downloaded content whose h1 hash differs from go.sum: a security error."""


class PlanError(GomodxError):
    """A requested downgrade or upgrade cannot be planned."""


class DowngradeConflict(PlanError):
    """``go get`` would refuse: ``chain[0] requires chain[-1], not target``."""

    def __init__(self, message: str, chain: Sequence[str] = ()) -> None:
        self.chain: tuple[str, ...] = tuple(chain)
        super().__init__(message)
