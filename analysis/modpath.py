"""Module paths as the go command sees them: validity, major-version suffixes, escaping,
and GOPRIVATE-style prefix patterns.

A port of the path parts of ``golang.org/x/mod/module`` (``CheckPath``,
``SplitPathVersion``, ``EscapePath`` …), of ``path.Match``, and of two helpers from
``golang.org/x/mod/modfile`` (``IsDirectoryPath``, ``checkCanonicalVersion``). Errors are
raised as :mod:`analysis.errors` classes whose ``str()`` is exactly Go's message.

>>> split_path_version("example.com/m/v2")
('example.com/m', '/v2', True)
>>> escape_path("github.com/BurntSushi/toml")
'github.com/!burnt!sushi/toml'
>>> match_prefix_patterns("*.corp.example.com,rsc.io/private", "rsc.io/private/quux")
True
"""

from __future__ import annotations

import functools
import unicodedata

from analysis import semver
from analysis.errors import (
    BadPatternError,
    InvalidPathError,
    InvalidVersionError,
    ModuleError,
    ModuleVersionError,
)
from analysis.modfile_strconv import quote, quote_rune

__all__ = [
    "check",
    "check_canonical_version",
    "check_file_path",
    "check_import_path",
    "check_path",
    "check_path_major",
    "escape_path",
    "escape_version",
    "is_directory_path",
    "match_path_major",
    "match_prefix_patterns",
    "path_major_prefix",
    "path_match",
    "split_path_version",
    "unescape_path",
    "unescape_version",
]

_MODULE, _IMPORT, _FILE = "module", "import", "file"

_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_MOD_PUNCT = frozenset("-._~")
_FILE_PUNCT = frozenset("!#$%&()+,-.=@[]^_{}~ ")
_FIRST_ELEM_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
_DIGITS = frozenset("0123456789")

_BAD_WINDOWS_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)


class _PathProblem(Exception):
    """A reason a path is bad, before it is wrapped in :class:`InvalidPathError`."""


def _is_valid_utf8(s: str) -> bool:
    # Go strings are bytes; invalid UTF-8 reaches Python as surrogateescape'd code points.
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _char_ok(c: str, kind: str) -> bool:
    if c in _ASCII_ALNUM:
        return True
    if kind == _MODULE:
        return c in _MOD_PUNCT
    if kind == _IMPORT:
        return c in _MOD_PUNCT or c == "+"
    if c < "\x80":
        return c in _FILE_PUNCT
    return unicodedata.category(c).startswith("L")  # unicode.IsLetter


def _check_path(path: str, kind: str) -> None:
    if not _is_valid_utf8(path):
        raise _PathProblem("invalid UTF-8")
    if path == "":
        raise _PathProblem("empty string")
    if path[0] == "-" and kind != _FILE:
        raise _PathProblem("leading dash")
    if "//" in path:
        raise _PathProblem("double slash")
    if path[-1] == "/":
        raise _PathProblem("trailing slash")
    for elem in path.split("/"):
        _check_elem(elem, kind)


def _check_elem(elem: str, kind: str) -> None:
    if elem == "":
        raise _PathProblem("empty path element")
    if elem.count(".") == len(elem):
        raise _PathProblem(f"invalid path element {quote(elem)}")
    if elem[0] == "." and kind == _MODULE:
        raise _PathProblem("leading dot in path element")
    if elem[-1] == ".":
        raise _PathProblem("trailing dot in path element")
    for c in elem:
        if not _char_ok(c, kind):
            raise _PathProblem(f"invalid char {quote_rune(c)}")
    short = elem.partition(".")[0]
    # Go's EqualFold; no non-ASCII rune folds onto the letters of these names, and only
    # file paths may hold non-ASCII runes at all.
    if short.isascii() and short.upper() in _BAD_WINDOWS_NAMES:
        raise _PathProblem(f"{quote(short)} disallowed as path element component on Windows")
    if kind == _FILE:
        return  # Windows short names (FOO~1) only matter for import paths
    tilde = short.rfind("~")
    if 0 <= tilde < len(short) - 1 and all(c in _DIGITS for c in short[tilde + 1 :]):
        raise _PathProblem("trailing tilde and digits in path element")


