"""The command line as real users type it, on the bundled demo (a ``file://`` GOPROXY, no
network, no go command unless a test puts it on PATH).

* Options may sit before, between or after the positionals of every command, with the
  same result; usage errors show the command's own usage.
* Exit status: 0 fine, 1 found something (go would refuse the change), 2 an error (an
  argument that is malformed or names no module or version).
* A missing or broken go.mod reads like go and suggests nothing misleading, whatever
  ``--source`` says.
* A partial answer says what is missing and why, and fails unless ``--best-effort``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT
from gotool import GO, environ, go_env, json_objects, require_go
from vulngen import write_vulndb

from tui.cli import build_parser, main

DEMO = ROOT / "tui" / "demo"


@dataclass(frozen=True)
class Demo:
    root: Path
    project: Path
    proxy: Path

    def env(self, *, go: bool = False, proxy: Path | None = None) -> dict[str, str]:
        """A hermetic environment on the demo proxy; ``go`` puts the go command on PATH."""
        env = go_env(self.root, proxy=(proxy or self.proxy).as_uri(), GOFLAGS="")
        env["GOMODX_CACHE"] = str(self.root / "gomodx-cache")
        env["GOVULNDB"] = (self.root / "vulndb").as_uri()  # never the public database
        env["PATH"] = "/usr/bin:/bin"
        if go:
            assert GO is not None
            env["PATH"] = f"{Path(GO).parent}:{env['PATH']}"
        return env


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    shutil.copytree(DEMO / "project", tmp_path / "svc")
    write_vulndb(tmp_path / "vulndb", [])
    return Demo(tmp_path, tmp_path / "svc", DEMO / "proxy")


def gomodx(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """``gomodx ARGS`` in-process with ``env`` as the whole environment; a usage error's
    SystemExit becomes its exit status."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="")  # modjson writes bytes
    err = io.StringIO()
    with environ(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    out.flush()
    return code, raw.getvalue().decode(), err.getvalue()


# -- 1. options anywhere ------------------------------------------------------------------

# Every command: its positionals, and option groups (an option with its value).
COMMANDS: dict[str, tuple[list[str], list[list[str]]]] = {
    "list": (["svc"], [["--json"], ["--source", "proxy"], ["-j", "3"]]),
    "graph": (["svc"], [["--format", "json"], ["--focus", "example.com/pricing"], ["-j", "2"]]),
    "conflicts": (["svc"], [["--json"], ["--source=proxy"]]),
    "why": (["example.com/pricing", "svc"], [["--json"], ["--limit", "5"]]),
    "versions": (["example.com/pricing", "svc"], [["--json"], ["--no-majors"], ["--best-effort"]]),
    "get": (
        ["example.com/pricing@v0.7.2", "example.com/money@v1.4.1"],
        [["--dry-run"], ["--json"], ["-C", "svc"]],
    ),
    "downgrade": (["example.com/pricing@v0.7.2", "svc"], [["--dry-run"], ["--json"]]),
    "upgrade": (["example.com/money", "svc"], [["--dry-run"], ["--json"], ["--no-suggest"]]),
    "undo": (["svc"], [["--json"], ["--force"]]),
    "download": (["svc", "example.com/money@v1.4.1"], [["--json"], ["-j", "2"]]),
    "modjson": (["svc/go.mod"], []),
    "workjson": (["ws/go.work"], []),
    "worksync": (["ws"], [["--dry-run"], ["--json"]]),
    "vuln": (["svc"], [["--json"], ["--source", "proxy"], ["-j", "2"]]),
    "doctor": (["svc"], [["--json"], ["--timeout", "2"]]),
    "outdated": (["svc"], [["--json"], ["--direct"], ["--ci=major"], ["-j", "2"]]),
    "tidy": ([], [["--dry-run"], ["--json"], ["-C", "svc"], ["-e"]]),
}


def placements(positionals: list[str], options: list[list[str]]) -> Iterator[list[str]]:
    """The options all before, all between and all after the positionals, each option
    in each slot, and the positionals after ``--``."""
    flat = [word for group in options for word in group]
    slots = len(positionals) + 1
    yield [*flat, *positionals]
    yield [*positionals, *flat]
    yield [*positionals[:1], *flat, *positionals[1:]]
    yield [*flat, "--", *positionals]
    for where in itertools.product(range(slots), repeat=len(options)):
        argv: list[str] = []
        for slot in range(slots):
            for group, chosen in zip(options, where, strict=True):
                if chosen == slot:
                    argv += group
            if slot < len(positionals):
                argv.append(positionals[slot])
        yield argv


def _subcommands() -> set[str]:
    parser = build_parser()
    return {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }


def test_every_command_is_covered() -> None:
    assert set(COMMANDS) == _subcommands()


def test_each_command_imports_only_its_own_module() -> None:
    """The start-up shortcut (``COMMAND_MODULE_OF``) names, for every command, the module
    that registers it: each command parses alone as it does with all of them."""
    from tui.cli import COMMAND_MODULE_OF, COMMAND_MODULES

    assert set(COMMAND_MODULE_OF) == _subcommands()
    assert set(COMMAND_MODULE_OF.values()) <= set(COMMAND_MODULES)
    for name, module in COMMAND_MODULE_OF.items():
        parser = build_parser(name)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert name in sub.choices, (name, module)
        positionals, options = COMMANDS[name]
        argv = [name, *positionals, *(w for g in options for w in g)]
        assert parser.parse_args(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_options_anywhere_parse_the_same(name: str) -> None:
    positionals, options = COMMANDS[name]
    parser = build_parser()
    want = parser.parse_args([name, *positionals, *(w for g in options for w in g)])
    for argv in placements(positionals, options):
        assert parser.parse_args([name, *argv]) == want, argv


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_options_anywhere_give_the_same_result(
    demo: Demo, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo.root)
    (demo.root / "ws").mkdir(exist_ok=True)  # a go.work beside the module, for workjson
    (demo.root / "ws" / "go.work").write_text("go 1.22\n\nuse ../svc\n")
    env = demo.env(go=name == "worksync")  # previews of go work sync run go
    positionals, options = COMMANDS[name]
    flat = [w for g in options for w in g]
    before = gomodx([name, *flat, *positionals], env)
    assert before[0] in (0, 1), before[2]
    for argv in (
        [*positionals, *flat],
        [*positionals[:1], *flat, *positionals[1:]],
        [*flat, "--", *positionals],
    ):
        got = gomodx([name, *argv], env)
        if name == "download":  # timings and cache counters differ between runs
            assert got[0] == before[0], got[2]
            continue
        if name == "doctor":  # free disk space moves; the verdicts may not

            def verdicts(out: str) -> list[tuple[str, str, str]]:
                return [(c["ID"], c["Status"], c["Summary"]) for c in json.loads(out)["Checks"]]

            assert got[0] == before[0] and verdicts(got[1]) == verdicts(before[1]), argv
            continue
        assert got == before, argv


def test_the_case_from_the_issue(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo.root)
    code, out, err = gomodx(
        ["downgrade", "example.com/pricing@v0.7.2", "--dry-run", "--json", "./svc"], demo.env()
    )
    assert code == 0, err
    assert json.loads(out)["Changes"]


def test_dash_dash_ends_the_options(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo.root)
    shutil.copytree(demo.project, demo.root / "-svc")
    code, out, err = gomodx(["list", "--json", "--", "-svc"], demo.env())
    assert code == 0, err
    assert json_objects(out)[0]["Path"] == "example.com/shop"
    code, _, err = gomodx(["list", "-svc"], demo.env())
    assert code == 2 and "usage: gomodx list" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["downgrade", "m@v1.0.0", "--bogus", "svc"], "unrecognized arguments: --bogus"),
        (["versions", "m", "svc", "extra"], "unrecognized arguments: extra"),
        (["why", "--limit"], "argument --limit: expected one argument"),
        (["list", "--source", "nope"], "argument --source: invalid choice"),
        (["downgrade", "--dry-run"], "the following arguments are required: MODULE@VERSION"),
        (["downgrade", "example.com/m", "svc"], "downgrade needs a version"),
        (["versions", "--json"], "MODULE is required"),
        (["versions", "--all", "a", "b"], "--all takes at most one argument"),
        (["graph", "svc", "--depth", "2"], "--depth needs --focus MODULE"),
    ],
)
def test_usage_errors_show_the_commands_usage(demo: Demo, argv: list[str], message: str) -> None:
    code, out, err = gomodx(argv, demo.env())
    assert (code, out) == (2, "")
    assert err.startswith(f"usage: gomodx {argv[0]} "), err
    assert f"gomodx {argv[0]}: error: {message}" in err


