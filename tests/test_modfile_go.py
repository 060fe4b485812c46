"""Differential tests: analysis.modfile and ``gomodx modjson`` against the real go command.

Each test writes a batch of go.mod files (the real-world corpus, or files from
:mod:`gomodgen` with fixed seeds), runs ``go mod edit`` on each, and compares byte for byte:

* ``go mod edit -json`` with ``gomodx modjson`` (stdout, or stderr and failure for bad files);
* ``go mod edit -print`` (that is, ``-fmt``) with parse + sort_blocks + cleanup + format;
* ``go mod edit -require/-droprequire/-exclude/-dropexclude/-replace/-dropreplace/...``
  with the same raw edits made through the editing API.

A test fails listing every disagreement; ``pytest -s`` prints the agreement counts.
"""

from __future__ import annotations

import functools
import os
import random
import re
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from gomodgen import malformed_gomod, valid_gomod, valid_gomod_with_facts
from gotool import go_env, require_go

from analysis import modfile, modpath
from analysis.errors import GomodxError, ModfileError
from tui.commands import modjson

pytestmark = pytest.mark.go

SEED = 20270101
N_VALID = 300
N_MALFORMED = 300
N_EDITS = 300
N_MUTANTS = 300


@functools.cache
def _go_binary() -> str:
    """The real go binary: the one on PATH may be a slow launcher script (pyenv shim)."""
    go = require_go()
    goroot = subprocess.run(
        [go, "env", "GOROOT"], capture_output=True, text=True, check=True
    ).stdout.strip()
    real = Path(goroot, "bin", "go")
    return str(real) if real.is_file() else go


@dataclass
class Case:
    """One go.mod and the ``go mod edit`` arguments to run on it (file name last)."""

    name: str
    data: bytes
    args: list[str]
    filename: str = "go.mod"


@dataclass
class GoResult:
    code: int
    out: bytes
    err: bytes


def _run_cases(cases: Sequence[Case], root: Path) -> list[GoResult]:
    """Run ``go mod edit ARGS FILE`` for every case, two at a time, each in its own dir."""
    env = go_env(root)
    go = _go_binary()

    def one(i: int) -> GoResult:
        case = cases[i]
        d = root / f"c{i}"
        d.mkdir(parents=True, exist_ok=True)
        (d / case.filename).write_bytes(case.data)
        proc = subprocess.run(
            [go, "mod", "edit", *case.args, case.filename],
            cwd=d,
            env=env,
            capture_output=True,
            timeout=60,
        )
        return GoResult(proc.returncode, proc.stdout, proc.stderr)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, range(len(cases))))


def _ours_json(case: Case, root: Path, i: int) -> tuple[int, bytes, bytes]:
    path = root / f"c{i}" / case.filename
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        return modjson.render(case.filename)
    finally:
        os.chdir(cwd)


def _report(kind: str, total: int, problems: list[str]) -> None:
    agree = total - len(problems)
    print(f"\n[modfile vs go] {kind}: {agree}/{total} agree")
    if problems:
        shown = "\n\n".join(problems[:15])
        pytest.fail(f"{kind}: {agree}/{total} agree; {len(problems)} disagree:\n\n{shown}")


def _compare_json(cases: Sequence[Case], root: Path) -> tuple[list[str], int]:
    """Compare ``go mod edit -json`` with ``gomodx modjson``; returns problems and how many
    inputs go rejected."""
    results = _run_cases(cases, root)
    problems: list[str] = []
    rejected = 0
    for i, (case, go) in enumerate(zip(cases, results, strict=True)):
        code, out, err = _ours_json(case, root, i)
        if go.code != 0:
            rejected += 1
        if (go.code == 0) != (code == 0):
            problems.append(
                f"{case.name}: go exit {go.code} {go.err[:300]!r}, ours {code} {err[:300]!r}"
            )
        elif go.code == 0 and out != go.out:
            problems.append(
                f"{case.name}: JSON differs\n--- go\n{go.out.decode(errors='replace')}\n--- ours\n{out.decode(errors='replace')}"
            )
        elif go.code != 0 and err != go.err:
            problems.append(f"{case.name}: error differs\n--- go\n{go.err!r}\n--- ours\n{err!r}")
    return problems, rejected


# ---------------------------------------------------------------------------------------------
# go mod edit, emulated with the editing API (cmd/go/internal/modcmd/edit.go)


