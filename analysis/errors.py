"""The one exception tree of gomodx.

::

    GomodxError
     ├── ModfileError            a go.mod that does not parse: ``go.mod:3:9: message``
     ├── WorkspaceError          a go.work go would refuse: ``go.work requires go >= 1.30 ...``
     │    └── ReplacementConflict  two modules replacing one version (printed as go prints it)
     ├── TooNewError             a go.mod newer than the go in use: ``go.mod requires go >= 1.999 ...``
     │    └── ToolchainSwitch    GOTOOLCHAIN=auto: go would switch to a newer toolchain first
     ├── ModuleError             a bad module path or version (golang.org/x/mod/module's errors)
     │    ├── InvalidPathError   ``malformed module path "x": missing dot in first path element``
     │    ├── InvalidVersionError ``version "v2.0.0" invalid: should be v0 or v1, not v2``
     │    └── ModuleVersionError ``example.com/m@v1.0.0: ...`` (Go's ``module.ModuleError``)
     ├── GraphError              malformed ``go mod graph`` text: ``FILE:LINE: message``
     ├── GraphvizError           Graphviz's ``dot`` failed (carries its stderr)
     │    └── GraphvizMissing    ``dot`` is not installed
     ├── GoCommandError          the go command failed or is missing
     ├── FileWriteError          a write failed: ``writing /x/go.mod: permission denied``
     │    └── GoUpdateError      go's words: ``go: updating go.mod: open /x/go.mod: ...``
     ├── LoadError               one go.mod or zip that cannot be had: ``path@version: reason``
     ├── BuildListError          a go.mod the build list needs: ``a@v1 requires\\n\\tb@v2: ...``
     │    └── ModuleLoadError    the loader's, naming the replacement that failed
     ├── Disallowed              a version excluded by go.mod or retracted by its author
     ├── BadModuleZip            a module zip go refuses (unexpected file, malformed path)
     ├── QueryError              a version query (``latest``, ``>=v1.2``, ...) that matches nothing
     ├── ProxyError              fetching through GOPROXY failed
     │    ├── ModuleNotFound     404/410, lookup disabled, or not on any proxy
     │    │    ├── NotInCache    offline (or GOPROXY=off) and the module cache lacks it
     │    │    └── NoMatchingVersion  ``module m: no matching versions for query "latest"``
     │    ├── InvalidResponse    200 answers that kept failing validation (truncated, HTML)
     │    ├── ProxyUnavailable   network failures, timeouts, 5xx after retries
     │    │    ├── ProxyUnreachable  no connection at all: DNS, refused, TLS (never retried)
     │    │    └── ProxyTooSlow  a request (or the command) outlived its time limits
     │    ├── AuthRequired       401/403
     │    ├── SumDBError         the checksum database could not verify a module (GOSUMDB)
     │    └── ChecksumMismatch   a download whose hash does not match go.sum
     │         ├── SumMismatch   with both hashes and where the bytes came from
     │         └── SumDBSecurityError  the checksum database contradicts the download
     │                           or itself (go's SECURITY ERROR)
     ├── VulnDBError             the vulnerability database (GOVULNDB) could not be read
     │    └── InvalidOSV         an OSV entry that is not one (not JSON, bad events)
     └── PlanError               a downgrade/upgrade that cannot be done
          ├── PlanRefused        go get would refuse: go's lines, and the failure beneath
          │    ├── DowngradeConflict  carries the requirement chains that forbid it
          │    └── NotSupported  a case gomodx does not model yet (``gomodx: …``)
          ├── StaleFiles         go.mod or go.sum changed since the plan saw them
          └── NothingToUndo      no earlier apply to undo

User mistakes raise one of these; the command line prints ``str(error)`` and exits with
the class's ``exit_code`` (2, or 1 for "found something"), never a traceback. A refused
plan is not raised: :class:`~analysis.plan.Plan` carries its :class:`PlanRefused` (exit
status 1 when go refuses by its rules, 2 when the argument names nothing or something
could not be read: see :attr:`PlanRefused.exit_code`). Code that needs to know *why*
something failed walks :func:`causes` and tests types, never message text.

Two more kinds are caught inside the engine and never shown bare. Go's sentinel errors
subclass :class:`ValueError`; the code that calls the function raising one catches it.
A proxy's answer that fails validation is retried, never cached, and reported as a
:class:`ProxyError`::

    ValueError
     └── BadPatternError         ``path.ErrBadPattern``: a malformed GOPRIVATE-style glob
    Exception
     ├── CorruptAnswer           a 200 answer that is not what was asked for (truncated, HTML)
     ├── SlowBody                a body that trickles in (under NetLimits' pace)
     ├── ProtocolError           an HTTP answer that breaks the protocol (lean path)
     ├── NoteError               a signed note or verifier key that does not check out
     └── TlogError               a checksum-database log answer that cannot be right

(``strconv.ErrSyntax`` is :class:`analysis.modfile_strconv.UnquoteError`, with the
quoting code.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from analysis.modfile_strconv import quote

if TYPE_CHECKING:
    from analysis.module import ModuleVersion


class GomodxError(Exception):
    """Base class of every error gomodx reports to a user.

    ``exit_code`` is the command line's exit status for it: 2 (an error) unless the
    class says 1 ("found something": a refused plan, files changed under us).
    """

    exit_code: ClassVar[int] = 2
    hint: str = ""
    """A line of advice shown after the message (what to try next), when there is one."""


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


class TooNewError(GomodxError):
    """A go.mod that needs a newer go than the one gomodx answers for (go's
    ``gover.TooNewError``); ``go_version`` is the version it needs."""

    def __init__(self, message: str, go_version: str) -> None:
        super().__init__(message)
        self.go_version = go_version


class ToolchainSwitch(TooNewError):
    """go would not run this command itself: GOTOOLCHAIN lets it switch to ``target``
    (``go1.999.0``), a newer toolchain than the one gomodx answers for."""

    def __init__(self, message: str, target: str, go_version: str, *, hint: str = "") -> None:
        super().__init__(message, go_version)
        self.target = target
        self.hint = hint


class WorkspaceError(GomodxError):
    """A workspace go refuses to load: a bad ``GOWORK``, a go.work that does not parse or is
    too new, a ``use`` of a directory without a usable go.mod, a flag refused in workspace
    mode. The text is go's, without its ``go: `` prefix.

    ``messages`` holds each error go reports on its own ``go: `` line (loading the used
    modules, go reports every failure)."""

    def __init__(self, *messages: str) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


class ReplacementConflict(WorkspaceError):
    """Two workspace modules replace one module version differently, in a way go only
    notices when it looks the version up. go prints this one without its ``go: `` prefix
    (``conflicting replacements found for M in workspace modules defined by A and B``), and
    so does gomodx."""


class ModuleError(GomodxError):
    """A malformed module path or version, worded as golang.org/x/mod/module words it."""


def _reason(err: str | BaseException) -> str:
    return err if isinstance(err, str) else str(err)


class InvalidPathError(ModuleError):
    """Go's ``module.InvalidPathError``: ``malformed KIND path "PATH": REASON``.

    ``kind`` is ``"module"``, ``"import"`` or ``"file"``.
    """

    def __init__(self, kind: str, path: str, err: str | BaseException) -> None:
        self.kind = kind
        self.path = path
        self.err = _reason(err)
        super().__init__(f"malformed {kind} path {quote(path)}: {self.err}")


class InvalidVersionError(ModuleError):
    """Go's ``module.InvalidVersionError``: ``version "V" invalid: REASON``.

    With ``pseudo=True`` the noun is ``pseudo-version``.
    """

    def __init__(self, version: str, err: str | BaseException, pseudo: bool = False) -> None:
        self.version = version
        self.err = _reason(err)
        self.pseudo = pseudo
        super().__init__(f"{self.noun} {quote(version)} invalid: {self.err}")

    @property
    def noun(self) -> str:
        return "pseudo-version" if self.pseudo else "version"


class ModuleVersionError(ModuleError):
    """Go's ``module.ModuleError``: an error about one module (and maybe a version).

    Printed ``PATH@VERSION: REASON``, or ``module PATH: REASON`` without a version. When
    the wrapped error is an :class:`InvalidVersionError` Go prints
    ``PATH@V: invalid version: REASON`` using that error's version.
    """

    def __init__(self, path: str, version: str, err: str | BaseException) -> None:
        self.path = path
        self.version = version
        self.err = err
        if isinstance(err, InvalidVersionError):
            text = f"{path}@{err.version}: invalid {err.noun}: {err.err}"
        elif version:
            text = f"{path}@{version}: {_reason(err)}"
        else:
            text = f"module {path}: {_reason(err)}"
        super().__init__(text)


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


class GraphvizError(GomodxError):
    """Graphviz's ``dot`` failed to render an image; carries its stderr."""

    def __init__(self, message: str, stderr: str = "") -> None:
        self.stderr = stderr
        super().__init__(message)