# -- 2. exit status: refused (1) or wrong (2) ---------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "code", "stderr"),
    [
        # go would refuse the change by its rules: 1.
        (
            ["upgrade", "example.com/json@v1.3.0"],
            1,
            "go: example.com/json@v1.3.0 indirectly requires example.com/json@v1.3.1,"
            " not example.com/json@v1.3.0\n",
        ),
        (["downgrade", "example.com/cache@v0.4.1"], 1, "go: example.com/cache@v0.4.1: excluded"),
        (["upgrade", "example.com/shop@v1.0.0"], 1, "go: package example.com/shop is in the main"),
        # the argument names nothing, or is malformed: 2.
        (["downgrade", "example.com/pricing@vBAD"], 2, "go: example.com/pricing@vBAD: invalid"),
        (["upgrade", "example.com/pricing@v9.9.9"], 2, "go: example.com/pricing@v9.9.9: reading"),
        (["downgrade", "example.com/pricing@v1.2"], 2, 'no matching versions for query "v1.2"'),
        (["downgrade", "example.com/pricing@<v0.1"], 2, "no matching versions"),
        (["downgrade", "example.com/pricing@>v9"], 2, 'ambiguous semantic version "v9"'),
        (["upgrade", "example.com/nope"], 2, "go: module example.com/nope: reading"),
        (["upgrade", "example.com/nope@patch"], 2, "no existing version is required"),
        (["downgrade", "nodot@v1.0.0"], 2, 'malformed module path "nodot": missing dot'),
        (["downgrade", "example.com/pricing@@"], 2, "go: invalid module version syntax"),
    ],
)
def test_refused_is_1_and_a_wrong_argument_is_2(
    demo: Demo, argv: list[str], code: int, stderr: str
) -> None:
    env = demo.env()
    before = (demo.project / "go.mod").read_bytes()
    args = [*argv, str(demo.project), "--dry-run", "--no-suggest"]
    got, out, err = gomodx(args, env)
    assert got == code, err
    assert err.startswith("go: ") and stderr in err, err
    got, out, _ = gomodx([*args, "--json"], env)
    assert got == code
    if argv[-1] != "example.com/pricing@@":  # refused before any plan exists
        assert json.loads(out)["OK"] is False
    got, _, _ = gomodx(args[:-2], env)  # not a dry run: nothing is written either
    assert got == code
    assert (demo.project / "go.mod").read_bytes() == before