# A load checks each path many times (every go.mod naming it, every fetch): the answer is
# a pure function of the string.
@functools.lru_cache(maxsize=16384)
def _module_path_problem(path: str) -> str | None:
    try:
        _check_path(path, _MODULE)
    except _PathProblem as e:
        return str(e)
    first = path.partition("/")[0]
    if first == "":
        return "leading slash"
    if "." not in first:
        return "missing dot in first path element"
    if path[0] == "-":
        return "leading dash in first path element"
    for c in first:
        if c not in _FIRST_ELEM_OK:
            return f"invalid char {quote_rune(c)} in first path element"
    if not split_path_version(path)[2]:
        return "invalid version"
    return None


def check_path(path: str) -> None:
    """Check a module path (Go's ``module.CheckPath``).

    Raises :class:`~analysis.errors.InvalidPathError`:

    >>> check_path("x/y")
    Traceback (most recent call last):
    ...
    analysis.errors.InvalidPathError: malformed module path "x/y": missing dot in first path element
    """
    problem = _module_path_problem(path)
    if problem is not None:
        raise InvalidPathError(_MODULE, path, problem)


def check_import_path(path: str) -> None:
    """Check a package import path (Go's ``module.CheckImportPath``); raises
    :class:`~analysis.errors.InvalidPathError` (``malformed import path …``)."""
    try:
        _check_path(path, _IMPORT)
    except _PathProblem as e:
        raise InvalidPathError(_IMPORT, path, str(e)) from None


def check_file_path(path: str) -> None:
    """Check a slash-separated file path inside a module zip (Go's
    ``module.CheckFilePath``); raises :class:`~analysis.errors.InvalidPathError`."""
    try:
        _check_path(path, _FILE)
    except _PathProblem as e:
        raise InvalidPathError(_FILE, path, str(e)) from None


def split_path_version(path: str) -> tuple[str, str, bool]:
    """Split off a major-version suffix: ``(prefix, path_major, ok)`` with
    ``prefix + path_major == path``.

    ``path_major`` is ``""`` or ``/vN`` (N ≥ 2); gopkg.in paths use ``.vN`` for every N,
    optionally followed by ``-unstable``. ``ok`` is false for suffixes CheckPath rejects.

    >>> split_path_version("gopkg.in/yaml.v2"), split_path_version("example.com/m/v1")
    (('gopkg.in/yaml', '.v2', True), ('example.com/m/v1', '', False))
    """
    if path.startswith("gopkg.in/"):
        return _split_gopkg_in(path)
    i = len(path)
    dot = False
    while i > 0 and (path[i - 1] in _DIGITS or path[i - 1] == "."):
        if path[i - 1] == ".":
            dot = True
        i -= 1
    if i <= 1 or i == len(path) or path[i - 1] != "v" or path[i - 2] != "/":
        return path, "", True
    prefix, path_major = path[: i - 2], path[i - 2 :]
    if dot or len(path_major) <= 2 or path_major[2] == "0" or path_major == "/v1":
        return path, "", False
    return prefix, path_major, True


def _split_gopkg_in(path: str) -> tuple[str, str, bool]:
    i = len(path)
    if path.endswith("-unstable"):
        i -= len("-unstable")
    while i > 0 and path[i - 1] in _DIGITS:
        i -= 1
    if i <= 1 or path[i - 1] != "v" or path[i - 2] != ".":
        return path, "", False  # every gopkg.in path ends in .vN
    prefix, path_major = path[: i - 2], path[i - 2 :]
    if len(path_major) <= 2 or (path_major[2] == "0" and path_major != ".v0"):
        return path, "", False
    return prefix, path_major, True


def check_path_major(v: str, path_major: str) -> None:
    """Check that version ``v`` suits the path's major suffix (Go's ``CheckPathMajor``).

    >>> check_path_major("v2.0.0", "")
    Traceback (most recent call last):
    ...
    analysis.errors.InvalidVersionError: version "v2.0.0" invalid: should be v0 or v1, not v2
    """
    if path_major.startswith(".v") and path_major.endswith("-unstable"):
        path_major = path_major.removesuffix("-unstable")
    if v.startswith("v0.0.0-") and path_major == ".v1":
        # Early vgo wrote v0.0.0- pseudo-versions for gopkg.in .v1 paths; Go still accepts them.
        return
    m = semver.major(v)
    if path_major == "":
        if m in ("v0", "v1") or semver.build(v) == "+incompatible":
            return
        want = "v0 or v1"
    elif path_major[0] in "/.":
        if m == path_major[1:]:
            return
        want = path_major[1:]
    else:
        want = path_major
    raise InvalidVersionError(v, f"should be {want}, not {m}")