class GraphvizMissing(GraphvizError):
    """Graphviz's ``dot`` is not installed (not on ``PATH``)."""


class GoCommandError(GomodxError):
    """The go command is missing or failed; carries its stderr."""

    def __init__(self, message: str, stderr: str = "") -> None:
        self.stderr = stderr
        super().__init__(message)


class FileWriteError(GomodxError):
    """A write to the file system failed: ``OP PATH: REASON``.

    ``op`` says what gomodx was doing (``writing``, ``creating undo backup in``), ``reason``
    is the OS error in lower case as Go prints it (``permission denied``, ``read-only file
    system``, ``no space left on device``), ``errno`` its number when there is one. Raised
    by :mod:`analysis.fsio`, which leaves nothing half-written behind.
    """

    def __init__(self, op: str, path: str, reason: str, errno: int | None = None) -> None:
        self.op = op
        self.path = path
        self.reason = reason
        self.errno = errno
        super().__init__(f"{op} {path}: {reason}")


class GoUpdateError(FileWriteError):
    """go.mod or go.sum could not be updated, worded as the go command words it:
    ``go: updating go.mod: open /x/go.mod: permission denied``.

    ``file`` is ``go.mod`` or ``go.sum``, ``syscall`` what failed (``open``, ``write``,
    ``truncate``, ``rename``, ``remove``), ``path`` the file as the module names it (a
    symlink is not resolved, as in go's message).
    """

    def __init__(
        self, file: str, syscall: str, path: str, reason: str, errno: int | None = None
    ) -> None:
        self.file = file
        self.syscall = syscall
        super().__init__(f"go: updating {file}: {syscall}", path, reason, errno)