class EditRejected(Exception):
    pass


def _apply_flags(f: modfile.ModFile, flags: Sequence[str]) -> None:
    """Apply go mod edit's flags as it does: -module, -go and -toolchain first (the last
    of each wins), then the editing flags in order (arguments assumed well-formed)."""
    singles = {"module": "", "go": "", "toolchain": ""}
    edits = []
    for flag in flags:
        name, _, arg = flag.lstrip("-").partition("=")
        if name in singles:
            singles[name] = flag
        else:
            edits.append(flag)
    for flag in [*[v for v in singles.values() if v], *edits]:
        name, _, arg = flag.lstrip("-").partition("=")
        try:
            _apply_flag(f, name, arg)
        except GomodxError as exc:
            raise EditRejected(f"go: -{name}={arg}: {exc}") from None


def _split_pv(arg: str) -> tuple[str, str]:
    path, _, version = arg.partition("@")
    return path.strip(), version.strip()


def _apply_flag(f: modfile.ModFile, name: str, arg: str) -> None:
    if name == "module":
        f.add_module_stmt(arg)
    elif name == "go":
        if arg == "none":
            f.drop_go_stmt()
        else:
            f.add_go_stmt(arg)
    elif name == "toolchain":
        if arg == "none":
            f.drop_toolchain_stmt()
        else:
            f.add_toolchain_stmt(arg)
    elif name == "require":
        f.add_require(*_split_pv(arg))
    elif name == "droprequire":
        f.drop_require(arg)
    elif name == "exclude":
        f.add_exclude(*_split_pv(arg))
    elif name == "dropexclude":
        f.drop_exclude(*_split_pv(arg))
    elif name == "replace":
        old, _, new = arg.partition("=")
        old_path, old_version = _split_pv(old.strip())
        new = new.strip()
        if modfile.is_directory_path(new):
            new_path, new_version = new, ""
        else:
            new_path, new_version = _split_pv(new)
        f.add_replace(old_path, old_version, new_path, new_version)
    elif name == "dropreplace":
        if modfile.is_directory_path(arg):
            f.drop_replace(arg, "")
        else:
            f.drop_replace(*_split_pv(arg))
    elif name == "retract" or name == "dropretract":
        if arg.startswith("["):
            low, _, high = arg[1:-1].partition(",")
            vi = modfile.VersionInterval(low.strip(), high.strip())
        else:
            vi = modfile.VersionInterval(arg, arg)
        if name == "retract":
            f.add_retract(vi, "")
        else:
            f.drop_retract(vi)
    elif name == "godebug":
        key, _, value = arg.partition("=")
        f.add_godebug(key, value)
    elif name == "dropgodebug":
        f.drop_godebug(arg)
    elif name == "tool":
        f.add_tool(arg)
    elif name == "droptool":
        f.drop_tool(arg)
    elif name == "ignore":
        f.add_ignore(arg)
    elif name == "dropignore":
        f.drop_ignore(arg)
    else:
        raise AssertionError(f"unknown flag -{name}")


def _ours_edit(case: Case) -> tuple[int, bytes, bytes]:
    """What ``go mod edit FLAGS [-print|-json] go.mod`` would print, via analysis.modfile."""
    flags = [a for a in case.args if a not in ("-print", "-json", "-fmt")]
    try:
        f = modfile.parse(case.filename, case.data)
    except ModfileError as exc:
        return (
            1,
            b"",
            f"go: errors parsing {case.filename}:\n{exc}\n".encode("utf-8", "surrogateescape"),
        )
    try:
        _apply_flags(f, flags)
    except EditRejected as exc:
        return 1, b"", (str(exc) + "\n").encode("utf-8", "surrogateescape")
    f.sort_blocks()
    f.cleanup()
    if "-json" in case.args:
        return 0, modfile.modfile_json(f).encode("utf-8", "surrogateescape"), b""
    return 0, f.format(), b""


