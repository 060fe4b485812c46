"""Go packages inside module versions, read the way ``go get``'s package loader reads them.

A module version's files come from its zip (checked as cmd/go checks a downloaded zip:
every entry under ``path@version/``, valid file paths, no case-insensitive collisions) or
from a local replacement directory. For one package directory we read what
``imports.ScanDir`` reads: the ``.go`` files whose names do not start with ``_`` or
``.``, filtered by file-name GOOS/GOARCH suffixes and ``//go:build`` (or ``// +build``)
lines, and their import blocks::

    >>> files = ModuleFiles({"": (("a.go", b'package a\\nimport "fmt"\\n'),)})
    >>> files.imports("", ANY_TAGS)
    ('fmt',)

``ANY_TAGS`` is ``imports.AnyTags()`` (every tag is true except ``ignore``), which
``go get`` uses while resolving; ``HOST_TAGS`` is the build context of a linux/amd64
host, which ``go get``'s final package check uses.

Standard-library packages are recognised without a toolchain from ``std_packages.txt``
(``go list std``, written by ``scripts/gen_std_packages.py``).
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from analysis.errors import BadModuleZip, InvalidPathError
from analysis.modfile_strconv import quote
from analysis.modpath import check_file_path
from analysis.module import ModuleVersion

__all__ = [
    "ANY_TAGS",
    "HOST_TAGS",
    "BadModuleZip",
    "ModuleFiles",
    "Tags",
    "check_zip_prefix",
    "is_std",
    "is_std_like",
    "match_file",
    "read_imports",
    "read_module_dir",
    "read_module_zip",
    "should_build",
    "std_packages",
    "zip_problems",
]


@dataclass(frozen=True)
class Tags:
    """A build tag set; ``any`` stands for ``imports.AnyTags()``."""

    names: frozenset[str] = frozenset()
    any: bool = False

    def match(self, name: str, prefer: bool) -> bool:
        """``imports.matchTag``."""
        if not name or not all(c.isalnum() or c in "_." for c in name):
            return False
        if self.any and name != "ignore":
            return prefer
        if name in self.names:
            return True
        if name == "linux":
            return "android" in self.names
        if name == "solaris":
            return "illumos" in self.names
        if name == "darwin":
            return "ios" in self.names
        return False


ANY_TAGS = Tags(any=True)
HOST_TAGS = Tags(
    frozenset(
        {"linux", "amd64", "unix", "gc", "cgo", "goexperiment.swissmap"}
        | {f"go1.{n}" for n in range(1, 28)}
    )
)

KNOWN_OS = frozenset(
    [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "js",
        "linux",
        "nacl",
        "netbsd",
        "openbsd",
        "plan9",
        "solaris",
        "wasip1",
        "windows",
        "zos",
    ]
)
KNOWN_ARCH = frozenset(
    [
        "386",
        "amd64",
        "amd64p32",
        "arm",
        "armbe",
        "arm64",
        "arm64be",
        "loong64",
        "mips",
        "mipsle",
        "mips64",
        "mips64le",
        "mips64p32",
        "mips64p32le",
        "ppc",
        "ppc64",
        "ppc64le",
        "riscv",
        "riscv64",
        "s390",
        "s390x",
        "sparc",
        "sparc64",
        "wasm",
    ]
)


# -- files and build constraints ------------------------------------------------------------


def match_file(name: str, tags: Tags) -> bool:
    """``imports.MatchFile``: the ``_GOOS``/``_GOARCH`` file-name suffixes."""
    if tags.any:
        return True
    stem = name.split(".", 1)[0]
    i = stem.find("_")
    if i < 0:
        return True
    parts = stem[i:].split("_")
    if parts and parts[-1] == "test":
        parts = parts[:-1]
    n = len(parts)
    if n >= 2 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        return tags.match(parts[-2], True) and tags.match(parts[-1], True)
    if n >= 1 and parts[-1] in KNOWN_OS:
        return tags.match(parts[-1], True)
    if n >= 1 and parts[-1] in KNOWN_ARCH:
        return tags.match(parts[-1], True)
    return True


_Node = Callable[[bool], bool]
"""A parsed build expression: evaluate with ``prefer``."""

_BUILD_TOKEN = re.compile(r"\s*(\|\||&&|!|\(|\)|[\w.]+)")


def _eval_build(expr: str, tags: Tags) -> bool:
    """Evaluate a ``//go:build`` expression as ``imports.eval`` does (``prefer`` flips
    under ``!`` so that AnyTags makes every expression without ``ignore`` true)."""
    tokens: list[str] = []
    pos = 0
    text = expr.strip()
    while pos < len(text):
        m = _BUILD_TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"bad //go:build expression: {expr}")
        tokens.append(m.group(1))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    i = 0

    def peek() -> str:
        return tokens[i] if i < len(tokens) else ""

    def take() -> str:
        nonlocal i
        if i >= len(tokens):
            raise ValueError(f"bad //go:build expression: {expr}")
        i += 1
        return tokens[i - 1]

    # The parse builds closures so that ``prefer`` is threaded at evaluation time.
    def parse_or() -> _Node:
        left = parse_and()
        while peek() == "||":
            take()
            right = parse_and()
            left = functools.partial(lambda a, b, p: a(p) or b(p), left, right)
        return left

    def parse_and() -> _Node:
        left = parse_not()
        while peek() == "&&":
            take()
            right = parse_not()
            left = functools.partial(lambda a, b, p: a(p) and b(p), left, right)
        return left

    def parse_not() -> _Node:
        tok = take()
        if tok == "!":
            inner = parse_not()
            return functools.partial(lambda a, p: not a(not p), inner)
        if tok == "(":
            inner = parse_or()
            if take() != ")":
                raise ValueError(f"bad //go:build expression: {expr}")
            return inner
        if tok in ("&&", "||", ")"):
            raise ValueError(f"bad //go:build expression: {expr}")
        return functools.partial(lambda name, p: tags.match(name, p), tok)

    node = parse_or()
    if i != len(tokens):
        raise ValueError(f"bad //go:build expression: {expr}")
    return node(True)


def _header_comments(data: bytes) -> list[str]:
    """The ``//`` comment lines before the package clause (blank lines kept as "")."""
    out: list[str] = []
    in_block = False
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if in_block:
            if "*/" in line:
                in_block = False
            continue
        if not line:
            out.append("")
        elif line.startswith("//"):
            out.append(line)
        elif line.startswith("/*"):
            in_block = "*/" not in line[2:]
        else:
            break
    return out