class LoadError(GomodxError):
    """A go.mod (or zip) that cannot be had: go's ``module.ModuleError``.

    ``mod`` is the module version (or directory, version ``""``) that failed and
    ``reason`` the text after its ``path@version: `` prefix; ``err``, when there is one,
    the failure underneath (an :class:`OSError`, a :class:`ModfileError`).
    """

    def __init__(self, mod: ModuleVersion, reason: str, err: BaseException | None = None) -> None:
        self.mod = mod
        self.reason = reason
        self.err = err
        if mod.version:
            text = f"{mod.path}@{mod.version}: {reason}"
        else:
            text = f"module {mod.path}: {reason}"
        super().__init__(text)


class BuildListError(GomodxError):
    """A go.mod could not be loaded while building the list; ``chain`` leads to it.

    Printed as the go command prints it: ``a@v1 requires\\n\\tb@v2: error``.
    """

    def __init__(self, chain: Sequence[ModuleVersion], err: BaseException) -> None:
        self.chain: tuple[ModuleVersion, ...] = tuple(chain)
        self.err = err
        # Leading unversioned entries are the main module: go leaves them out.
        shown = list(self.chain)
        while shown and shown[0].version == "":
            shown.pop(0)
        if not shown:
            text = str(err)
        else:
            text = "".join(f"{m} requires\n\t" for m in shown[:-1]) + f"{shown[-1]}: {err}"
        super().__init__(text)