# -- 4. a missing or broken go.mod reads like go, with no misleading hint ------------------------

GRAPH_COMMANDS = [
    ["list"],
    ["graph"],
    ["conflicts"],
    ["why", "example.com/pricing"],
    ["versions", "example.com/pricing", "--no-majors"],
    ["versions", "--all", "--no-majors"],
]
PLAN_COMMANDS = [
    ["downgrade", "example.com/pricing@v0.7.2", "--dry-run"],
    ["upgrade", "example.com/pricing", "--dry-run"],
    ["download"],
    ["undo"],
]
# Every command, with every --source it takes: (argv, --source or "", go on PATH).
WHERE = [
    *(
        (argv, source, go)
        for argv in GRAPH_COMMANDS
        for source, go in (("go", True), ("proxy", True), ("auto", True), ("auto", False))
    ),
    *((argv, "", go) for argv in PLAN_COMMANDS for go in (True, False)),
]


def _ids(case: tuple[list[str], str, bool]) -> str:
    argv, source, go = case
    return " ".join([*argv, *(["--source", source] if source else []), "(go)" if go else "(no go)"])


def _run_broken(demo: Demo, case: tuple[list[str], str, bool]) -> tuple[int, str, str]:
    argv, source, go = case
    if go:
        require_go()
    where = ["--source", source] if source else []
    return gomodx([*argv, str(demo.project), *where], demo.env(go=go))


NO_GO_MOD = (
    "go: go.mod file not found in current directory or any parent directory; see 'go help modules'"
)


@pytest.mark.parametrize("case", WHERE, ids=_ids)
def test_a_broken_go_mod_reads_like_go(demo: Demo, case: tuple[list[str], str, bool]) -> None:
    gomod = demo.project / "go.mod"
    lines = gomod.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("go "))
    lines.insert(at + 1, "foo bar\n")
    gomod.write_text("".join(lines))
    code, out, err = _run_broken(demo, case)
    if case[0] == ["undo"]:  # reads no go.mod: there is simply nothing to undo
        assert code == 1 and "nothing to undo" in err
        return
    assert (code, out) == (2, ""), err
    assert err == f"{gomod}:{at + 2}: unknown directive: foo\n"


@pytest.mark.parametrize("case", WHERE, ids=_ids)
def test_a_missing_go_mod_reads_like_go(demo: Demo, case: tuple[list[str], str, bool]) -> None:
    (demo.project / "go.mod").unlink()
    code, out, err = _run_broken(demo, case)
    argv = case[0]
    assert not [w for w in ("--graph", "not installed", "Traceback") if w in err], err
    if argv[:2] == ["versions", "example.com/pricing"]:  # needs no module, like go list -m
        assert code == 0 and out.startswith("example.com/pricing\n"), err
        return
    assert (code, out) == (2, ""), err
    if argv == ["download"]:  # go says "no modules specified"; gomodx says why
        assert "go.mod file not found" in err and "name modules to download" in err
        return
    assert err == f"{NO_GO_MOD} (in {demo.project})\n"


GO_HINT = "(the go command is not installed, so gomodx read go.mod files through GOPROXY"