def should_build(data: bytes, tags: Tags) -> bool:
    """``imports.ShouldBuild``: the ``//go:build`` line, else the ``// +build`` lines."""
    header = _header_comments(data)
    for line in header:
        if line.startswith("//go:build") and (len(line) == 10 or line[10] in " \t"):
            return _eval_build(line[10:], tags)
    ok = True
    for line in header:
        body = line[2:].strip()
        if body.startswith("+build") and (len(body) == 6 or body[6] in " \t"):
            alts = body[6:].split()
            if not any(all(_plus_term(term, tags) for term in alt.split(",")) for alt in alts):
                ok = False
    return ok


def _plus_term(term: str, tags: Tags) -> bool:
    if term.startswith("!!"):
        return False
    if term.startswith("!"):
        return not tags.match(term[1:], False)
    return tags.match(term, True)


_TOKEN = re.compile(
    r"""\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|`[^`]*`|[A-Za-z_][\w]*|[().;]|.""",
    re.S,
)


def read_imports(data: bytes) -> tuple[str, tuple[str, ...]]:
    """The package name and the import paths of one Go source file (``ReadImports``)."""
    text = data.decode("utf-8", "replace")
    toks: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok.isspace() or tok.startswith("//") or tok.startswith("/*"):
            if "\n" in tok:
                toks.append("\n")
            continue
        toks.append(tok)
    toks = [t for t in toks if t != "\n"] + [""]
    i = 0
    if toks[i] != "package":
        return "", ()
    name = toks[i + 1]
    i += 2
    if toks[i] == ";":
        i += 1
    imports: list[str] = []

    def spec(j: int) -> int:
        if toks[j] not in ("", ")") and toks[j][:1] not in ('"', "`"):
            j += 1  # a name, "_" or "."
        if toks[j][:1] in ('"', "`"):
            imports.append(_unquote(toks[j]))
            j += 1
        if toks[j] == ";":
            j += 1
        return j

    while toks[i] == "import":
        i += 1
        if toks[i] == "(":
            i += 1
            while toks[i] not in (")", ""):
                before = i
                i = spec(i)
                if i == before:
                    i += 1
            i += 1
        else:
            i = spec(i)
        if toks[i] == ";":
            i += 1
    return name, tuple(imports)