class ModuleLoadError(BuildListError):
    """A go.mod the graph needs could not be read or parsed.

    Worded as the go command words ``mvs.BuildListError`` (a tab starts the second line)::

        example.com/a@v1.0.0 requires
            example.com/b@v1.2.0 (replaced by ./b): reading b/go.mod: open ...: no such file …

    ``chain`` runs from the main module to the failing node ``module``; ``actual`` is
    the module version (or directory) whose go.mod failed; ``reason`` the message
    without the module prefix; ``err`` the underlying exception, e.g.
    :class:`ModuleNotFound`.
    """

    def __init__(
        self,
        chain: Sequence[ModuleVersion],
        actual: ModuleVersion,
        reason: str,
        err: BaseException,
    ) -> None:
        super().__init__(chain, err)
        self.module = self.chain[-1] if self.chain else actual
        self.actual = actual
        self.reason = reason
        shown = list(self.chain)
        while shown and shown[0].version == "":
            shown.pop(0)
        last = shown[-1] if shown else self.module
        head = "".join(f"{m} requires\n\t" for m in shown[:-1])
        if actual == last:
            # module.ModuleError: "path@version: err", or "module path: err" with no version.
            tail = f"{actual}: {reason}" if actual.version else f"module {actual.path}: {reason}"
        else:
            tail = f"{last} (replaced by {actual}): {reason}"
        self.args = (head + tail,)

    def __str__(self) -> str:
        return str(self.args[0])


class Disallowed(GomodxError):
    """A version excluded by the main go.mod or retracted by its author (``ErrDisallowed``)."""

    def __init__(self, mod: ModuleVersion, reason: str, retracted: bool = False) -> None:
        self.mod = mod
        self.reason = reason
        self.retracted = retracted
        super().__init__(f"{mod}: {reason}")


class BadModuleZip(GomodxError):
    """A module zip cmd/go would refuse: a file outside ``path@version/`` (found as it
    downloads the zip), or, with ``extracting``, what its extraction rejects (malformed
    file paths, case-insensitive collisions, sizes: one ``ENTRY: REASON`` line each)."""

    def __init__(self, message: str, extracting: bool = False) -> None:
        super().__init__(message)
        self.extracting = extracting


class QueryError(GomodxError):
    """A version query that resolves to nothing; ``kind`` classifies it as go does.

    Kinds: ``no-match`` (``NoMatchingVersionError``), ``no-patch-base``, ``not-exist``
    (the proxy has no such module or version), ``invalid`` (bad syntax),
    ``invalid-version`` (a revision that is not a version), ``other``. ``err`` is the
    source's own error underneath, when there is one.
    """

    def __init__(
        self,
        text: str,
        kind: str = "other",
        reason: str | None = None,
        err: BaseException | None = None,
    ) -> None:
        self.kind = kind
        self.reason = text if reason is None else reason
        """The text without a ``module path: `` prefix (Go's unwrapped ModuleError)."""
        self.err = err
        super().__init__(text)


class ProxyError(GomodxError):
    """Fetching from a module proxy (or the module cache) failed."""


class ModuleNotFound(ProxyError):
    """The module or version is not there (404/410, lookup disabled, GOPRIVATE)."""


class NotInCache(ModuleNotFound):
    """Offline (``--offline`` or GOPROXY=off) and the module caches do not have the file."""