def match_path_major(v: str, path_major: str) -> bool:
    """Whether :func:`check_path_major` accepts ``v`` for ``path_major``."""
    try:
        check_path_major(v, path_major)
    except InvalidVersionError:
        return False
    return True


def path_major_prefix(path_major: str) -> str:
    """The tag prefix a path suffix implies: ``"/v2"`` → ``"v2"``, ``""`` → ``""``.

    Raises :class:`ValueError` where Go panics (no separator, not a major version).
    """
    if path_major == "":
        return ""
    if path_major[0] not in "/.":
        raise ValueError(f"pathMajor suffix {path_major} passed to PathMajorPrefix lacks separator")
    if path_major.startswith(".v") and path_major.endswith("-unstable"):
        path_major = path_major.removesuffix("-unstable")
    m = path_major[1:]
    if m != semver.major(m):
        raise ValueError(
            f"pathMajor suffix {path_major} passed to PathMajorPrefix is not a valid major version"
        )
    return m


def check(path: str, version: str) -> None:
    """Check a module path and version together (Go's ``module.Check``).

    >>> check("rsc.io/quote", "v2.0.0")
    Traceback (most recent call last):
    ...
    analysis.errors.ModuleVersionError: rsc.io/quote@v2.0.0: invalid version: should be v0 or v1, not v2
    """
    check_path(path)
    if not semver.is_valid(version):
        raise ModuleVersionError(path, "", InvalidVersionError(version, "not a semantic version"))
    _, path_major, _ = split_path_version(path)
    try:
        check_path_major(version, path_major)
    except InvalidVersionError as e:
        raise ModuleVersionError(path, "", e) from None


def check_canonical_version(path: str, version: str) -> None:
    """The check ``go mod edit`` and modfile's editing API apply to exclude and retract
    versions: canonical, and matching the path's major version.

    >>> check_canonical_version("example.com/m", "v2.3.4")
    Traceback (most recent call last):
    ...
    analysis.errors.InvalidVersionError: version "v2.3.4" invalid: should be v2.3.4+incompatible (or module example.com/m/v2)
    """
    _, path_major, path_major_ok = split_path_version(path)
    if version == "" or version != semver.canonical_version(version):
        form = "v1.2.3" if path_major == "" else f"{path_major_prefix(path_major)}.2.3"
        raise InvalidVersionError(version, f"must be of the form {form}")
    if path_major_ok and not match_path_major(version, path_major):
        if path_major == "":
            # The author probably meant vN.x.y+incompatible; say so rather than "v0 or v1".
            raise InvalidVersionError(
                version,
                f"should be {version}+incompatible (or module {path}/{semver.major(version)})",
            )
        check_path_major(version, path_major)


# --------------------------------------------------------------------------------------
# Case escaping for the module cache and the proxy protocol
# --------------------------------------------------------------------------------------


def _escape_string(s: str) -> str:
    if s.isascii() and "!" not in s and s == s.lower():
        return s  # nothing to escape (most paths and versions): no loop over characters
    if any(c == "!" or c >= "\x80" for c in s):
        raise ModuleError("internal error: inconsistency in EscapePath")
    return "".join("!" + c.lower() if "A" <= c <= "Z" else c for c in s)


# Both escapes are pure functions of the string, asked for on every request of a load
# (errors are raised again each time: lru_cache keeps only answers).
@functools.lru_cache(maxsize=16384)
def escape_path(path: str) -> str:
    """The case-escaped form of a module path: each capital ``X`` becomes ``!x``.

    Raises :class:`~analysis.errors.InvalidPathError` for an invalid module path.

    >>> escape_path("github.com/GoogleCloudPlatform/omega")
    'github.com/!google!cloud!platform/omega'
    """
    check_path(path)
    return _escape_string(path)