def _unquote(tok: str) -> str:
    if tok.startswith("`"):
        return tok[1:-1]
    body = tok[1:-1]
    if "\\" not in body:
        return body
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape")


# -- module file trees ----------------------------------------------------------------------


class ModuleFiles:
    """The regular files of one module version, grouped by directory (``""`` = root)."""

    def __init__(self, dirs: Mapping[str, Sequence[tuple[str, bytes]]]) -> None:
        self.dirs: dict[str, tuple[tuple[str, bytes], ...]] = {
            d: tuple(files) for d, files in dirs.items()
        }

    def has_go_files(self, rel: str) -> bool:
        """``isDirWithGoFiles``: whether directory ``rel`` holds any ``.go`` file."""
        return any(name.endswith(".go") for name, _ in self.dirs.get(rel, ()))

    def has_package(self, rel: str) -> bool:
        """``dirInModule`` on an extracted module: Go files in ``rel`` and no ``go.mod``
        in ``rel`` or a directory between it and the module root (another module's)."""
        if not self.has_go_files(rel):
            return False
        d = rel
        while d:
            if any(name == "go.mod" for name, _ in self.dirs.get(d, ())):
                return False
            d = d.rpartition("/")[0]
        return True

    def imports(self, rel: str, tags: Tags) -> tuple[str, ...] | None:
        """The non-test imports of the package in ``rel`` (sorted, ``C`` and appengine
        dropped, as modload's ``scanDir`` does); ``None`` when no file matches
        (``ErrNoGo``)."""
        found: set[str] = set()
        matched = 0
        for name, data in self.dirs.get(rel, ()):
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
            if name.endswith("_test.go"):
                continue
            found.update(imps)
        if matched == 0:
            return None
        return tuple(
            sorted(
                p
                for p in found
                if p != "C"
                and p != "appengine"
                and not p.startswith("appengine/")
                and p != "appengine_internal"
                and not p.startswith("appengine_internal/")
            )
        )


MAX_ZIP_FILE = 500 << 20
"""``modzip.MaxZipFile``: the largest module zip (and total uncompressed size) go takes."""
MAX_GO_MOD = 16 << 20
MAX_LICENSE = 16 << 20


def check_zip_prefix(m: ModuleVersion, data: bytes) -> None:
    """``DownloadZip``'s check: every entry lies under ``path@version/`` (raises
    :class:`BadModuleZip` worded as go words it)."""
    prefix = f"{m.path}@{m.version}/"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if not name.startswith(prefix):
                    raise BadModuleZip(f"zip for {m.path}@{m.version} has unexpected file {name}")
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BadModuleZip(f"zip: not a valid zip file ({exc})") from exc


def _fold(s: str) -> str:
    return s.lower()