class NoMatchingVersion(ModuleNotFound):
    """Go's ``NoMatchingVersionError``: ``no matching versions for query "latest"`` (for
    ``upgrade`` and ``patch``, followed by `` (current version is V)``)."""

    def __init__(self, path: str, query: str = "latest", current: str = "") -> None:
        self.path = path
        self.query = query
        self.current = current
        suffix = ""
        if query in ("upgrade", "patch") and current not in ("", "none"):
            suffix = f" (current version is {current})"
        super().__init__(f'module {path}: no matching versions for query "{query}"{suffix}')


class InvalidResponse(ProxyError):
    """The proxy kept answering 200 with bodies that are not what was asked for
    (truncated, HTML, garbage) through every retry: a transfer problem."""


class ProxyUnavailable(ProxyError):
    """Network failure, timeout, or server error that persisted through retries.

    ``proxy`` is the host (``host:port``) that failed, when one is known.
    """

    def __init__(self, message: str, proxy: str = "") -> None:
        super().__init__(message)
        self.proxy = proxy


class ProxyUnreachable(ProxyUnavailable):
    """The proxy cannot be reached at all: its name does not resolve, the connection is
    refused, the network is unreachable, or TLS fails. Retrying would not help, so the
    first such failure ends every request to that host."""


class ProxyTooSlow(ProxyUnavailable):
    """A request outlived its deadline (all attempts included), the body arrived too
    slowly, or the command spent its network time budget."""


class AuthRequired(ProxyError):
    """The proxy answered 401 or 403: credentials are missing or wrong."""


class ChecksumMismatch(ProxyError):
    """Downloaded content whose h1 hash differs from go.sum: a security error."""


_SECURITY = (
    "SECURITY ERROR\n"
    "This download does NOT match an earlier download recorded in go.sum.\n"
    "The bits may have been replaced on the origin server, or an attacker may\n"
    "have intercepted the download attempt.\n"
    "\n"
    "For more information, see 'go help module-auth'."
)


class SumMismatch(ChecksumMismatch):
    """Downloaded bytes whose hash differs from go.sum (carries both hashes and the source)."""

    def __init__(
        self, path: str, version: str, downloaded: str, expected: str, source: str = ""
    ) -> None:
        self.path = path
        self.version = version
        self.downloaded = downloaded
        self.expected = expected
        self.source = source
        lines = [
            f"verifying {path}@{version}: checksum mismatch",
            f"\tdownloaded: {downloaded}",
            f"\tgo.sum:     {expected}",
        ]
        if source:
            lines.append(f"\tfrom:       {source}")
        super().__init__("\n".join(lines) + "\n\n" + _SECURITY)


class SumDBError(ProxyError):
    """The checksum database could not verify a module (unreachable, bad answer, bad
    setting): ``path@version: verifying module: reason``."""


class SumDBSecurityError(ChecksumMismatch):
    """The checksum database contradicts the download, or itself: go's SECURITY ERROR."""


class VulnDBError(GomodxError):
    """The vulnerability database could not be read, or answered something that is not
    a database (``vulnerability database URL: index/modules.json: not JSON …``)."""


class InvalidOSV(VulnDBError):
    """An OSV entry that is not what the schema says (not JSON, events out of shape)."""


class PlanError(GomodxError):
    """A requested downgrade or upgrade cannot be planned."""