def test_the_go_hint_only_for_a_proxy_that_cannot_be_reached(demo: Demo) -> None:
    """Without go, `--source auto` reads go.mod files through GOPROXY: when that proxy is
    down, go is worth suggesting; when a required module does not exist, go fails too."""
    env = demo.env(go=False)
    dead = dict(env, GOPROXY="http://127.0.0.1:9/")  # the discard port: nothing listens
    code, out, err = gomodx(["list", str(demo.project)], dead)
    assert (code, out) == (2, "")
    assert err.startswith("gomodx: example.com/") and GO_HINT in err, err
    code, out, err = gomodx(["list", str(demo.project), "--source", "proxy"], dead)
    assert code == 2 and GO_HINT not in err  # asked for the proxy: nothing to explain

    gomod = demo.project / "go.mod"
    gomod.write_text(
        gomod.read_text().replace("require (\n", "require (\n\texample.com/nope v1.0.0\n", 1)
    )
    code, out, err = gomodx(["graph", str(demo.project)], env)
    assert (code, out) == (2, "")
    assert err.startswith("gomodx: example.com/nope@v1.0.0: reading file://"), err
    assert "--graph" not in err and "not installed" not in err
    # go list (-mod=readonly) stops earlier: go.sum does not vouch for that go.mod.
    code, out, err = gomodx(["list", str(demo.project)], env)
    assert (code, out) == (2, "")
    assert err == (
        "gomodx: example.com/nope@v1.0.0: missing go.sum entry for go.mod file; to add it:\n"
        "\tgo mod download example.com/nope\n"
    ), err


# -- 5. a partial answer says what is missing and why, and fails unless --best-effort ------------


def _broken_proxy(demo: Demo, *missing: str) -> Path:
    proxy = demo.root / "proxy"
    shutil.copytree(demo.proxy, proxy)
    for name in missing:
        (proxy / name).unlink()
    return proxy


@pytest.mark.parametrize("source", ["go", "proxy"])
def test_versions_without_a_build_list_is_partial(demo: Demo, source: str) -> None:
    if source == "go":
        require_go()
    versions = ["versions", "example.com/pricing", str(demo.project), "--no-majors"]
    env = demo.env(go=source == "go")
    code, whole, err = gomodx([*versions, "--source", source], env)
    assert (code, err) == (0, "")
    assert " * v0.8.0-rc.1 " in whole  # the selected version

    # The graph needs example.com/money@v1.4.1's go.mod; versions of pricing do not.
    env["GOPROXY"] = _broken_proxy(demo, "example.com/money/@v/v1.4.1.mod").as_uri()
    shutil.rmtree(Path(env["GOMODCACHE"]), ignore_errors=True)
    shutil.rmtree(Path(env["GOMODX_CACHE"]), ignore_errors=True)
    reason = (
        f"example.com/money@v1.4.1: reading {env['GOPROXY']}/example.com/money/@v/v1.4.1.mod:"
        " no such file or directory"
    )
    warning = (
        "gomodx: warning: partial answer: no build list, so no selected version and only the"
        f" requirements of {demo.project / 'go.mod'} itself: {'go: ' if source == 'go' else ''}"
        f"{reason}\n"
    )
    code, out, err = gomodx([*versions, "--source", source], env)
    assert code == 2
    assert err == warning + (
        "gomodx: the answer is partial (see above): exit status 2; --best-effort accepts it\n"
    )
    assert " * " not in out and out.startswith("example.com/pricing\n")
    code, best, err = gomodx([*versions, "--source", source, "--best-effort"], env)
    assert (code, best, err) == (0, out, warning)
    code, data, _ = gomodx([*versions, "--source", source, "--best-effort", "--json"], env)
    data = json.loads(data)
    assert code == 0 and data["Partial"] is True
    assert data["Warnings"] == [warning.removeprefix("gomodx: warning: ").rstrip("\n")]


def test_versions_all_with_failed_rows_is_partial(demo: Demo) -> None:
    env = demo.env()
    proxy = _broken_proxy(demo)
    for info in (proxy / "example.com/retry/@v").glob("*.info"):
        info.write_text("garbage\n")  # a proxy that answers nonsense for one module
    env["GOPROXY"] = proxy.as_uri()
    versions_all = ["versions", "--all", str(demo.project), "--no-majors"]
    code, out, err = gomodx(versions_all, env)
    lines = err.splitlines()
    assert code == 2
    assert lines[0].startswith("gomodx: example.com/retry: invalid response from proxy"), err
    assert lines[1:] == [
        "gomodx: warning: partial answer: 1 of 24 modules could not be listed",
        "gomodx: the answer is partial (see above): exit status 2; --best-effort accepts it",
    ]
    assert "example.com/retry v1.0.0\n" in out
    code, best, err = gomodx([*versions_all, "--best-effort"], env)
    assert (code, best, err.splitlines()) == (0, out, lines[:2])
