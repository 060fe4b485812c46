"""Differential tests: analysis.workfile and ``gomodx workjson`` against the real go command.

Each test writes a batch of go.work files from :mod:`goworkgen` (fixed seeds), runs
``go work edit`` on each and compares byte for byte:

* ``go work edit -json`` with ``gomodx workjson`` (stdout, or stderr and exit status);
* ``go work edit -print`` (that is, ``-fmt``) with parse + sort_blocks + cleanup + format;
* ``go work edit -use/-dropuse/-replace/-dropreplace/-godebug/-dropgodebug/-go/-toolchain``
  with the same edits made through :func:`analysis.workfile.edit_flag` and the methods.

``pytest -s`` prints the agreement counts.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from gotool import go_env, go_version, require_go
from goworkgen import USE_DIRS, malformed_gowork, valid_gowork, valid_gowork_with_facts

from analysis import modfile, workfile
from analysis.errors import GomodxError, ModfileError
from tui.commands import workjson

pytestmark = pytest.mark.go

SEED = 20271204
N_VALID = 250
N_MALFORMED = 250
N_EDITS = 300


@dataclass
class Case:
    name: str
    data: bytes
    args: list[str]
    filename: str = "go.work"


@dataclass
class GoResult:
    code: int
    out: bytes
    err: bytes


def _run_cases(cases: Sequence[Case], root: Path) -> list[GoResult]:
    env = go_env(root, GOFLAGS="")
    go = require_go()

    def one(i: int) -> GoResult:
        case = cases[i]
        d = root / f"c{i}"
        d.mkdir(parents=True, exist_ok=True)
        (d / case.filename).write_bytes(case.data)
        proc = subprocess.run(
            [go, "work", "edit", *case.args, case.filename],
            cwd=d,
            env=env,
            capture_output=True,
            timeout=60,
        )
        return GoResult(proc.returncode, proc.stdout, proc.stderr)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, range(len(cases))))


def _report(kind: str, total: int, problems: list[str]) -> None:
    agree = total - len(problems)
    print(f"\n[workfile vs go] {kind}: {agree}/{total} agree")
    if problems:
        shown = "\n\n".join(problems[:12])
        pytest.fail(f"{kind}: {agree}/{total} agree; {len(problems)} disagree:\n\n{shown}")


Outcome = tuple[int, bytes, bytes]


def _in_dir(path: Path, fn: Callable[[], Outcome]) -> Outcome:
    cwd = os.getcwd()
    os.chdir(path)
    try:
        return fn()
    finally:
        os.chdir(cwd)


def _enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _ours_edit(case: Case) -> tuple[int, bytes, bytes]:
    """What ``go work edit FLAGS go.work`` prints, made with analysis.workfile in the order
    ``runEditwork`` works: flag parsing, the -go/-toolchain checks, reading, -go and
    -toolchain, the edits, SortBlocks and Cleanup."""
    go_flag = toolchain_flag = ""
    edits: list[workfile.WorkEdit] = []
    for a in case.args:
        name, _, arg = a.lstrip("-").partition("=")
        if name in ("json", "print", "fmt"):
            continue
        if name == "go":
            go_flag = arg
        elif name == "toolchain":
            toolchain_flag = arg
        else:
            try:
                edits.append(workfile.edit_flag(name, arg))
            except GomodxError as exc:
                return 1, b"", _enc(f"{exc}\n")
    local = go_version()
    if go_flag not in ("", "none") and not modfile.GO_VERSION_RE.match(go_flag):
        return (
            1,
            b"",
            _enc(f'go work: invalid -go option; expecting something like "-go {local}"\n'),
        )
    if toolchain_flag not in ("", "none") and not modfile.TOOLCHAIN_RE.match(toolchain_flag):
        return (
            1,
            b"",
            _enc(
                f'go work: invalid -toolchain option; expecting something like "-toolchain go{local}"\n'
            ),
        )
    try:
        wf = workfile.parse(case.filename, case.data)
    except ModfileError as exc:
        return (
            1,
            b"",
            _enc(f"go: errors parsing {case.filename}:\nerrors parsing go.work:\n{exc}\n"),
        )
    if go_flag == "none":
        wf.drop_go_stmt()
    elif go_flag:
        wf.add_go_stmt(go_flag)
    if toolchain_flag == "none":
        wf.drop_toolchain_stmt()
    elif toolchain_flag:
        wf.add_toolchain_stmt(toolchain_flag)
    for edit in edits:
        edit(wf)
    wf.sort_blocks()
    wf.cleanup()
    if "-json" in case.args:
        return 0, _enc(workfile.workfile_json(wf)), b""
    return 0, wf.format(), b""


def _compare(cases: Sequence[Case], root: Path, ours: object) -> tuple[list[str], int]:
    results = _run_cases(cases, root)
    problems: list[str] = []
    rejected = 0
    for i, (case, go) in enumerate(zip(cases, results, strict=True)):
        code, out, err = ours(case, root / f"c{i}")
        rejected += go.code != 0
        if (code, out, err) != (go.code, go.out, go.err):
            problems.append(
                f"{case.name} {case.args}\n--- input\n{case.data.decode(errors='replace')}"
                f"\n--- go ({go.code})\n{(go.out or go.err).decode(errors='replace')}"
                f"\n--- ours ({code})\n{(out or err).decode(errors='replace')}"
            )
    return problems, rejected


def _ours_json(case: Case, d: Path) -> tuple[int, bytes, bytes]:
    return _in_dir(d, lambda: workjson.render(case.filename))


def _ours_fmt(case: Case, d: Path) -> tuple[int, bytes, bytes]:
    return _ours_edit(case)


def test_generated_valid_json_and_fmt_agree_with_go(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    datas = [valid_gowork(rng) for _ in range(N_VALID)]
    cases = [Case(f"valid{i}", d, ["-json"]) for i, d in enumerate(datas)]
    problems, rejected = _compare(cases, tmp_path / "json", _ours_json)
    assert rejected == 0, f"go rejected {rejected} 'valid' files"
    _report("valid go.work, -json", len(cases), problems)
    cases = [Case(f"valid{i}", d, ["-print"]) for i, d in enumerate(datas)]
    problems, _ = _compare(cases, tmp_path / "fmt", _ours_fmt)
    _report("valid go.work, -fmt (-print)", len(cases), problems)


def test_generated_malformed_agree_with_go(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    cases = []
    for i in range(N_MALFORMED):
        data, name = malformed_gowork(rng)
        cases.append(Case(f"malformed{i} ({name})", data, ["-json"]))
    problems, rejected = _compare(cases, tmp_path, _ours_json)
    print(f"\n[workfile vs go] go rejected {rejected}/{len(cases)} malformed files")
    assert rejected > len(cases) // 2
    _report("malformed go.work, -json", len(cases), problems)


def _edit_flags(rng: random.Random, uses: list[str], keys: list[str]) -> list[str]:
    flags: list[str] = []
    paths = ["example.com/a", "golang.org/x/net", "rsc.io/quote/v3", "gopkg.in/yaml.v2"]
    for _ in range(rng.randint(1, 5)):
        k = rng.random()
        if k < 0.25:
            d = rng.choice(uses) if uses and rng.random() < 0.5 else rng.choice(USE_DIRS)
            flags.append(f"-use={d}")
        elif k < 0.4:
            d = rng.choice(uses) if uses and rng.random() < 0.7 else rng.choice(USE_DIRS)
            flags.append(f"-dropuse={d}")
        elif k < 0.6:
            old = rng.choice(paths) + rng.choice(["", "", "@v1.2.3", "@v1.0.0", "@v1"])
            new = rng.choice(["./fork", "../x", "example.com/fork@v1.0.0", "example.com/b@v0.1.0"])
            sep = rng.choice(["=", "=", "=", " = ", "=>"])
            if rng.random() < 0.05:
                new = rng.choice(["example.com/fork", "bad path@v1", "x@-bad", "x@v 1"])
            flags.append(f"-replace={old}{sep}{new}")
        elif k < 0.7:
            old = rng.choice(paths) + rng.choice(["", "@v1.2.3", "@v1.0.0"])
            flags.append(f"-dropreplace={old}")
        elif k < 0.82:
            key = rng.choice(keys) if keys and rng.random() < 0.5 else rng.choice(["x", "panicnil"])
            val = rng.choice(["1", "0", "go1.21", ""])
            bad = rng.random() < 0.1
            flags.append(
                rng.choice([f"-godebug={key}", f"-godebug={key}='1'"])
                if bad
                else f"-godebug={key}={val}"
            )
        elif k < 0.88:
            key = rng.choice(keys) if keys and rng.random() < 0.7 else "x"
            flags.append(f"-dropgodebug={key}")
        elif k < 0.94:
            flags.append(
                "-go=" + rng.choice(["1.22", "1.27.3", "none", "1.21rc1", "1.30", "1.22", "bad"])
            )
        else:
            flags.append(
                "-toolchain=" + rng.choice(["go1.22.0", "none", "default", "1.21", "go1.27.3"])
            )
    flags.append(rng.choice(["-print", "-json"]))
    return flags


def test_generated_edits_agree_with_go(tmp_path: Path) -> None:
    rng = random.Random(SEED + 2)
    cases = []
    for i in range(N_EDITS):
        data, g = valid_gowork_with_facts(rng)
        cases.append(Case(f"edit{i}", data, _edit_flags(rng, g.uses, g.godebug_keys)))
    problems, rejected = _compare(cases, tmp_path, lambda c, d: _ours_edit(c))
    print(f"\n[workfile vs go] go refused {rejected}/{len(cases)} edit command lines")
    _report("go work edit FLAGS", len(cases), problems)


DIRECTED = [
    (b"// top\n\nuse ./a\n", ["-go=1.22", "-toolchain=go1.22.1", "-print"]),
    (b"// top\n// more\n", ["-go=1.22", "-print"]),
    (b"", ["-toolchain=go1.22.1", "-use=x", "-print"]),
    (b"use (\n\t./a\n\t./a\n)\n", ["-use=./a", "-json"]),
    (b"use ./a\nuse ./b // b\n", ["-dropuse=./a", "-print"]),
    (b"godebug a=1\ngodebug (\n\ta=2\n\tb=3\n)\n", ["-godebug=a=9", "-dropgodebug=b", "-json"]),
    (b"replace example.com/a => ./a\nuse ./x\n", ["-replace=example.com/b=./b", "-print"]),
    (b"replace (\n\texample.com/a v1.0.0 => ./a\n)\n", ["-replace=example.com/a=./b", "-print"]),
    (b"go 1.30\n", ["-json"]),
]


def test_directed_edits_agree_with_go(tmp_path: Path) -> None:
    cases = [Case(f"directed{i}", d, a) for i, (d, a) in enumerate(DIRECTED)]
    problems, _ = _compare(cases, tmp_path, lambda c, d: _ours_edit(c))
    _report("directed go work edit", len(cases), problems)


def test_cli_default_file_agrees_with_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``gomodx workjson`` without FILE finds the go.work as ``go work edit -json`` does."""
    root = tmp_path / "ws"
    (root / "a" / "deep").mkdir(parents=True)
    (root / "go.work").write_bytes(b"go 1.22\n\nuse ./a\nfoo\n")
    (tmp_path / "plain").mkdir()
    (tmp_path / "other.work").write_bytes(b"use (\n\t./x\n)\n")
    env = go_env(tmp_path / "env", GOFLAGS="")
    env.pop("GOWORK")
    cases = [
        (root / "a" / "deep", None, "local"),
        (root / "a" / "deep", "auto", "local"),
        (root, "off", "local"),
        (tmp_path / "plain", None, "local"),
        (tmp_path / "plain", str(tmp_path / "other.work"), "local"),
        (tmp_path / "plain", str(tmp_path / "missing.work"), "local"),
        (tmp_path / "plain", "rel.work", "local"),
        (tmp_path / "plain", "rel.work", "auto"),
    ]
    for cwd, gowork, toolchain in cases:
        run_env = {**env, "GOTOOLCHAIN": toolchain}
        monkeypatch.setenv("GOTOOLCHAIN", toolchain)
        if gowork is not None:
            run_env["GOWORK"] = gowork
            monkeypatch.setenv("GOWORK", gowork)
        else:
            monkeypatch.delenv("GOWORK", raising=False)
        proc = subprocess.run(
            [require_go(), "work", "edit", "-json"], cwd=cwd, env=run_env, capture_output=True
        )
        ours = _in_dir(cwd, lambda: workjson.render(None))
        assert ours == (proc.returncode, proc.stdout, proc.stderr), (cwd, gowork)