class PlanRefused(PlanError):
    """``go get`` would refuse: ``str()`` is go's ``go: …`` lines.

    ``cause`` is the failure underneath when there is one (a module that cannot be
    loaded, a proxy that is down, a file missing from the cache in offline mode).
    :attr:`exit_code` tells a refusal by go's rules (1) from an argument that is wrong
    or a module that cannot be read (2).
    """

    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        self.cause = cause
        super().__init__(message)

    @property
    def exit_code(self) -> int:  # type: ignore[override]  # decided by the cause
        """1 when go would refuse the change by its rules (version constraints, an
        excluded or retracted pick, a package in the main module); 2 when the argument is
        malformed or names no module or version (go's ``invalid version``, ``no matching
        versions``, a module the proxies do not have) or something could not be read
        (proxy down, credentials, checksum, offline cache). Decided by the types in
        :func:`causes`, never by the text."""
        for e in causes(self):
            if isinstance(e, (ModuleError, ProxyError)):
                return 2
            if isinstance(e, QueryError) and e.kind in _NO_SUCH_VERSION:
                return 2
        return 1

    @property
    def unavailable(self) -> bool:
        """Whether go would refuse for want of files (offline, proxy down), not by rule."""
        return any(isinstance(e, (NotInCache, ProxyUnavailable)) for e in causes(self))


_NO_SUCH_VERSION = frozenset(
    {"not-exist", "invalid", "invalid-version", "no-match", "no-patch-base"}
)
"""The kinds of :class:`QueryError` that mean the version query names
nothing that exists, or is malformed."""


class NotSupported(PlanRefused):
    """gomodx cannot preview this case yet: ``str()`` is a ``gomodx: … not supported yet``
    line, not go's words (go may or may not refuse). Never a wrong answer instead."""

    exit_code = 2


class DowngradeConflict(PlanRefused):
    """``go get`` would refuse over version constraints: ``A@v requires B@w, not B@u``.

    ``chains`` holds one requirement chain per conflict, from the argument's module to
    the version above what was asked (or that cannot be loaded); ``chain`` is the first
    as strings.
    """

    def __init__(self, message: str, chains: Sequence[Sequence[ModuleVersion]] = ()) -> None:
        self.chains: tuple[tuple[ModuleVersion, ...], ...] = tuple(tuple(c) for c in chains)
        self.chain: tuple[str, ...] = tuple(str(m) for m in self.chains[0]) if chains else ()
        super().__init__(message)


class NothingToUndo(PlanError):
    """``undo`` found no backup of an earlier apply for this directory."""

    exit_code = 1


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then the failures beneath it: ``cause``/``err`` attributes (gomodx's
    wrappers), then ``__cause__``; each once."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        for name in ("cause", "err"):
            inner = getattr(e, name, None)
            if isinstance(inner, BaseException):
                todo.append(inner)
        if e.__cause__ is not None:
            todo.append(e.__cause__)


class StaleFiles(PlanError):
    """go.mod or go.sum is not what the plan (or the last apply) saw; nothing was written."""

    exit_code = 1

    def __init__(self, message: str, files: tuple[str, ...]) -> None:
        self.files = files
        super().__init__(message)


# -- Go's sentinel errors -----------------------------------------------------------------


class BadPatternError(ValueError):
    """Go's ``path.ErrBadPattern``: a malformed glob."""

    def __init__(self) -> None:
        super().__init__("syntax error in pattern")


# -- signals inside the engine ---------------------------------------------------------------


class SlowBody(Exception):
    """A body that grew by only ``received`` bytes in the last ``window`` seconds (the
    lean transport gives up on it; the client reports :class:`ProxyTooSlow`)."""

    def __init__(self, received: int, window: float) -> None:
        super().__init__(f"{received} bytes in {window:.1f}s")
        self.received = received
        self.window = window


class ProtocolError(Exception):
    """A malformed HTTP answer on the lean path (:mod:`analysis.lean`; httpx's
    ``RemoteProtocolError`` once it reaches the client)."""


class CorruptAnswer(Exception):
    """A 200 answer whose content fails validation (retried, never cached, never shown)."""


class NoteError(Exception):
    """A signed note or verifier key that does not verify (Go's words in ``str()``); the
    checksum database client reports it as a :class:`SumDBError`."""


class TlogError(Exception):
    """A checksum-database log answer that cannot be right (Go's words in ``str()``);
    reported as a :class:`SumDBError`."""
