"""The ``go mod graph`` reader and the graph-first queries, on hand-made and real graphs."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import pytest
from graphdata import SPEC_GRAPH
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import modfile
from analysis.errors import GoCommandError, GraphError
from analysis.modgraph import (
    ModuleGraph,
    build_list,
    list_modules,
    load_graph,
    parse_graph,
    read_graph,
    run_go_mod_graph,
    selected_versions,
    shortest_paths,
    why,
)
from analysis.module import ModuleVersion
from analysis.semver import mod_compare

MV = ModuleVersion


def test_parse_spec_example() -> None:
    g = parse_graph(SPEC_GRAPH)
    assert g.main == MV("example.com/a")
    assert g.mains == [MV("example.com/a")]
    assert len(g.edges) == 7
    assert g.text() == SPEC_GRAPH
    assert g.versions("example.com/d") == ["v1.3.0", "v1.4.0"]
    assert g.required(MV("example.com/a")) == [
        MV("example.com/b", "v1.2.0"),
        MV("example.com/c", "v1.2.0"),
        MV("example.com/d", "v1.4.0"),
        MV("example.com/e", "v1.2.0"),
    ]
    assert g.requirers(MV("example.com/d", "v1.4.0")) == [
        MV("example.com/a"),
        MV("example.com/c", "v1.2.0"),
    ]
    # The exact `go list -m all` of spec §5.1.
    assert [str(m) for m in list_modules(g)] == [
        "example.com/a",
        "example.com/b v1.2.0",
        "example.com/c v1.2.0",
        "example.com/d v1.4.0",
        "example.com/e v1.2.0",
    ]


def test_selected_versions_use_go_order_not_string_order() -> None:
    g = parse_graph(
        "m a@v1.9.0\nm a@v1.10.0\nm b@v1.0.0-rc.1\nm b@v1.0.0\n"
        "m c@v0.0.0-20200101000000-abcdefabcdef\nm c@v0.0.1\n"
        "m go@1.21rc1\nm go@1.21.0\nm go@1.21\nm toolchain@go1.21.3\n"
    )
    assert selected_versions(g) == {
        "m": "",
        "a": "v1.10.0",
        "b": "v1.0.0",
        "c": "v0.0.1",
        "go": "1.21.0",
        "toolchain": "go1.21.3",
    }
    assert [str(m) for m in build_list(g)] == ["m", "a@v1.10.0", "b@v1.0.0", "c@v0.0.1"]
    assert MV("go", "1.21.0") in build_list(g, toolchain=True)


def test_build_list_sorts_by_byte_order_and_keeps_main_first() -> None:
    g = parse_graph("z.io/main b.io/x@v1.0.0\nz.io/main B.io/x@v1.0.0\nz.io/main a.io/ü@v1.0.0\n")
    assert [m.path for m in build_list(g)] == ["z.io/main", "B.io/x", "a.io/ü", "b.io/x"]


def test_workspace_graphs_have_several_main_modules() -> None:
    g = parse_graph("w/a x@v1.0.0\nw/b x@v1.1.0\nw/a w/b\n")
    assert g.mains == [MV("w/a"), MV("w/b")]
    assert [str(m) for m in build_list(g)] == ["w/a", "w/b", "x@v1.1.0"]


def test_empty_graph_with_a_named_main_module() -> None:
    g = parse_graph("", main="example.com/m")
    assert g.mains == [MV("example.com/m")]
    assert build_list(g) == [MV("example.com/m")]
    assert g.text() == ""
    with pytest.raises(GraphError, match="no main module"):
        _ = parse_graph("").main


def test_blank_lines_and_crlf_are_accepted() -> None:
    g = parse_graph("m a@v1.0.0\r\n\r\nm b@v1.0.0\r\n\n")
    assert [str(v) for _, v in g.edges] == ["a@v1.0.0", "b@v1.0.0"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("m a@v1.0.0\nm\n", 'g.txt:2: malformed line "m": want "FROM TO"'),
        ("m a@v1.0.0 b@v1.0.0\n", 'g.txt:1: malformed line "m a@v1.0.0 b@v1.0.0": want "FROM TO"'),
        ("m  a@v1.0.0\n", 'g.txt:1: malformed line "m  a@v1.0.0": want "FROM TO"'),
        (" m a@v1.0.0\n", 'g.txt:1: malformed line " m a@v1.0.0": want "FROM TO"'),
        ("m a@v1.0.0 \n", 'g.txt:1: malformed line "m a@v1.0.0 ": want "FROM TO"'),
        ("m\ta@v1.0.0\n", 'g.txt:1: malformed line "m\ta@v1.0.0": want "FROM TO"'),
        ("m a@\n", 'g.txt:1: missing version in "a@"'),
        ("m @v1.0.0\n", 'g.txt:1: missing module path in "@v1.0.0"'),
        ("m a@v1@v2\n", 'g.txt:1: malformed module "a@v1@v2": too many @'),
        ("m a@1.0.0\n", 'g.txt:1: invalid version "1.0.0" in "a@1.0.0"'),
        ("m a@none\n", 'g.txt:1: invalid version "none" in "a@none"'),
        ("m go@v1.21\n", 'g.txt:1: invalid version "v1.21" in "go@v1.21"'),
        ("m a@v1.0.0\nm b\n", 'g.txt:2: missing version in "b"'),
        ("m a\x01@v1.0.0\n", "g.txt:1: control character in 'a\\x01@v1.0.0'"),
    ],
)
def test_malformed_lines_are_reported_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(GraphError) as info:
        parse_graph(text, "g.txt")
    assert str(info.value) == message
    assert info.value.filename == "g.txt"


def test_invalid_utf8_names_the_line() -> None:
    with pytest.raises(GraphError, match=r"^g.txt:2: invalid UTF-8$"):
        parse_graph(b"m a@v1.0.0\nm \xff@v1.0.0\n", "g.txt")


def test_fast_parse_builds_the_same_networkx_graph_as_add_edges() -> None:
    rng = random.Random(5)
    nodes = [MV(f"p{i}", f"v1.{j}.0") for i in range(30) for j in range(3)]
    edges = [(MV("main"), nodes[0])] + [(rng.choice(nodes), rng.choice(nodes)) for _ in range(400)]
    text = "".join(f"{u} {v}\n" for u, v in edges)
    fast = parse_graph(text)
    slow = ModuleGraph()
    slow.add_edges(edges)
    one = ModuleGraph()
    for u, v in edges:
        one.add_edge(u, v)
    for other in (slow, one):
        assert list(fast.graph.nodes) == list(other.graph.nodes)
        for n in fast.graph.nodes:
            assert list(fast.graph.successors(n)) == list(other.graph.successors(n))
            assert list(fast.graph.predecessors(n)) == list(other.graph.predecessors(n))
        assert fast.edges == other.edges
        assert fast.mains == other.mains
        assert fast.selected() == other.selected()
    # Edge attributes are shared between the successor and predecessor views, as in networkx.
    fast.graph.edges[edges[0]]["w"] = 1
    assert fast.graph.pred[edges[0][1]][edges[0][0]]["w"] == 1


def test_duplicate_edges_are_kept_for_printing() -> None:
    text = "m a@v1.0.0\nm a@v1.0.0\n"
    g = parse_graph(text)
    assert g.text() == text
    assert g.graph.number_of_edges() == 1


def test_a_subgraph_keeps_the_whole_graphs_selection() -> None:
    g = parse_graph("m a@v1.0.0\nm b@v1.2.0\na@v1.0.0 b@v1.0.0\na@v1.0.0 c@v1.0.0\n")
    sub = g.subgraph([e for e in g.edges if e[0].path == "a"])
    assert sub.mains == [ModuleVersion("m")]
    assert sub.text() == "a@v1.0.0 b@v1.0.0\na@v1.0.0 c@v1.0.0\n"
    # b@v1.0.0 is the only b left, but the whole graph selected v1.2.0.
    assert sub.selected() == {"m": "", "a": "v1.0.0", "b": "v1.2.0", "c": "v1.0.0"}
    sub.add_edge(ModuleVersion("c", "v1.0.0"), ModuleVersion("d", "v1.0.0"))
    assert sub.selected()["d"] == "v1.0.0" and sub.selected()["b"] == "v1.2.0"


def test_why_finds_every_shortest_path_in_edge_order() -> None:
    g = parse_graph(
        "m a@v1.0.0\nm b@v1.0.0\nm c@v1.0.0\n"
        "a@v1.0.0 d@v1.0.0\nb@v1.0.0 d@v1.1.0\nc@v1.0.0 d@v1.1.0\n"
        "d@v1.1.0 e@v1.0.0\na@v1.0.0 x@v1.0.0\nx@v1.0.0 y@v1.0.0\ny@v1.0.0 e@v1.0.0\n"
    )
    paths = why(g, "d")
    assert [[str(m) for m in p] for p in paths] == [
        ["m", "b@v1.0.0", "d@v1.1.0"],
        ["m", "c@v1.0.0", "d@v1.1.0"],
    ]
    assert why(g, "d@v1.0.0") == [[MV("m"), MV("a", "v1.0.0"), MV("d", "v1.0.0")]]
    assert len(why(g, MV("e", "v1.0.0"))) == 2
    assert why(g, "e", limit=1) == [
        [MV("m"), MV("b", "v1.0.0"), MV("d", "v1.1.0"), MV("e", "v1.0.0")]
    ]
    assert why(g, "nothere") == []
    assert why(g, "d@v9.0.0") == []
    assert why(g, "m") == [[MV("m")]]


def test_shortest_paths_survive_cycles_and_exponential_fans() -> None:
    # 20 diamonds in a row: 2**20 shortest paths; only `limit` are enumerated.
    lines = []
    prev = "m"
    for i in range(20):
        lines += [f"{prev} l{i}@v1.0.0", f"{prev} r{i}@v1.0.0"]
        lines += [f"l{i}@v1.0.0 j{i}@v1.0.0", f"r{i}@v1.0.0 j{i}@v1.0.0"]
        lines.append(f"j{i}@v1.0.0 {prev}" if i == 0 else f"j{i}@v1.0.0 j{i - 1}@v1.0.0")
        prev = f"j{i}@v1.0.0"
    g = parse_graph("\n".join(lines) + "\n")
    paths = shortest_paths(g, MV("j19", "v1.0.0"), limit=50)
    assert len(paths) == 50
    assert all(len(p) == 41 for p in paths)
    assert len({tuple(p) for p in paths}) == 50


def test_read_graph_from_a_file_and_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "g.txt"
    f.write_text(SPEC_GRAPH)
    assert read_graph(f).text() == SPEC_GRAPH
    assert load_graph(tmp_path, f).text() == SPEC_GRAPH

    class Stdin:
        buffer = io.BytesIO(SPEC_GRAPH.encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert read_graph("-").text() == SPEC_GRAPH
    with pytest.raises(GraphError, match=r"missing\.txt: No such file"):
        read_graph(tmp_path / "missing.txt")


# -- recorded graphs that are not `go mod graph` output ------------------------------------

GO_MOD_GRAPH = 'expected the output of `go mod graph` (one "FROM TO" edge per line)'
NOT_GRAPH = (
    "not `go mod graph` output: pass the module's directory as DIR, or record its graph"
    " with `go mod graph > graph.txt`"
)
NO_MAIN = (
    'no line starts with the main module (a path without @version, as in "example.com/m'
    " go@1.22\"): `go mod graph` prints the main module's requirements first, so this is not"
    " its complete output (cut off at the start?)"
)
UTF16 = (
    "UTF-16 text (as PowerShell's > writes): re-save it as UTF-8, e.g."
    " go mod graph | Out-File -Encoding utf8 {}"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", f"empty: {GO_MOD_GRAPH}"),
        (b"\n \r\n\t\n", f"empty: {GO_MOD_GRAPH}"),
        (b"module example.com/m\n\ngo 1.22\n", f"looks like a go.mod file, {NOT_GRAPH}"),
        (b"// a comment\nmodule example.com/m\n", f"looks like a go.mod file, {NOT_GRAPH}"),
        (b"\ngo 1.21\n", f"looks like a go.mod file, {NOT_GRAPH}"),
        (b"require (\n\tx.org/a v1.0.0\n)\n", f"looks like a go.mod file, {NOT_GRAPH}"),
        (
            b"x.org/a v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            f"looks like a go.sum file, {NOT_GRAPH}",
        ),
        (
            b'{\n\t"Path": "example.com/m"\n}\n',
            f"looks like JSON (`go list -m -json`?), {NOT_GRAPH}",
        ),
        (b"a@v1.0.0 b@v1.0.0\nb@v1.0.0 c@v1.0.0\n", NO_MAIN),
        (SPEC_GRAPH[SPEC_GRAPH.index("\nexample.com/b@") + 1 :].encode(), NO_MAIN),  # cut
        ("\ufeff".encode("utf-16-le") + b"m\x00 \x00a\x00@\x00v\x001\x00", UTF16),
        ("m a@v1.0.0\n".encode("utf-16"), UTF16),  # with this machine's BOM
        ("m a@v1.0.0\n".encode("utf-16-be"), UTF16),  # no BOM at all
        ("m a@v1.0.0\n".encode("utf-16-le"), UTF16),
    ],
)
def test_what_is_not_a_recorded_graph_says_what_it_looks_like(
    tmp_path: Path, data: bytes, message: str
) -> None:
    f = tmp_path / "g.txt"
    f.write_bytes(data)
    with pytest.raises(GraphError) as info:
        read_graph(f)
    assert str(info.value) == f"{f}: {message.format(f)}"
    assert (info.value.filename, info.value.line) == (str(f), 0)


def test_standard_input_is_checked_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(b"")

    monkeypatch.setattr(sys, "stdin", Stdin)
    with pytest.raises(GraphError, match=r"^<stdin>: empty: expected the output of `go mod"):
        read_graph("-")
    Stdin.buffer = io.BytesIO("m a@v1.0.0\n".encode("utf-16"))
    with pytest.raises(GraphError, match=r"Out-File -Encoding utf8 graph\.txt$"):
        read_graph("-")


def test_a_graph_cut_off_at_the_end_says_so(tmp_path: Path) -> None:
    f = tmp_path / "g.txt"
    f.write_text(SPEC_GRAPH[: SPEC_GRAPH.rindex("@") + 2])  # "... example.com/x@v"
    with pytest.raises(GraphError) as info:
        read_graph(f)
    assert str(info.value).endswith(
        "(the file ends in the middle of this line: is it truncated?)"
    ), info.value
    f.write_text(SPEC_GRAPH.rstrip("\n"))  # complete, only the last newline missing
    assert read_graph(f).text() == SPEC_GRAPH


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """Windows PowerShell 5's `Out-File -Encoding utf8` writes one; go never does."""
    f = tmp_path / "g.txt"
    f.write_bytes(b"\xef\xbb\xbf" + SPEC_GRAPH.replace("\n", "\r\n").encode())
    g = read_graph(f)
    assert g.text() == SPEC_GRAPH
    assert g.main == MV("example.com/a")
    assert parse_graph("\ufeff" + SPEC_GRAPH).main == MV("example.com/a")
    assert parse_graph(b"\xef\xbb\xbf" + SPEC_GRAPH.encode()).main == MV("example.com/a")