def zip_problems(m: ModuleVersion, data: bytes) -> str:
    """``modzip.Unzip``'s checks (``checkZip``): what go reports when it extracts ``m``'s
    zip — one ``ENTRY: REASON`` line per bad entry, or the size error — or ``""``."""
    if len(data) > MAX_ZIP_FILE:
        return f"module zip file is too large ({len(data)} bytes; limit is {MAX_ZIP_FILE} bytes)"
    prefix = f"{m.path}@{m.version}/"
    invalid: list[str] = []
    size_error = ""
    seen: dict[str, tuple[str, bool]] = {}

    def collide(p: str, is_dir: bool) -> str:
        other = seen.get(_fold(p))
        if other is not None:
            if p != other[0]:
                return f"case-insensitive file name collision: {quote(other[0])} and {quote(p)}"
            if is_dir != other[1]:
                return f"entry {quote(p)} is both a file and a directory"
            if not is_dir:
                return f"multiple entries for file {quote(p)}"
        else:
            seen[_fold(p)] = (p, is_dir)
        parent = posixpath.dirname(p)
        return collide(parent, True) if parent else ""

    size = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, EOFError) as exc:
        return f"zip: not a valid zip file ({exc})"
    for info in infos:
        full = info.filename
        if not full.startswith(prefix):
            invalid.append(f"{full}: path does not have prefix {quote(prefix)}")
            continue
        name = full[len(prefix) :]
        if not name:
            continue
        is_dir = name.endswith("/")
        if is_dir:
            name = name[:-1]
        if _clean(name) != name:
            invalid.append(f"{full}: file path is not clean")
            continue
        try:
            check_file_path(name)
        except InvalidPathError as exc:
            invalid.append(f"{full}: {exc}")
            continue
        why = collide(name, is_dir)
        if why:
            invalid.append(f"{full}: {why}")
            continue
        if is_dir:
            continue
        base = posixpath.basename(name)
        if base.lower() == "go.mod":
            if base != name:
                invalid.append(f"{full}: go.mod file not in module root directory")
                continue
            if name != "go.mod":
                invalid.append(f"{full}: go.mod files must have lowercase names")
                continue
        sz = info.file_size
        if MAX_ZIP_FILE - size >= sz:
            size += sz
        elif not size_error:
            size_error = (
                "total uncompressed size of module contents too large"
                f" (max size is {MAX_ZIP_FILE} bytes)"
            )
        if name == "go.mod" and sz > MAX_GO_MOD:
            invalid.append(f"{full}: go.mod file too large (max size is {MAX_GO_MOD} bytes)")
            continue
        if name == "LICENSE" and sz > MAX_LICENSE:
            invalid.append(f"{full}: LICENSE file too large (max size is {MAX_LICENSE} bytes)")
            continue
    return size_error or "\n".join(invalid)


def _clean(name: str) -> str:
    """Go's ``path.Clean`` for a relative path."""
    out = posixpath.normpath(name)
    return out[1:] if out.startswith("//") else out


def read_module_zip(m: ModuleVersion, data: bytes) -> ModuleFiles:
    """The files of ``m``'s zip, checked as cmd/go checks a zip it downloads
    (:func:`check_zip_prefix`) and extracts (:func:`zip_problems`); :class:`BadModuleZip`
    holds go's reason (without the ``unzip ZIPFILE:`` go puts before extraction errors,
    which needs the module cache's location)."""
    check_zip_prefix(m, data)
    problems = zip_problems(m, data)
    if problems:
        raise BadModuleZip(problems, extracting=True)
    prefix = f"{m.path}@{m.version}/"
    dirs: dict[str, list[tuple[str, bytes]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            rel = info.filename[len(prefix) :]
            d, _, base = rel.rpartition("/")
            dirs.setdefault(d, []).append((base, z.read(info)))
    return ModuleFiles(dirs)


def read_module_dir(root: Path, rel: str) -> ModuleFiles:
    """Directory ``rel`` of a local module at ``root`` (empty when a ``go.mod`` on the way
    makes it another module's, as ``dirInModule`` rules)."""
    d = root
    parts = [p for p in rel.split("/") if p]
    for part in parts:
        d = d / part
        if (d / "go.mod").is_file():
            return ModuleFiles({})
    try:
        files = [(p.name, p.read_bytes()) for p in sorted(d.iterdir()) if p.is_file()]
    except OSError:
        return ModuleFiles({})
    return ModuleFiles({rel: files})


# -- the standard library ---------------------------------------------------------------------


def std_packages() -> frozenset[str]:
    """Every standard-library import path of Go 1.27 (``go list std``, no ``vendor/``)."""
    return _std()


@functools.cache
def _std() -> frozenset[str]:
    text = resources.files("analysis").joinpath("std_packages.txt").read_text()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def is_std_like(path: str) -> bool:
    """``search.IsStandardImportPath``: no dot in the first path element."""
    return "." not in path.split("/", 1)[0]


def is_std(path: str) -> bool:
    """Whether ``path`` is a standard-library package of Go 1.27."""
    return path in _std()