@functools.lru_cache(maxsize=16384)
def escape_version(v: str) -> str:
    """The case-escaped form of a version (``v1.0.0-RC1`` → ``v1.0.0-!r!c1``). Versions need
    not be semver but must be valid file names without ``!``."""
    try:
        _check_elem(v, _FILE)
    except _PathProblem:
        raise InvalidVersionError(v, "disallowed version string") from None
    if "!" in v:
        raise InvalidVersionError(v, "disallowed version string")
    return _escape_string(v)


def _unescape_string(escaped: str) -> str | None:
    out: list[str] = []
    bang = False
    for c in escaped:
        if c >= "\x80":
            return None
        if bang:
            bang = False
            if not "a" <= c <= "z":
                return None
            out.append(c.upper())
        elif c == "!":
            bang = True
        elif "A" <= c <= "Z":
            return None
        else:
            out.append(c)
    return None if bang else "".join(out)


def unescape_path(escaped: str) -> str:
    """The module path an escaped path names; raises
    :class:`~analysis.errors.ModuleError` (``invalid escaped module path "…"``)."""
    path = _unescape_string(escaped)
    if path is None:
        raise ModuleError(f"invalid escaped module path {quote(escaped)}")
    problem = _module_path_problem(path)
    if problem is not None:
        inner = InvalidPathError(_MODULE, path, problem)
        raise ModuleError(f"invalid escaped module path {quote(escaped)}: {inner}")
    return path


def unescape_version(escaped: str) -> str:
    """The version an escaped version names; raises
    :class:`~analysis.errors.ModuleError` (``invalid escaped version "…"``)."""
    v = _unescape_string(escaped)
    if v is None:
        raise ModuleError(f"invalid escaped version {quote(escaped)}")
    try:
        _check_elem(v, _FILE)
    except _PathProblem as e:
        raise ModuleError(f"invalid escaped version {quote(v)}: {e}") from None
    return v


# --------------------------------------------------------------------------------------
# path.Match and GOPRIVATE-style patterns
# --------------------------------------------------------------------------------------


# Go matches bytes, decoding UTF-8 only for "?" and "[...]"; a "*" may resume matching
# inside a multi-byte character. Working on bytes keeps those corner cases identical.
_RUNE_ERROR = 0xFFFD


def _decode_rune(b: bytes) -> tuple[int, int]:
    """Go's ``utf8.DecodeRune``: ``(rune, size)``, ``(RuneError, 1)`` if invalid."""
    for n in range(1, min(4, len(b)) + 1):
        try:
            text = b[:n].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return ord(text), n
    return _RUNE_ERROR, 1


def _scan_chunk(pattern: bytes) -> tuple[bool, bytes, bytes]:
    """Split off the next chunk: ``(star, chunk, rest)``, where ``chunk`` holds no
    unbracketed ``*`` and ``star`` says whether stars preceded it."""
    star = False
    while pattern[:1] == b"*":
        pattern = pattern[1:]
        star = True
    in_range = False
    i = 0
    while i < len(pattern):
        c = pattern[i : i + 1]
        if c == b"\\":
            if i + 1 < len(pattern):
                i += 1  # a bad trailing backslash is reported by _match_chunk
        elif c == b"[":
            in_range = True
        elif c == b"]":
            in_range = False
        elif c == b"*" and not in_range:
            return star, pattern[:i], pattern[i:]
        i += 1
    return star, pattern, b""


def _get_esc(chunk: bytes) -> tuple[int, bytes]:
    """One possibly escaped rune of a character class, and the rest of the chunk."""
    if not chunk or chunk[:1] in (b"-", b"]"):
        raise BadPatternError
    if chunk[:1] == b"\\":
        chunk = chunk[1:]
        if not chunk:
            raise BadPatternError
    r, n = _decode_rune(chunk)
    rest = chunk[n:]
    if (r == _RUNE_ERROR and n == 1) or not rest:  # invalid UTF-8, or class left open
        raise BadPatternError
    return r, rest


