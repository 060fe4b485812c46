"""``gomodx list|graph|conflicts|why`` end to end through the command-line entry point."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT
from gotool import go_env, json_objects, require_go, run_go
from universe import Universe

from tui.cli import main

GRAPH = """\
example.com/m example.com/a@v1.0.0
example.com/m example.com/b@v0.3.0
example.com/m example.com/c@v1.0.0
example.com/m go@1.21
example.com/a@v1.0.0 example.com/b@v0.5.0
example.com/a@v1.0.0 go@1.21
example.com/c@v1.0.0 example.com/d@v1.2.0
go@1.21 toolchain@go1.21
"""

GO_MOD = """\
module example.com/m

go 1.21

require (
	example.com/a v1.0.0
	example.com/b v0.3.0 // indirect
	example.com/c v1.0.0
)

replace example.com/c => ../c
replace example.com/a v1.0.0 => example.com/fork v1.0.1
"""


@pytest.fixture
def mod(tmp_path: Path) -> Path:
    d = tmp_path / "m"
    d.mkdir()
    (d / "go.mod").write_text(GO_MOD)
    (d / "graph.txt").write_text(GRAPH)
    return d


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_text_is_go_list_m_all(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list", str(mod), "--graph", str(mod / "graph.txt")], capsys)
    assert code == 0
    assert out == (
        "example.com/m\n"
        "example.com/a v1.0.0 => example.com/fork v1.0.1\n"
        "example.com/b v0.5.0\n"
        "example.com/c v1.0.0 => ../c\n"
        "example.com/d v1.2.0\n"
    )


def test_list_json(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list", "--json", "--graph", str(mod / "graph.txt"), str(mod)], capsys)
    assert code == 0
    assert json_objects(out) == [
        {
            "Path": "example.com/m",
            "Main": True,
            "Dir": str(mod.resolve()),
            "GoMod": str((mod / "go.mod").resolve()),
            "GoVersion": "1.21",
        },
        {
            "Path": "example.com/a",
            "Version": "v1.0.0",
            "Replace": {"Path": "example.com/fork", "Version": "v1.0.1"},
        },
        {"Path": "example.com/b", "Version": "v0.5.0", "Indirect": True},
        {"Path": "example.com/c", "Version": "v1.0.0", "Replace": {"Path": "../c"}},
        {"Path": "example.com/d", "Version": "v1.2.0", "Indirect": True},
    ]
    # A stream of tab-indented objects, as go prints them.
    assert out.startswith('{\n\t"Path"') and "\n}\n{\n" in out


def test_list_without_a_go_mod_knows_no_indirect_or_replace(
    tmp_path: Path, mod: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["list", "--json", "--graph", str(mod / "graph.txt"), str(tmp_path)], capsys)
    assert code == 0
    data = json_objects(out)
    assert data[0] == {"Path": "example.com/m", "Main": True}
    assert all(set(d) == {"Path", "Version"} for d in data[1:])


def test_a_go_mod_of_another_module_is_ignored(
    tmp_path: Path, mod: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "go.mod").write_text("module example.com/other\n\nreplace example.com/a => ./a\n")
    code, out, _ = run(["list", "--graph", str(mod / "graph.txt"), str(other)], capsys)
    assert code == 0 and "=>" not in out and out.startswith("example.com/m\n")


def test_an_empty_graph_is_an_error_not_no_conflicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`: > g.txt; gomodx conflicts --graph g.txt` used to say "no conflicts", exit 0."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "go.mod").write_text("module example.com/lonely\n")
    (tmp_path / "g.txt").write_text("")
    for command in ("conflicts", "list", "graph", "why example.com/x"):
        code, out, err = run([*command.split(), "--graph", "g.txt"], capsys)
        assert (code, out) == (2, ""), command
        assert err == (
            'g.txt: empty: expected the output of `go mod graph` (one "FROM TO" edge per line)\n'
        )
    code, out, err = run(["conflicts", "--graph", "go.mod"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("go.mod: looks like a go.mod file, not `go mod graph` output")


def test_graph_text_is_byte_identical(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["graph", str(mod), "--graph", str(mod / "graph.txt")], capsys)
    assert (code, out) == (0, GRAPH)


def test_graph_reads_stdin(
    mod: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Stdin:
        buffer = io.BytesIO(GRAPH.encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    code, out, _ = run(["graph", "--graph", "-", "--format", "json", str(mod)], capsys)
    assert code == 0
    assert json.loads(out)["Main"] == {"Path": "example.com/m"}


@pytest.mark.parametrize(
    ("fmt", "start"),
    [("dot", "digraph gomodgraph {"), ("mermaid", "flowchart TD"), ("json", "{")],
)
def test_graph_formats_written_atomically(
    mod: Path, capsys: pytest.CaptureFixture[str], fmt: str, start: str
) -> None:
    target = mod / "out" / f"g.{fmt}"
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o640)
    args = [
        "graph",
        str(mod),
        "--graph",
        str(mod / "graph.txt"),
        "--format",
        fmt,
        "-o",
        str(target),
    ]
    code, out, _ = run(args, capsys)
    assert (code, out) == (0, "")
    assert target.read_text().startswith(start)
    assert (target.stat().st_mode & 0o777) == 0o640
    assert os.listdir(target.parent) == [target.name]  # no temporary file left behind


def test_graph_conflicts_only(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["graph", str(mod), "--graph", str(mod / "graph.txt"), "--conflicts-only"]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert out == (
        "example.com/m example.com/a@v1.0.0\n"
        "example.com/m example.com/b@v0.3.0\n"
        "example.com/a@v1.0.0 example.com/b@v0.5.0\n"
    )


def test_output_to_an_impossible_place_is_an_error(
    mod: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["graph", str(mod), "--graph", str(mod / "graph.txt"), "-o", str(mod / "no" / "x")]
    code, _, err = run(args, capsys)
    assert (code, err) == (2, f"gomodx: writing {mod / 'no' / 'x'}: no such file or directory\n")
    assert not (mod / "no").exists()
    args[-1] = str(mod / "graph.txt" / "x")  # under a regular file: unwritable even for root
    code, _, err = run(args, capsys)
    assert (code, err) == (2, f"gomodx: writing {mod / 'graph.txt' / 'x'}: not a directory\n")


def test_output_disk_full_keeps_the_old_file(
    mod: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = mod / "out.txt"
    target.write_text("old")

    def enospc(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", enospc)
    code, out, err = run(
        ["graph", str(mod), "--graph", str(mod / "graph.txt"), "-o", str(target)], capsys
    )
    assert (code, out) == (2, "")
    assert err == f"gomodx: writing {target}: no space left on device\n"
    assert target.read_text() == "old"
    assert not [p for p in mod.iterdir() if p.name.endswith(".tmp")]


# -- graph --focus, --format svg|png -------------------------------------------------------


def test_graph_focus(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graph = ["graph", str(mod), "--graph", str(mod / "graph.txt")]
    code, out, _ = run([*graph, "--focus", "example.com/b"], capsys)
    assert (code, out) == (
        0,
        "example.com/m example.com/a@v1.0.0\n"
        "example.com/m example.com/b@v0.3.0\n"
        "example.com/a@v1.0.0 example.com/b@v0.5.0\n",
    )
    code, out, _ = run([*graph, "--focus", "example.com/a", "--depth", "2"], capsys)
    assert (code, out) == (
        0,
        "example.com/m example.com/a@v1.0.0\n"
        "example.com/a@v1.0.0 example.com/b@v0.5.0\n"
        "example.com/a@v1.0.0 go@1.21\n"
        "go@1.21 toolchain@go1.21\n",
    )
    code, out, _ = run([*graph, "--focus", "example.com/b@v0.3.0", "--format", "json"], capsys)
    nodes = {(n["Path"], n.get("Version", "")): n["Selected"] for n in json.loads(out)["Nodes"]}
    # v0.3.0 lost to v0.5.0 in the whole graph, even though it is alone here.
    assert nodes == {("example.com/m", ""): True, ("example.com/b", "v0.3.0"): False}


@pytest.mark.parametrize("fmt", ["text", "dot", "mermaid", "json", "svg"])
def test_graph_focus_combines_with_every_format(
    mod: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    if fmt == "svg" and shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    args = ["graph", str(mod), "--graph", str(mod / "graph.txt"), "--format", fmt]
    code, whole, _ = run(args, capsys)
    assert code == 0 and "example.com/d" in whole
    code, part, _ = run([*args, "--focus", "example.com/c"], capsys)
    assert code == 0 and "example.com/c" in part and "example.com/d" in part
    assert "example.com/b" not in part and len(part) < len(whole)


def test_graph_svg_is_drawn_by_dot(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    args = ["graph", str(mod), "--graph", str(mod / "graph.txt"), "--format", "svg"]
    code, out, err = run([*args, "--focus", "example.com/b"], capsys)
    assert (code, err) == (0, "")
    svg = ET.fromstring(out)
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert {"example.com/b@v0.3.0", "example.com/b@v0.5.0", "example.com/a@v1.0.0"} <= titles
    assert "example.com/c@v1.0.0" not in titles


def test_graph_png_to_a_file_or_a_pipe_never_a_terminal(
    mod: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    args = ["graph", str(mod), "--graph", str(mod / "graph.txt"), "--format", "png"]
    target = mod / "g.png"
    code, out, _ = run([*args, "-o", str(target)], capsys)
    assert (code, out) == (0, "")
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert not [n for n in os.listdir(mod) if n.endswith(".tmp")]
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(args, capsys)
    assert (code, out) == (2, "")
    assert err == "gomodx: graph: PNG is binary: write it to a file with -o FILE\n"


def test_graph_png_through_a_pipe(mod: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    args = ["graph", str(mod), "--graph", str(mod / "graph.txt"), "--format", "png"]
    proc = subprocess.run(
        [sys.executable, "-m", "tui", *args, "--focus", "example.com/c"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"\x89PNG\r\n\x1a\n")


def test_graph_image_without_graphviz(
    mod: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (mod / "bin").mkdir()
    monkeypatch.setenv("PATH", str(mod / "bin"))  # no dot here
    for fmt in ("svg", "png"):
        target = mod / f"g.{fmt}"
        args = ["graph", str(mod), "--graph", str(mod / "graph.txt"), "--format", fmt]
        code, out, err = run([*args, "-o", str(target)], capsys)
        assert (code, out) == (2, "")
        assert err == (
            "gomodx: graphviz is not installed: install it (apt install graphviz /"
            " brew install graphviz) or use --format dot\n"
        )
        assert not target.exists()
    code, out, _ = run([*args[:-2], "--format", "dot"], capsys)
    assert code == 0 and out.startswith("digraph")  # the way out the message offers
    # The same from a real process whose PATH has no dot.
    proc = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=dict(os.environ, PATH=str(mod / "bin"), PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("gomodx: graphviz is not installed: install it")


def test_graph_focus_mistakes(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graph = ["graph", str(mod), "--graph", str(mod / "graph.txt")]
    code, out, err = run([*graph, "--focus", "example.com/nope"], capsys)
    assert (code, out, err) == (
        2,
        "",
        "gomodx: module example.com/nope is not in the module graph\n",
    )
    code, _, err = run([*graph, "--depth", "2"], capsys)
    assert code == 2 and err.startswith("usage: gomodx graph ")
    assert err.endswith("\ngomodx graph: error: --depth needs --focus MODULE\n")
    for bad in (["--depth", "0"], ["--depth", "x"], ["--conflicts-only"]):
        with pytest.raises(SystemExit) as exit_:
            main([*graph, "--focus", "example.com/b", *bad])
        assert exit_.value.code == 2
    assert "not allowed with argument --focus" in capsys.readouterr().err


def test_graph_help_names_the_default_depth(capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.export import DEFAULT_DEPTH

    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"below MODULE (default: {DEFAULT_DEPTH})" in text
    assert "PNG is binary, so it needs -o FILE unless standard output is a pipe" in text


def test_conflicts_text_and_exit_status(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["conflicts", str(mod), "--graph", str(mod / "graph.txt")], capsys)
    assert code == 1
    assert out == (
        "1 module asked for at several versions by modules in the build:"
        " 1 high, 0 medium, 0 low risk\n"
        "\n"
        "* marks the request that sets the selected version; paths start at the main module\n"
        "\n"
        "example.com/b: selected v0.5.0 (risk: high)\n"
        "  * v0.5.0  example.com/m -> example.com/a@v1.0.0\n"
        "    v0.3.0  example.com/m (go.mod)\n"
        "    - v0 minor jump v0.3.0 -> v0.5.0 (asked by example.com/m): v0 minors may break\n"
    )
    (mod / "calm.txt").write_text("example.com/m example.com/a@v1.0.0\n")
    code, out, _ = run(["conflicts", str(mod), "--graph", str(mod / "calm.txt")], capsys)
    assert code == 0 and out.startswith("no conflicts")
    code, out, _ = run(["conflicts", "--json", str(mod), "--graph", str(mod / "calm.txt")], capsys)
    assert (code, json.loads(out)) == (0, [])


# x@v1.0.0 lost to x@v1.1.0: its requests are not built. z: only x@v1.0.0 asks for
# another version (not a conflict of the build). y: three requests from the build.
OUTSIDE = """\
example.com/m example.com/x@v1.0.0
example.com/m example.com/x@v1.1.0
example.com/m example.com/y@v0.1.0
example.com/m example.com/z@v1.2.0
example.com/x@v1.0.0 example.com/z@v1.0.0
example.com/x@v1.0.0 example.com/y@v0.0.9
example.com/x@v1.1.0 example.com/y@v0.3.0
example.com/x@v1.1.0 example.com/w@v1.0.0
example.com/w@v1.0.0 example.com/y@v0.2.0
"""


def test_conflicts_by_default_only_what_the_build_sees(
    mod: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mod / "outside.txt").write_text(OUTSIDE)
    args = ["conflicts", str(mod), "--graph", str(mod / "outside.txt")]
    code, out, _ = run(args, capsys)
    assert code == 1
    assert out == (
        "2 modules asked for at several versions by modules in the build:"
        " 1 high, 0 medium, 1 low risk\n"
        "1 more is asked for at several versions only by modules outside the build"
        " (older versions MVS did not select): --all shows them\n"
        "\n"
        "* marks the request that sets the selected version; paths start at the main module\n"
        "\n"
        "example.com/y: selected v0.3.0 (risk: high)\n"
        "  * v0.3.0  example.com/m -> example.com/x@v1.1.0\n"
        "    v0.2.0  example.com/m -> example.com/x@v1.1.0 -> example.com/w@v1.0.0\n"
        "    ... 1 more request from the build at v0.1.0 (--all)\n"
        "    - v0 minor jump v0.1.0 -> v0.3.0 (asked by example.com/m and 1 more):"
        " v0 minors may break\n"
        "\n"
        "example.com/x: selected v1.1.0 (risk: low)\n"
        "  * v1.1.0  example.com/m (go.mod)\n"
        "    v1.0.0  example.com/m (go.mod)\n"
        "    - minor upgrade v1.0.0 -> v1.1.0 (asked by example.com/m): compatible by promise\n"
    )
    assert "v0.0.9" not in out and "example.com/z" not in out  # not built
    code, out, _ = run([*args, "--all"], capsys)
    assert code == 1
    assert (
        "y@v0.0.9" not in out
        and "  required by example.com/x@v1.0.0  [requirer not selected]" in out
    )
    assert "example.com/z: selected v1.2.0 (risk: low)" in out
    assert "    - only modules outside the build ask for other versions" in out
    assert out.index("example.com/y:") < out.index("example.com/x:") < out.index("example.com/z:")
    # Only the disagreement outside the build: nothing to fail CI for.
    (mod / "only.txt").write_text(
        OUTSIDE.replace("example.com/y@v0.1.0", "example.com/y@v0.3.0")
        .replace("example.com/w@v1.0.0 example.com/y@v0.2.0\n", "")
        .replace("example.com/m example.com/x@v1.0.0\n", "")
    )
    code, out, _ = run(["conflicts", str(mod), "--graph", str(mod / "only.txt")], capsys)
    assert code == 0
    assert out.startswith("no conflicts: every module in the build asks for the selected version")
    assert "--all shows them" in out


def test_conflicts_min_risk_and_limit(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mod / "outside.txt").write_text(OUTSIDE)
    args = ["conflicts", str(mod), "--graph", str(mod / "outside.txt")]
    code, out, _ = run([*args, "--min-risk", "high"], capsys)
    assert code == 1 and "example.com/y:" in out and "example.com/x:" not in out
    code, out, _ = run([*args, "--limit", "1"], capsys)
    assert code == 1 and "example.com/y:" in out and "example.com/x:" not in out
    assert out.endswith("(1 more conflict not shown: raise --limit)\n")
    (mod / "low.txt").write_text(
        "example.com/m example.com/a@v1.0.0\nexample.com/m example.com/b@v1.0.0\nexample.com/a@v1.0.0 example.com/b@v1.1.0\n"
    )
    code, out, _ = run(
        ["conflicts", str(mod), "--graph", str(mod / "low.txt"), "--min-risk", "medium"], capsys
    )
    assert code == 0  # a compatible upgrade does not fail a --min-risk medium check
    assert out.endswith("(none at medium risk or above)\n")
    for bad in (["--min-risk", "severe"], ["--limit", "0"]):
        with pytest.raises(SystemExit) as exit_:
            main([*args, *bad])
        assert exit_.value.code == 2
    capsys.readouterr()


def test_conflicts_json(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["conflicts", "--json", str(mod), "--graph", str(mod / "graph.txt")], capsys)
    assert code == 1
    [c] = json.loads(out)
    assert c["Path"] == "example.com/b" and c["Selected"] == "v0.5.0"
    assert [(r["By"], r["Version"]) for r in c["Requests"]] == [
        ("example.com/a@v1.0.0", "v0.5.0"),
        ("example.com/m", "v0.3.0"),
    ]
    assert c["Risk"]["Level"] == "high"


def test_conflicts_json_keeps_everything_in_risk_order(
    mod: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mod / "outside.txt").write_text(OUTSIDE)
    args = ["conflicts", "--json", str(mod), "--graph", str(mod / "outside.txt")]
    code, out, _ = run(args, capsys)
    assert code == 1
    data = json.loads(out)
    assert [(c["Path"], c["Risk"]["Level"], c["InBuild"]) for c in data] == [
        ("example.com/y", "high", True),
        ("example.com/x", "low", True),
        ("example.com/z", "low", False),
    ]
    y = data[0]
    assert [(r["By"], r["Version"], r["Selected"]) for r in y["Requests"]] == [
        ("example.com/x@v1.1.0", "v0.3.0", True),
        ("example.com/w@v1.0.0", "v0.2.0", True),
        ("example.com/m", "v0.1.0", True),
        ("example.com/x@v1.0.0", "v0.0.9", False),
    ]
    assert y["Risk"]["Reason"] == y["Risk"]["Reasons"][0]
    code, out, _ = run([*args, "--min-risk", "high"], capsys)
    assert [c["Path"] for c in json.loads(out)] == ["example.com/y"]


def test_conflicts_of_a_big_recorded_graph(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """logviewer (167 modules, 68 paths asked at several versions): a summary and every
    high-risk conflict on the first screen, under 400 lines; --all has every request."""
    graph = corpus / "graphs" / "bascanada__logviewer__go.mod.graph.txt"
    code, out, _ = run(["conflicts", "--graph", str(graph)], capsys)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) <= 400
    assert lines[0] == (
        "55 modules asked for at several versions by modules in the build:"
        " 17 high, 17 medium, 21 low risk"
    )
    assert lines[1].startswith("13 more are asked for at several versions only")
    data = json.loads(run(["conflicts", "--json", "--graph", str(graph)], capsys)[1])
    assert len(data) == 68
    high = [c for c in data if c["InBuild"] and c["Risk"]["Level"] == "high"]
    first_screen = "\n".join(lines[:40])
    for c in high:
        assert f"  {c['Path']} {c['Selected']}: {c['Risk']['Reason']}" in first_screen
    # Only requests from the build, but for the selected version when only modules outside
    # the build ask for it (MVS still counts them): that request explains the selection.
    outside = [ln for ln in lines if "[requirer not in the build]" in ln]
    assert len(outside) == 4 and all(ln.startswith("  * ") for ln in outside)
    code, everything, _ = run(["conflicts", "--all", "--graph", str(graph)], capsys)
    assert code == 1
    requests = sum(len(c["Requests"]) for c in data)
    assert everything.count("  required by ") == requests == 1763
    assert everything.count("[requirer not selected]") == 1399


def test_why(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g = ["--graph", str(mod / "graph.txt"), str(mod)]
    code, out, _ = run(["why", "example.com/b", *g], capsys)
    assert code == 0
    assert out == (
        "# example.com/b@v0.5.0: 1 shortest path, 2 steps\n"
        "example.com/m\n"
        "  requires example.com/a v1.0.0\n"
        "    requires example.com/b v0.5.0\n"
    )
    code, out, _ = run(["why", "example.com/b@v0.3.0", *g], capsys)
    assert code == 0
    assert out == (
        "# example.com/b@v0.3.0 (selected: v0.5.0): 1 shortest path, 1 step\n"
        "example.com/m\n"
        "  requires example.com/b v0.3.0  (selected: v0.5.0)\n"
    )
    code, out, _ = run(["why", "--json", "example.com/d", *g], capsys)
    assert code == 0
    assert json.loads(out) == {
        "Module": {"Path": "example.com/d", "Version": "v1.2.0"},
        "Selected": "v1.2.0",
        "Paths": [
            [
                {"Path": "example.com/m", "Selected": True},
                {"Path": "example.com/c", "Version": "v1.0.0", "Selected": True},
                {"Path": "example.com/d", "Version": "v1.2.0", "Selected": True},
            ]
        ],
    }
    code, out, _ = run(["why", "example.com/zzz", *g], capsys)
    assert (code, out) == (1, "(main module does not need module example.com/zzz)\n")
    code, out, _ = run(["why", "--json", "example.com/b@v9.9.9", *g], capsys)
    assert code == 1 and json.loads(out)["Paths"] == []


def test_malformed_graph_is_reported_like_go(mod: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = mod / "bad.txt"
    bad.write_text("example.com/m example.com/a@v1.0.0\nexample.com/m\n")
    code, out, err = run(["list", str(mod), "--graph", str(bad)], capsys)
    assert (code, out) == (2, "")
    assert err == f'{bad}:2: malformed line "example.com/m": want "FROM TO"\n'


def test_missing_go_suggests_a_recorded_graph(
    mod: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(mod))  # no go here
    code, _, err = run(["conflicts", str(mod)], capsys)
    assert code == 2
    assert "the go command is not installed" in err and "--graph" in err


def test_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["list", str(tmp_path / "nope")], capsys)
    assert code == 2 and "no such file or directory" in err


@pytest.mark.go
def test_commands_run_go_themselves(tmp_path: Path) -> None:
    """The real entry point in a real module: no --graph, go mod graph is run for us."""
    require_go()
    u = Universe(main_path="example.com/main", main_go="1.21")
    u.add("example.com/a", "v1.0.0", [("example.com/b", "v1.1.0")], go="1.21")
    u.add("example.com/c", "v1.0.0", [("example.com/b", "v1.0.0")], go="1.21")
    u.add("example.com/b", "v1.0.0", go="1.16")
    u.add("example.com/b", "v1.1.0", go="1.16")
    u.require("example.com/a", "v1.0.0")
    u.require("example.com/c", "v1.0.0")
    layout = u.write(tmp_path / "u")
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    go_list = run_go(["list", "-m", "all"], layout.main_dir, env).stdout
    go_graph = run_go(["mod", "graph"], layout.main_dir, env).stdout
    env["PYTHONPATH"] = str(ROOT)

    def gomodx(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tui", *args],
            cwd=layout.main_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert gomodx("list").stdout == go_list
    assert gomodx("graph").stdout == go_graph
    p = gomodx("conflicts")
    assert p.returncode == 1 and p.stdout.startswith("1 module asked for at several versions")
    assert "\nexample.com/b: selected v1.1.0 (risk: low)\n" in p.stdout
    p = gomodx("why", "example.com/b")
    assert p.returncode == 0 and "  requires example.com/a v1.0.0\n" in p.stdout


GC_PROBE = """
import gc, sys
import tui.replay
def run(argv):
    print(argv[0], gc.isenabled())
    return 0
tui.replay._run = run
sys.argv = ["gomodx", *sys.argv[1:]]
tui.replay.main()
"""


@pytest.mark.parametrize(
    ("command", "collects"),
    [("graph", False), ("versions", False), ("why", False), ("download", True), ("get", True)],
)
def test_metadata_commands_run_without_the_cycle_collector(command: str, collects: bool) -> None:
    # tui/replay.py's NO_CYCLE_GC: the collector's passes found nothing to free in a graph
    # load; commands that read zips keep it (and so does whoever calls tui.cli.main).
    out = subprocess.run(
        [sys.executable, "-c", GC_PROBE, command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    assert out == f"{command} {collects}\n"