def _compare_edits(cases: Sequence[Case], root: Path) -> tuple[list[str], int]:
    """Compare ``go mod edit FLAGS -print|-json`` with our edits; returns problems and how
    many cases go refused."""
    results = _run_cases(cases, root)
    problems: list[str] = []
    rejected = sum(1 for go in results if go.code != 0)
    for case, go in zip(cases, results, strict=True):
        code, out, err = _ours_edit(case)
        if (go.code == 0) != (code == 0):
            problems.append(
                f"{case.name} {case.args}: go exit {go.code} {go.err!r}, ours {code} {err!r}"
            )
        elif go.code == 0 and out != go.out:
            problems.append(
                f"{case.name} {case.args}: output differs\n--- input\n{case.data.decode(errors='replace')}"
                f"\n--- go\n{go.out.decode(errors='replace')}\n--- ours\n{out.decode(errors='replace')}"
            )
        elif go.code != 0 and err != go.err:
            problems.append(
                f"{case.name} {case.args}: error differs\n--- go\n{go.err!r}\n--- ours\n{err!r}"
            )
    return problems, rejected


_SIMPLE_PATH = re.compile(r"[a-z0-9][a-z0-9.\-_/]*[a-z0-9]\Z")


def _edit_flags(
    rng: random.Random,
    paths: list[str],
    excludes: list[tuple[str, str]],
    replaces: list[tuple[str, str]],
) -> list[str]:
    """One to four random ``go mod edit`` flags touching paths the file mentions (or new ones)."""
    fresh = ["example.com/new", "example.com/new/v2", "golang.org/x/fresh", "gopkg.in/fresh.v1"]
    usable = [p for p in paths if _SIMPLE_PATH.match(p)] + fresh

    def version_for(p: str) -> str:
        _, major, _ = modpath.split_path_version(p)
        n = int(major[2:]) if major.startswith(("/v", ".v")) else rng.choice([0, 1])
        return f"v{n}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"

    flags: list[str] = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        p = rng.choice(usable)
        if kind < 0.22:
            flags.append(f"-require={p}@{version_for(p)}")
        elif kind < 0.36:
            flags.append(f"-droprequire={p}")
        elif kind < 0.48:
            if excludes and rng.random() < 0.4:
                ep, ev = rng.choice(excludes)
                if _SIMPLE_PATH.match(ep) and not modfile.must_quote(ev):
                    flags.append(f"-exclude={ep}@{ev}")
                    continue
            v = version_for(p) if rng.random() < 0.9 else "v2.0.0"
            flags.append(f"-exclude={p}@{v}")
        elif kind < 0.56:
            if excludes and rng.random() < 0.7:
                ep, ev = rng.choice(excludes)
                if _SIMPLE_PATH.match(ep) and not modfile.must_quote(ev):
                    flags.append(f"-dropexclude={ep}@{ev}")
                    continue
            flags.append(f"-dropexclude={p}@{version_for(p)}")
        elif kind < 0.72:
            old = p
            if replaces and rng.random() < 0.5:
                rp, rv = rng.choice(replaces)
                if _SIMPLE_PATH.match(rp):
                    old = rp + (f"@{rv}" if rv and rng.random() < 0.7 else "")
            elif rng.random() < 0.3:
                old = f"{p}@{version_for(p)}"
            target = rng.choice(
                ["./fork", "../up", "/abs/x", f"example.com/fork@{version_for('example.com/fork')}"]
            )
            flags.append(f"-replace={old}={target}")
        elif kind < 0.82:
            if replaces and rng.random() < 0.7:
                rp, rv = rng.choice(replaces)
                if _SIMPLE_PATH.match(rp):
                    flags.append(f"-dropreplace={rp}" + (f"@{rv}" if rv else ""))
                    continue
            flags.append(f"-dropreplace={p}")
        elif kind < 0.86:
            flags.append(
                rng.choice(
                    [
                        "-retract=v1.0.0",
                        "-retract=[v1.0.0,v1.2.0]",
                        "-dropretract=v1.0.0",
                        "-retract=v1.9",
                    ]
                )
            )
        elif kind < 0.9:
            flags.append(
                rng.choice(
                    [
                        "-godebug=default=go1.21",
                        "-godebug=panicnil=1",
                        "-dropgodebug=default",
                        "-dropgodebug=x",
                    ]
                )
            )
        elif kind < 0.94:
            flags.append(
                rng.choice(
                    [
                        f"-tool={p}/cmd/t",
                        f"-droptool={p}",
                        "-ignore=./node_modules",
                        "-dropignore=vendor",
                    ]
                )
            )
        else:
            flags.append(
                rng.choice(
                    [
                        "-go=1.23",
                        "-go=none",
                        "-toolchain=go1.25.1",
                        "-toolchain=none",
                        "-module=example.com/renamed",
                    ]
                )
            )
    return flags