def _match_chunk(chunk: bytes, s: bytes) -> bytes | None:
    """Match ``chunk`` at the start of ``s``: the rest of ``s``, or ``None``.

    After a mismatch the chunk is still scanned so that a malformed pattern is reported.
    """
    failed = False
    while chunk:
        failed = failed or not s
        head = chunk[:1]
        if head == b"[":
            r = -1
            if not failed:
                r, n = _decode_rune(s)
                s = s[n:]
            chunk = chunk[1:]
            negated = chunk[:1] == b"^"
            if negated:
                chunk = chunk[1:]
            matched = False
            nrange = 0
            while True:
                if chunk[:1] == b"]" and nrange > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk = _get_esc(chunk)
                hi = lo
                if chunk[:1] == b"-":
                    hi, chunk = _get_esc(chunk[1:])
                matched = matched or lo <= r <= hi
                nrange += 1
            failed = failed or matched == negated
        elif head == b"?":
            if not failed:
                failed = s[:1] == b"/"
                s = s[_decode_rune(s)[1] :]
            chunk = chunk[1:]
        else:
            if head == b"\\":
                chunk = chunk[1:]
                if not chunk:
                    raise BadPatternError
            if not failed:
                failed = chunk[0] != s[0]
                s = s[1:]
            chunk = chunk[1:]
    return None if failed else s


def _match(pattern: bytes, name: bytes) -> bool:
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return b"/" not in name  # a trailing * matches the rest of this element
        t = _match_chunk(chunk, name)
        # The last chunk must use up the name; otherwise a later star may still match.
        if t is not None and (not t or pattern):
            name = t
            continue
        if star:
            resumed = False
            i = 0
            while i < len(name) and name[i : i + 1] != b"/":
                t = _match_chunk(chunk, name[i + 1 :])
                i += 1
                if t is None or (not pattern and t):
                    continue
                name = t
                resumed = True
                break
            if resumed:
                continue
        # No match; a malformed remainder of the pattern is still an error.
        while pattern:
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, b"")
        return False
    return not name


def path_match(pattern: str, name: str) -> bool:
    """Go's ``path.Match``: shell-style matching where ``*`` and ``?`` never cross ``/``.

    Raises :class:`BadPatternError` (a :class:`ValueError`) for a malformed pattern.
    Python's :mod:`fnmatch` differs (its ``*`` crosses slashes, ``[!…]`` negates).
    Strings are matched as their UTF-8 bytes, as Go does; bytes that are not UTF-8 may
    be passed as ``surrogateescape`` code points.

    >>> path_match("*/quote", "rsc.io/quote"), path_match("*", "a/b")
    (True, False)
    """
    return _match(
        pattern.encode("utf-8", "surrogateescape"), name.encode("utf-8", "surrogateescape")
    )


def match_prefix_patterns(globs: str, target: str) -> bool:
    """Whether some leading path elements of ``target`` match one of the comma-separated
    ``path.Match`` globs (Go's ``module.MatchPrefixPatterns``, used for GOPRIVATE,
    GONOPROXY, GONOSUMDB and GOINSECURE). Empty and malformed globs are skipped; one
    trailing slash on a glob is ignored.

    >>> match_prefix_patterns("rsc.io/private", "rsc.io/privatex")
    False
    """
    for raw in globs.split(","):
        glob = raw.removesuffix("/")
        if not glob:
            continue
        # A glob of N+1 elements is matched against the first N+1 elements of target.
        n = glob.count("/")
        prefix = target
        for i, c in enumerate(target):
            if c == "/":
                if n == 0:
                    prefix = target[:i]
                    break
                n -= 1
        if n > 0:
            continue  # target has too few elements
        try:
            if path_match(glob, prefix):
                return True
        except BadPatternError:
            continue
    return False


def is_directory_path(ns: str) -> bool:
    """Whether a replacement target is a directory, not a module path (modfile's
    ``IsDirectoryPath``): ``.``/``..``, a ``./ ../ / \\`` prefix (either slash), or ``X:``.

    >>> is_directory_path("../fork"), is_directory_path("C:\\\\src"), is_directory_path("example.com/fork")
    (True, True, False)
    """
    return (
        ns in (".", "..")
        or ns.startswith(("./", ".\\", "../", "..\\", "/", "\\"))
        or (len(ns) >= 2 and ns[0].isascii() and ns[0].isalpha() and ns[1] == ":")
    )