def test_a_module_without_requirements_still_has_its_go_edge(tmp_path: Path) -> None:
    f = tmp_path / "g.txt"
    f.write_text("example.com/m go@1.16\n")  # what Go 1.21+ prints for `module example.com/m`
    assert read_graph(f).main == MV("example.com/m")


def test_running_go_without_go_suggests_a_recorded_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(GoCommandError, match="--graph"):
        run_go_mod_graph(tmp_path)


def test_a_failing_go_command_carries_its_stderr(tmp_path: Path) -> None:
    fake = tmp_path / "go"
    fake.write_text("#!/bin/sh\necho 'go: go.mod file not found' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(GoCommandError) as info:
        run_go_mod_graph(tmp_path, go=str(fake))
    assert str(info.value) == "go: go.mod file not found"  # go's words, whole
    assert info.value.stderr == "go: go.mod file not found\n"
    assert info.value.hint == (
        f"`go mod graph` failed in {tmp_path}; to read a recorded graph instead, pass --graph FILE"
    )


def test_list_modules_marks_indirect_and_replacements() -> None:
    g = parse_graph("m a@v1.0.0\nm b@v1.0.0\nm c@v1.0.0\na@v1.0.0 d@v1.0.0\n")
    f = modfile.parse(
        "go.mod",
        b"module m\n\ngo 1.21\n\nrequire (\n\ta v1.0.0\n\tb v1.0.0 // indirect\n\tc v1.0.0\n)\n\n"
        b"replace a v1.0.0 => a v1.1.0\nreplace b => ./b\nreplace c v0.9.0 => c v0.9.1\n",
    )
    got = list_modules(g, f)
    assert [str(m) for m in got] == [
        "m",
        "a v1.0.0 => a v1.1.0",
        "b v1.0.0 => ./b",
        "c v1.0.0",
        "d v1.0.0",
    ]
    assert [m.indirect for m in got] == [None, False, True, False, True]
    assert [m.indirect for m in list_modules(g)] == [None] * 5


# -- the recorded real-world graphs -----------------------------------------------------


def _corpus_graphs(corpus: Path) -> list[Path]:
    files = sorted((corpus / "graphs").glob("*.txt"))
    assert len(files) >= 10
    return files


def test_every_recorded_graph_parses_and_reprints_exactly(corpus: Path) -> None:
    for f in _corpus_graphs(corpus):
        data = f.read_text()
        g = read_graph(f)
        want = data if data.endswith("\n") else data + "\n"
        assert g.text() == want, f.name
        assert len(g.mains) == 1, f.name


def test_every_file_beside_the_recorded_graphs_is_refused_or_loads(
    corpus: Path, tmp_path: Path
) -> None:
    """Every graph loads, also as Windows tools save it (BOM, CRLF); every go.mod and
    go.sum that sits beside them is refused as what it is."""
    files = sorted(p for p in (corpus / "graphs").rglob("*") if p.is_file())
    assert len(files) > len(_corpus_graphs(corpus))
    for f in files:
        if f.suffix == ".txt":
            windows = tmp_path / f.name
            windows.write_bytes(b"\xef\xbb\xbf" + f.read_bytes().replace(b"\n", b"\r\n"))
            assert read_graph(windows).text() == read_graph(f).text(), f.name
            continue
        kind = {".mod": "a go.mod file", ".sum": "a go.sum file"}[f.suffix]
        with pytest.raises(GraphError, match=f"looks like {kind}, not `go mod graph`"):
            read_graph(f)


def test_recorded_graphs_have_sensible_build_lists(corpus: Path) -> None:
    for f in _corpus_graphs(corpus):
        g = read_graph(f)
        bl = build_list(g)
        assert bl[0] == g.main, f.name
        assert [m.path for m in bl[1:]] == sorted(m.path for m in bl[1:]), f.name
        assert len({m.path for m in bl}) == len(bl)
        assert not any(m.path in ("go", "toolchain") for m in bl)
        for m in bl[1:]:
            requested = [v.version for v in g.nodes() if v.path == m.path]
            # The selected version is requested by someone and is the maximum requested.
            assert m.version in requested, (f.name, m)
            assert all(mod_compare(m.path, v, m.version) <= 0 for v in requested), (f.name, m)
            assert g.requirers(m), (f.name, m)
            assert why(g, m), (f.name, m)


def test_graphs_with_go_and_toolchain_nodes_keep_them(corpus: Path) -> None:
    g = read_graph(corpus / "graphs" / "bascanada__logviewer__go.mod.graph.txt")
    assert MV("go", "1.21") in g
    assert any(m.path == "toolchain" for m in g.nodes())
    assert "go" in selected_versions(g)
    assert not any(m.path == "go" for m in build_list(g))


def _golist_json(path: Path) -> tuple[list[dict[str, object]], str]:
    text = path.read_text()
    objects_part, _, graph_part = text.partition("\n-----")
    graph_part = graph_part.split("\n", 1)[1]
    dec = json.JSONDecoder()
    objs: list[dict[str, object]] = []
    i = 0
    while True:
        while i < len(objects_part) and objects_part[i].isspace():
            i += 1
        if i >= len(objects_part):
            break
        obj, i = dec.raw_decode(objects_part, i)
        objs.append(obj)
    return objs, graph_part


@pytest.mark.parametrize(
    "name", ["Bearer__bearer__go.mod.graph", "ritikchawla__k8s-operator-framework__go.mod.graph"]
)
def test_build_list_equals_recorded_go_list_json(corpus: Path, name: str) -> None:
    objs, graph_text = _golist_json(corpus / "golist-json" / name)
    g = parse_graph(graph_text, name)
    ours = [(m.path, m.version) for m in build_list(g)]
    theirs = [(str(o["Path"]), str(o.get("Version", ""))) for o in objs]
    assert ours == theirs


def test_indirect_marks_equal_recorded_go_list_json(corpus: Path) -> None:
    name = "ritikchawla__k8s-operator-framework"
    objs, graph_text = _golist_json(corpus / "golist-json" / f"{name}__go.mod.graph")
    f = modfile.parse("go.mod", (corpus / "graphs" / "companions" / f"{name}.mod").read_bytes())
    listed = list_modules(parse_graph(graph_text), f)
    assert [bool(m.indirect) for m in listed] == [bool(o.get("Indirect")) for o in objs]


# -- properties -------------------------------------------------------------------------

_tokens = st.sampled_from([f"example.com/p{i}" for i in range(6)])
_versions = st.sampled_from(["v0.1.0", "v0.2.0", "v1.0.0-rc.1", "v1.0.0", "v1.10.0", "v1.9.0"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_tokens, _versions, _tokens, _versions), min_size=1, max_size=40))
def test_parse_reprint_and_selection_properties(edges: list[tuple[str, str, str, str]]) -> None:
    lines = [f"m {edges[0][2]}@{edges[0][3]}"] + [f"{a}@{av} {b}@{bv}" for a, av, b, bv in edges]
    text = "\n".join(lines) + "\n"
    g = parse_graph(text)
    assert g.text() == text
    sel = selected_versions(g)
    for node in g.nodes():
        assert mod_compare(node.path, node.version, sel[node.path]) <= 0 or node.version == ""