# ---------------------------------------------------------------------------------------------
# The tests


def _corpus_files(corpus: Path) -> list[Path]:
    files = sorted((corpus / "gomod").glob("*.mod"))
    files += sorted((corpus / "modfile-testdata").glob("*.in"))
    files += sorted((corpus / "modfile-testdata").glob("*.golden"))
    files += sorted((corpus / "graphs" / "companions").glob("*.mod"))
    return files


def test_corpus_json_and_fmt_agree_with_go(corpus: Path, tmp_path: Path) -> None:
    files = _corpus_files(corpus)
    json_cases = []
    fmt_cases = []
    for p in files:
        data = p.read_bytes()
        # docker/cli keeps its go.mod as vendor.mod: use the real name there.
        name = "vendor.mod" if p.name.endswith("-vendor.mod") else "go.mod"
        json_cases.append(Case(p.name, data, ["-json"], name))
        fmt_cases.append(Case(p.name, data, ["-print"], name))
    problems, rejected = _compare_json(json_cases, tmp_path / "json")
    problems += _compare_edits(fmt_cases, tmp_path / "fmt")[0]
    _report(
        f"corpus files, -json and -fmt ({rejected} rejected by go)", len(json_cases) * 2, problems
    )


def test_corpus_edits_agree_with_go(corpus: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    cases = []
    for p in _corpus_files(corpus):
        data = p.read_bytes()
        try:
            f = modfile.parse("go.mod", data)
        except ModfileError:
            continue
        paths = [r.mod.path for r in f.require]
        excludes = [(x.mod.path, x.mod.version) for x in f.exclude]
        replaces = [(r.old.path, r.old.version) for r in f.replace]
        for _ in range(3):
            flags = _edit_flags(rng, paths, excludes, replaces)
            cases.append(Case(p.name, data, [*flags, rng.choice(["-print", "-print", "-json"])]))
    problems, rejected = _compare_edits(cases, tmp_path)
    _report(f"corpus edits ({rejected} refused by go)", len(cases), problems)


def test_generated_valid_agree_with_go(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    cases = []
    for i in range(N_VALID):
        data = valid_gomod(rng)
        cases.append(Case(f"valid#{i}", data, ["-json"]))
        cases.append(Case(f"valid#{i}", data, ["-print"]))
    json_cases = cases[0::2]
    problems, rejected = _compare_json(json_cases, tmp_path / "json")
    problems += _compare_edits(cases[1::2], tmp_path / "fmt")[0]
    _report(
        f"generated valid files, -json and -fmt ({rejected} rejected by go)", len(cases), problems
    )
    assert rejected == 0, "the generator wrote files go rejects"


def test_generated_malformed_agree_with_go(tmp_path: Path) -> None:
    rng = random.Random(SEED + 2)
    cases = []
    for i in range(N_MALFORMED):
        data, what = malformed_gomod(rng)
        cases.append(Case(f"malformed#{i} ({what})", data, ["-json"]))
    problems, rejected = _compare_json(cases, tmp_path)
    _report(f"generated malformed files ({rejected} rejected by go)", len(cases), problems)
    assert rejected > N_MALFORMED * 0.8


def test_generated_edits_agree_with_go(tmp_path: Path) -> None:
    rng = random.Random(SEED + 3)
    cases = []
    for i in range(N_EDITS):
        data, g = valid_gomod_with_facts(rng)
        flags = _edit_flags(rng, g.paths, g.excludes, g.replaces)
        cases.append(Case(f"edit#{i}", data, [*flags, rng.choice(["-print", "-print", "-json"])]))
    problems, rejected = _compare_edits(cases, tmp_path)
    _report(f"generated edits ({rejected} refused by go)", len(cases), problems)


DIRECTED_EDITS: list[tuple[str, list[str]]] = [
    (
        "module m\nexclude a v1.0.0\nexclude b v1.0.0\ntool t\n",
        ["-dropexclude=a@v1.0.0", "-dropexclude=b@v1.0.0", "-droptool=t"],
    ),
    ("module m\nexclude a v1.0.0\ntool t\n", ["-dropexclude=a@v1.0.0", "-droptool=t"]),
    ("module m\ntool t\ntool u\n", ["-droptool=t", "-droptool=u"]),
    (
        "module m\nretract v0.1.0\n",
        ["-retract=v1.0.0", "-retract=[v1.1.0,v1.2.0]", "-dropretract=v0.1.0"],
    ),
    ("module m/v2\n", ["-retract=v1.0.0"]),
    ("", ["-require=a.b/c@v1.0.0", "-go=1.21", "-module=x.y/z"]),
    (
        "module m\nrequire (\n\ta v1.0.0 // one\n\ta v1.1.0 // two\n)\nrequire a v1.2.0\n",
        ["-require=a@v2.0.0"],
    ),
    (
        "module m\nreplace (\n\ta v1.0.0 => ./x\n\ta => ./y\n\ta v1.1.0 => ./z\n)\n",
        ["-replace=a=./w"],
    ),
    (
        "module m\nreplace (\n\ta v1.0.0 => ./x\n\ta => ./y\n)\n",
        ["-replace=a@v1.0.0=b@v1.0.0", "-dropreplace=a"],
    ),
    (
        "module m\nexclude (\n\ta v1.0.0\n)\n",
        ["-exclude=a@v1.0.0", "-exclude=a@v0.9.0", "-exclude=b@v1.0.0"],
    ),
    ("module m\ngo 1.21\nexclude (\n\ta v1.10.0\n\ta v1.9.0\n)\n", ["-exclude=a@v1.2.0"]),
    ("module m\ngo 1.20\nexclude (\n\ta v1.10.0\n\ta v1.9.0\n)\n", ["-exclude=a@v1.2.0"]),
    ("module m\ngodebug (\n\tx=1\n\ty=2\n)\ngodebug x=3\n", ["-godebug=x=4", "-dropgodebug=y"]),
    ("module m\ngo 1.21\ntoolchain go1.22.0\n", ["-go=none", "-toolchain=none"]),
    ("module m\n", ["-toolchain=go1.23.0", "-go=1.22"]),
    (
        "module m\nrequire a v1.0.0\n",
        ["-tool=a/cmd/x", "-tool=a/cmd/x", "-ignore=./n", "-ignore=./n"],
    ),
    (
        "// c\nmodule m // m\n\nrequire (\n\ta v1.0.0 // a\n)\n",
        ["-droprequire=a", "-require=b@v1.0.0"],
    ),
    ("module m\nexclude a v1.0.0\n", ["-exclude=a/v2@v1.0.0"]),
    ("module m\n", ["-exclude=a@v2.0.0"]),
    ("module m\n", ["-retract=v1.2"]),
]


def test_directed_edits_agree_with_go(tmp_path: Path) -> None:
    cases = [
        Case(f"directed#{i}", src.encode(), [*flags, out])
        for i, (src, flags) in enumerate(DIRECTED_EDITS)
        for out in ("-print", "-json")
    ]
    problems, rejected = _compare_edits(cases, tmp_path)
    _report(f"directed edits ({rejected} refused by go)", len(cases), problems)


def test_text_encodings_agree_with_go(tmp_path: Path) -> None:
    """CRLF, a byte-order mark, bytes that are not UTF-8, and non-ASCII text."""
    texts: list[bytes] = [
        b"module m\r\ngo 1.21\r\n\r\nrequire (\r\n\tx.y/z v1.0.0 // indirect\r\n)\r\n",
        b"module m\r\n// c\r\r\nrequire x.y/z v1.0.0\r\n",
        b"\xef\xbb\xbfmodule m\n",
        b"module m\n\xef\xbb\xbf\n",
        b"module m\xff\x80\n",
        b"module m // \xff comment\nrequire a.b/c v1.0.0 // indirect \xfe\n",
        b'module "m\\xff\\xc3\\xa9"\n',
        b"module \xc3\n",
        b"module m\nrequire \xed\xa0\x80 v1.0.0\n",
        "module exämple.com/ünï // 日本語\n\nrequire (\n\tgolang.org/x/ü v1.0.0 // 注释\n)\n".encode(),
        "module m\n// Deprecated: <use> & “other”\u2028x\n".encode(),
        "// Deprecated: <use> & “other”\u2028x\nmodule m\n".encode(),
        b'module "m\\u2028\\x01\\b\\f\\t\\"\\\\\\x7f\\x1b"\n',
        b"module m\nrequire a.b/c v1.0.0\t//\tindirect\n",
        b"module m\n\nrequire a.b/c v1.0.0 // indirect\xc2\xa0\n",
        "module m\nrequire a.b/c v1.0.0 //\u00a0indirect\n".encode(),
        "module m\nrequire a.b/c\u3000v1.0.0\n".encode(),
        "module m\nrequire a.b/\U0001f600 v1.0.0\n".encode(),
        "module m\nrequire a.b/\u0378 v1.0.0\n".encode(),  # unassigned code point
        "module m\nrequire a.b/\U0001f6dc v1.0.0\n".encode(),  # assigned in Unicode 15
        b"module m",
        b"",
        b"\n\n\n",
        b"// only a comment",
        b"module m\n\x00\n",
    ]
    cases = [Case(f"text#{i} {t[:40]!r}", t, ["-json"]) for i, t in enumerate(texts)]
    problems, _ = _compare_json(cases, tmp_path / "json")
    fmt = [Case(c.name, c.data, ["-print"]) for c in cases]
    problems += _compare_edits(fmt, tmp_path / "fmt")[0]
    _report("text encodings", len(cases) * 2, problems)


def test_corpus_mutants_agree_with_go(corpus: Path, tmp_path: Path) -> None:
    """Corpus files with a few random bytes or tokens inserted or deleted."""
    rng = random.Random(SEED + 4)
    sources = [p.read_bytes() for p in _corpus_files(corpus)]
    pieces = [
        *(c.encode() for c in "()[],\"`\\/*\n\r\t .+-@{}'v"),
        *(
            b"//",
            b"/*",
            b"=>",
            b"\x00",
            b"\x7f",
            b"\xff",
            b"\xc3\xa9",
            b"\xe2\x80\xa8",
            b"\xc2\xa0",
        ),
        *(
            b"\xef\xbb\xbf",
            b"module",
            b"require",
            b"retract",
            b"replace",
            b"exclude",
            b"go",
            b"tool",
        ),
        *(b"v2.0.0", b"// indirect", b"\\x41", b"\\u00e9", b"\\q"),
    ]
    cases = []
    for i in range(N_MUTANTS):
        data = bytearray(rng.choice(sources))
        if len(data) > 600:
            start = rng.randrange(len(data) - 400)
            data = data[start : start + rng.randint(100, 600)]
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data) + 1)
            op = rng.random()
            if op < 0.5:
                data[pos:pos] = rng.choice(pieces)
            elif op < 0.8:
                del data[pos : pos + rng.randint(1, 3)]
            else:
                data[pos:pos] = bytes([rng.randrange(256)])
        cases.append(Case(f"mutant#{i}", bytes(data), ["-json"]))
    problems, rejected = _compare_json(cases, tmp_path / "json")
    fmt = [Case(c.name, c.data, ["-print"]) for c in cases]
    problems += _compare_edits(fmt, tmp_path / "fmt")[0]
    _report(f"corpus mutants, -json and -fmt ({rejected} rejected by go)", len(cases) * 2, problems)


def test_cli_modjson_default_file_and_errors(tmp_path: Path) -> None:
    """The installed command: default ./go.mod, absolute error paths, any file name, exit 2."""
    env = go_env(tmp_path)
    (tmp_path / "go.mod").write_bytes(b"module m\nfoo\n")
    (tmp_path / "vendor.mod").write_bytes(b"module example.com/v\n\ngo 1.22\n")
    (tmp_path / "sub").mkdir()
    variants: list[list[str]] = [
        [],
        ["vendor.mod"],
        ["go.mod"],
        ["./go.mod"],
        ["sub/../go.mod"],
        [str(tmp_path / "go.mod")],
        ["missing.mod"],
        ["sub"],
    ]
    for args in variants:
        go = subprocess.run(
            [_go_binary(), "mod", "edit", "-json", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
        )
        ours = subprocess.run(
            [sys.executable, "-m", "tui", "modjson", *args],
            cwd=tmp_path,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
        assert ours.stdout == go.stdout, args
        assert ours.stderr == go.stderr, args
        assert (ours.returncode == 0) == (go.returncode == 0), args
        if go.returncode:
            assert ours.returncode == 2
            assert b"Traceback" not in ours.stderr
