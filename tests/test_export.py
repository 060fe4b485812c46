"""DOT, Mermaid and JSON export, and one module's neighbourhood; DOT is rendered by the real
Graphviz ``dot``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from analysis.conflicts import conflicts
from analysis.errors import GomodxError
from analysis.export import (
    TEXT_FORMATS,
    conflicts_to_json,
    dot_quote,
    graph_to_json,
    mermaid_label,
    neighbourhood,
    to_dot,
    to_format,
    to_json,
    to_mermaid,
    to_text,
)
from analysis.modgraph import ModuleGraph, parse_graph, read_graph
from analysis.module import ModuleVersion

MV = ModuleVersion

# Module paths that would break naive quoting: DOT and HTML metacharacters, escString
# sequences, DOT keywords, a trailing backslash, non-ASCII and astral characters.
ADVERSARIAL = [
    'ex"ample.com/q',
    "back\\slash/x",
    "ünï/cødé",
    "a&amp;b/c",
    "<html>/x",
    "esc\\N/\\l/\\G/\\n",
    "node",
    "edge",
    "digraph",
    "subgraph",
    "trail\\",
    "{a};[b]=c,d->e#f%g|h`i",
    "🦀/x",
    "--/x",
    "#35;/x",
    "end",
]
MAIN = 'ex"ample.com/main'


def _adversarial_graph() -> ModuleGraph:
    lines = [f"{MAIN} {p}@v1.0.0" for p in ADVERSARIAL]
    lines += [f"{ADVERSARIAL[0]}@v1.0.0 {ADVERSARIAL[1]}@v1.1.0", f"{MAIN} go@1.21"]
    lines += ["go@1.21 toolchain@go1.21", f"{ADVERSARIAL[2]}@v1.0.0 go@1.22"]
    return parse_graph("\n".join(lines) + "\n")


def _render(dot_text: str) -> ET.Element:
    exe = shutil.which("dot")
    if exe is None:
        pytest.skip("Graphviz dot is not installed")
    proc = subprocess.run([exe, "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b"", proc.stderr.decode()  # no warnings at all
    return ET.fromstring(proc.stdout)


def _svg_texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]


def _svg_titles(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]


def test_dot_quote() -> None:
    assert dot_quote("plain") == '"plain"'
    assert dot_quote('a"b') == '"a\\"b"'
    assert dot_quote("a\\") == '"a\\\\"'
    assert dot_quote("line\nbreak") == '"line\\nbreak"'


def test_adversarial_paths_render_exactly(tmp_path: Path) -> None:
    g = _adversarial_graph()
    dot = to_dot(g)
    svg = _render(dot)
    texts = _svg_texts(svg)
    for p in ADVERSARIAL:
        assert f"{p}@v1.0.0" in texts, p
    assert MAIN in texts
    assert f"{ADVERSARIAL[1]}@v1.1.0" in texts
    # Every module is one node: nothing split, merged or invented.
    node_titles = [t for t in _svg_titles(svg) if "->" not in t and not t.startswith("legend")]
    assert len(node_titles) == len(ADVERSARIAL) + 2 + 1  # + main, + b@v1.1.0, + graph title


def test_go_and_toolchain_are_left_out_of_dot_and_mermaid() -> None:
    g = _adversarial_graph()
    for text in (to_dot(g), to_mermaid(g)):
        assert "go@1.21" not in text and "toolchain@" not in text and "go@1.22" not in text
    # ... but JSON keeps them, as go mod graph does.
    data = graph_to_json(g)
    assert {"Path": "go", "Version": "1.21", "Selected": False} in data["Nodes"]


def test_dot_styles_follow_modgraphviz_plus_conflicts() -> None:
    g = parse_graph("m a@v1.0.0\nm b@v1.0.0\na@v1.0.0 b@v1.1.0\n")
    dot = to_dot(g, legend=False)
    assert '"m" [label="m", style="filled,bold", fillcolor="#9be89b", penwidth=2];' in dot
    assert '"a@v1.0.0" [label="a@v1.0.0", style=filled, fillcolor="#9be89b"];' in dot
    # The losing version: grey fill (modgraphviz) with a red outline.
    assert (
        '"b@v1.0.0" [label="b@v1.0.0", style=filled, fillcolor="#d9d9d9", color="#d32f2f",'
        ' fontcolor="#d32f2f"];'
    ) in dot
    assert '"a@v1.0.0" -> "b@v1.1.0" [color="#1b5e20", penwidth=2.5];' in dot  # winner
    assert '"m" -> "b@v1.0.0" [color="#9e9e9e", style=dashed];' in dot  # outvoted
    assert '"m" -> "a@v1.0.0";' in dot
    assert "cluster_legend" not in dot
    svg = _render(to_dot(g))
    assert "legend" in _svg_texts(svg)
    assert "sets the maximum" in _svg_texts(svg)


def test_conflicts_only_view_keeps_what_explains_the_conflicts() -> None:
    g = parse_graph(
        "m a@v1.0.0\nm c@v1.0.0\nm u@v1.0.0\na@v1.0.0 b@v1.0.0\nb@v1.0.0 x@v1.0.0\n"
        "c@v1.0.0 x@v1.2.0\nu@v1.0.0 v@v1.0.0\n"
    )
    # Text stays real requirements: the collapsed path m -> b is written out.
    text = to_text(g, conflicts_only=True)
    assert text == (
        "m a@v1.0.0\nm c@v1.0.0\na@v1.0.0 b@v1.0.0\nb@v1.0.0 x@v1.0.0\nc@v1.0.0 x@v1.2.0\n"
    )
    dot = to_dot(g, conflicts_only=True)
    assert '"u@v1.0.0"' not in dot and '"v@v1.0.0"' not in dot
    assert '"a@v1.0.0"' not in dot  # on the way to b only: collapsed
    assert '"m" -> "b@v1.0.0" [color="#616161", style=dotted' in dot and 'label="2 steps"' in dot
    assert '"m" -> "c@v1.0.0";' in dot  # a direct requirement stays one
    assert '"c@v1.0.0" -> "conflict x":"p0":w [color="#1b5e20", penwidth=2.5];' in dot
    assert '"b@v1.0.0" -> "conflict x":"p1":w [color="#9e9e9e", style=dashed];' in dot
    svg = _render(dot)
    texts = {t.strip() for t in _svg_texts(svg)}
    assert {"x", "low risk", "v1.2.0", "selected", "v1.0.0", "2 steps"} <= texts
    data = graph_to_json(g, conflicts_only=True)
    assert {n["Path"] for n in data["Nodes"]} == {"m", "b", "c", "x"}
    assert {"From": {"Path": "m"}, "To": {"Path": "b", "Version": "v1.0.0"}, "Steps": 2} in (
        data["Edges"]
    )
    assert [n.get("Risk") for n in data["Nodes"] if n["Path"] == "x"] == ["low", "low"]
    mermaid = to_mermaid(g, conflicts_only=True, legend=False)
    assert mermaid.splitlines()[0] == "flowchart LR"
    assert "    n0 -->|2 steps| r1" in mermaid and '    subgraph t0 ["x · low risk"]' in mermaid
    assert to_text(g) == g.text()


def test_conflicts_only_view_leaves_out_what_the_build_does_not_see() -> None:
    # z: only x@v1.0.0 (not selected) asks for another version; y: x@v1.0.0 asks for a
    # third version of y, which is left out, while the build's own disagreement stays.
    g = parse_graph(
        "m x@v1.0.0\nm x@v1.1.0\nx@v1.0.0 z@v0.1.0\nx@v1.1.0 z@v0.5.0\nm z@v0.5.0\n"
        "x@v1.0.0 y@v0.0.9\nm y@v0.1.0\nx@v1.1.0 y@v0.3.0\n"
    )
    data = graph_to_json(g, conflicts_only=True)
    assert {(n["Path"], n.get("Version", "")) for n in data["Nodes"]} == {
        ("m", ""),
        ("x", "v1.1.0"),
        ("x", "v1.0.0"),
        ("y", "v0.3.0"),
        ("y", "v0.1.0"),
    }
    dot = to_dot(g, conflicts_only=True)
    assert "conflict z" not in dot and "v0.0.9" not in dot
    _render(dot)


def test_a_requirer_that_is_itself_a_conflicting_version_is_drawn_twice() -> None:
    # b@v1.1.0 is a row of b's table and, as the module asking for c@v1.1.0, a requirer.
    g = parse_graph("m a@v1.0.0\nm b@v1.0.0\na@v1.0.0 b@v1.1.0\nb@v1.1.0 c@v1.1.0\nm c@v1.0.0\n")
    dot = to_dot(g, conflicts_only=True, legend=False)
    assert '"b@v1.1.0" [label="b@v1.1.0"' in dot
    assert '"b@v1.1.0" -> "conflict c":"p0":w' in dot
    assert '"a@v1.0.0" -> "conflict b":"p0":w' in dot
    assert '"m" -> "b@v1.1.0" [color="#616161", style=dotted' in dot  # 2 steps
    texts = _svg_texts(_render(dot))
    assert texts.count("b@v1.1.0") == 1 and "b" in texts and "c" in texts


def test_conflicts_only_adversarial_paths_render_exactly() -> None:
    # Every adversarial path is asked for at two versions: as table titles (HTML-like
    # labels) and requirer names (escStrings) each must survive exactly.
    lines = [f"{MAIN} {p}@v1.0.0" for p in ADVERSARIAL]
    lines += [f"{MAIN} r@v1.0.0"] + [f"r@v1.0.0 {p}@v1.1.0" for p in ADVERSARIAL]
    lines += [f"{ADVERSARIAL[0]}@v1.1.0 {ADVERSARIAL[1]}@v1.2.0"]
    g = parse_graph("\n".join(lines) + "\n")
    for legend in (True, False):
        svg = _render(to_dot(g, conflicts_only=True, legend=legend))
        texts = _svg_texts(svg)
        for p in ADVERSARIAL:
            assert p in texts, p
        assert MAIN in texts and f"{ADVERSARIAL[0]}@v1.1.0" in texts
    text = to_mermaid(g, conflicts_only=True)
    for line in text.splitlines():
        if '["' in line:
            label = line[line.index("[") + 1 : line.rindex("]")]
            assert label.startswith('"') and label.endswith('"'), line
            assert "<" not in label and ">" not in label and "\\" not in label, line


def test_small_conflict_pictures_are_not_grouped() -> None:
    g = parse_graph("m a@v1.0.0\nm b@v1.0.0\na@v1.0.0 b@v1.1.0\n")
    assert "cluster_t" not in to_dot(g, conflicts_only=True)
    assert "subgraph g" not in to_mermaid(g, conflicts_only=True)


def test_recorded_graphs_render_without_warnings(corpus: Path) -> None:
    for name in [
        "dovholuknf__go-deptree__go-mod-graph.txt",
        "jaegdi__go-graph__go.graph.txt",
        "nikolaydubina__import-graph__gin.gomodgraph.txt",
    ]:
        g = read_graph(corpus / "graphs" / name)
        svg = _render(to_dot(g))
        texts = set(_svg_texts(svg))
        for m in g.nodes():
            if m.path not in ("go", "toolchain"):
                assert str(m) in texts, (name, m)
        _render(to_dot(g, conflicts_only=True))


def test_conflicts_only_view_of_a_big_recorded_graph(corpus: Path) -> None:
    g = read_graph(corpus / "graphs" / "jaegdi__image-tools__go.graph.txt")
    found = conflicts(g)
    data = graph_to_json(g, conflicts_only=True, conflict_list=found)
    nodes = {(n["Path"], n.get("Version", "")) for n in data["Nodes"]}
    ranked = {n["Path"] for n in data["Nodes"] if "Risk" in n}
    assert ranked == {c.path for c in found if c.in_build}
    main = (g.main.path, "")
    dist, _ = g.bfs()
    for c in found:
        for r in c.requests:
            if c.in_build and r.by_selected:  # every request from the build, and its requirer
                assert (c.path, r.version) in nodes
                assert (r.by.path, r.by.version) in nodes
    for e in data["Edges"]:
        u = MV(e["From"]["Path"], e["From"].get("Version", ""))
        v = MV(e["To"]["Path"], e["To"].get("Version", ""))
        if "Steps" in e:  # a collapsed shortest path from the main module
            assert (u.path, u.version) == main and e["Steps"] == dist[v] > 1
        else:
            assert g.graph.has_edge(u, v)
    assert len(data["Edges"]) < len(set(g.edges)) / 2


def test_conflicts_only_dot_of_logviewer_is_small_and_grouped(corpus: Path) -> None:
    """logviewer: 167 modules, 2,030 edges, 55 conflicts the build sees. The picture is
    three columns (the main module, the modules that ask, 55 tables) grouped by host, and
    dot draws it."""
    g = read_graph(corpus / "graphs" / "bascanada__logviewer__go.mod.graph.txt")
    dot = to_dot(g, conflicts_only=True)
    tables = re.findall(r'^\t+"conflict ([^"]+)" \[shape=plain', dot, re.M)
    assert len(tables) == 55 and tables[0] == "cloud.google.com/go"  # riskiest first
    requirers = re.findall(r'^\t+"([^" ]+)" \[label=', dot, re.M)
    # Every module that asks (the main module among them): 73 in the build, and 3
    # outside it whose requests set a selected version no module in the build asks for.
    assert len(requirers) == 73 + 3
    edges = dot.count(" -> ") - 4  # legend
    assert edges < 450
    assert '"cluster_t golang.org"' in dot and '"cluster_r k8s.io"' in dot
    svg = _render(dot)
    texts = set(_svg_texts(svg))
    assert set(tables) <= texts
    width, height = (float(svg.attrib[k].removesuffix("pt")) for k in ("width", "height"))
    assert width < 2000 and height < 10000  # was 15,255 x 18,986 pt


def test_mermaid_labels_are_escaped() -> None:
    assert mermaid_label("plain/path@v1.0.0") == '"plain/path@v1.0.0"'
    assert mermaid_label('a"b') == '"a#quot;b"'
    assert mermaid_label("#35;") == '"#35;35#59;"'
    assert mermaid_label("ü🦀") == '"ü🦀"'
    assert mermaid_label("a\nb") == '"a#10;b"'
    text = to_mermaid(_adversarial_graph())
    for line in text.splitlines():
        m = re.fullmatch(r'\s+(n\d+|legend_\w+)\["([^"]*)"\]:::(\w+)', line)
        if m:
            assert "<" not in m.group(2) and ">" not in m.group(2) and "\\" not in m.group(2)
        elif "-->" in line or "==>" in line or "-.->" in line:
            assert re.fullmatch(r"\s+\S+ (-->|==>|-\.->)(\|[^|]+\|)? \S+", line), line
        else:
            assert line.startswith(("flowchart", "    classDef", "    subgraph", "    end")), line


def test_mermaid_structure() -> None:
    g = parse_graph("m a@v1.0.0\nm b@v1.0.0\na@v1.0.0 b@v1.1.0\n")
    text = to_mermaid(g, legend=False)
    assert text.splitlines()[:4] == [
        "flowchart TD",
        '    n0["m"]:::main',
        '    n1["a@v1.0.0"]:::selected',
        '    n2["b@v1.0.0"]:::losing',
    ]
    assert "    n1 ==> n3" in text and "    n0 -.-> n2" in text
    assert "legend" in to_mermaid(g)


def test_json_export_round_trips_the_graph() -> None:
    g = _adversarial_graph()
    data = json.loads(to_json(g))
    assert data["Main"] == {"Path": MAIN}
    assert len(data["Edges"]) == len(set(g.edges))
    rebuilt = ModuleGraph()
    for e in data["Edges"]:
        rebuilt.add_edge(
            MV(e["From"]["Path"], e["From"].get("Version", "")),
            MV(e["To"]["Path"], e["To"].get("Version", "")),
        )
    assert rebuilt.text() == g.text()
    selected = {(n["Path"], n.get("Version", "")) for n in data["Nodes"] if n["Selected"]}
    assert (ADVERSARIAL[1], "v1.1.0") in selected and (ADVERSARIAL[1], "v1.0.0") not in selected
    assert {"Path": MAIN, "Main": True, "Selected": True} in data["Nodes"]


def test_conflicts_json_shape() -> None:
    g = parse_graph("m a@v0.1.0\nm b@v1.0.0\nb@v1.0.0 a@v0.2.0\n")
    [c] = conflicts_to_json(conflicts(g))
    assert c == {
        "Path": "a",
        "Selected": "v0.2.0",
        "Versions": ["v0.1.0", "v0.2.0"],
        "InBuild": True,
        "Requests": [
            {
                "By": "b@v1.0.0",
                "Version": "v0.2.0",
                "SetsMax": True,
                "Selected": True,
                "Paths": [["m", "b@v1.0.0"]],
            },
            {
                "By": "m",
                "Version": "v0.1.0",
                "SetsMax": False,
                "Selected": True,
                "Paths": [["m"]],
            },
        ],
        "Risk": {
            "Level": "high",
            "Reason": "v0 minor jump v0.1.0 -> v0.2.0 (asked by m): v0 minors may break",
            "Reasons": ["v0 minor jump v0.1.0 -> v0.2.0 (asked by m): v0 minors may break"],
        },
    }


# -- one module's neighbourhood ---------------------------------------------------------------

# c is required at two versions (by a and b); f reaches b the long way round; d, below the
# selected c, is selected at a higher version elsewhere; z and y are nowhere near c@v1.1.0.
AROUND = """\
m a@v1.0.0
m b@v1.0.0
m f@v1.0.0
m z@v1.0.0
m d@v1.2.0
a@v1.0.0 c@v1.0.0
b@v1.0.0 c@v1.1.0
f@v1.0.0 b@v1.0.0
c@v1.0.0 y@v1.0.0
c@v1.1.0 d@v1.0.0
d@v1.0.0 e@v1.0.0
e@v1.0.0 g@v1.0.0
"""


def _nodes(g: ModuleGraph) -> set[str]:
    return {str(n) for n in g.nodes()}


def test_neighbourhood_at_depth_1_and_2() -> None:
    g = parse_graph(AROUND)
    one = neighbourhood(g, "c")
    assert one.text() == (
        "m a@v1.0.0\nm b@v1.0.0\na@v1.0.0 c@v1.0.0\nb@v1.0.0 c@v1.1.0\nc@v1.1.0 d@v1.0.0\n"
    )
    two = neighbourhood(g, "c", depth=2)
    assert _nodes(two) == _nodes(one) | {"f@v1.0.0", "e@v1.0.0"}
    assert ("f@v1.0.0", "b@v1.0.0") in {(str(u), str(v)) for u, v in two.edges}
    assert _nodes(neighbourhood(g, "c", depth=3)) == _nodes(two) | {"g@v1.0.0"}
    # Never the unrelated modules, nor what an unselected version requires.
    for sub in (one, two):
        assert not _nodes(sub) & {"z@v1.0.0", "y@v1.0.0"}


def test_neighbourhood_of_one_version() -> None:
    g = parse_graph(AROUND)
    assert neighbourhood(g, "c@v1.0.0").text() == (
        "m a@v1.0.0\na@v1.0.0 c@v1.0.0\nc@v1.0.0 y@v1.0.0\n"
    )
    assert neighbourhood(g, MV("c", "v1.0.0")).text() == neighbourhood(g, "c@v1.0.0").text()
    # The main module is a module too: what it requires.
    assert _nodes(neighbourhood(g, "m")) == {"m", "a@v1.0.0", "b@v1.0.0", "f@v1.0.0"} | {
        "z@v1.0.0",
        "d@v1.2.0",
    }


def test_neighbourhood_keeps_the_selected_versions() -> None:
    """d@v1.0.0 is the only d left around c, but v1.2.0 is selected: not green, not Selected."""
    g = parse_graph(AROUND)
    sub = neighbourhood(g, "c")
    assert sub.selected()["d"] == "v1.2.0" and sub.selected()["c"] == "v1.1.0"
    nodes = {(n["Path"], n.get("Version")): n["Selected"] for n in graph_to_json(sub)["Nodes"]}
    assert nodes[("d", "v1.0.0")] is False and nodes[("c", "v1.1.0")] is True
    assert '"d@v1.0.0" [label="d@v1.0.0", style=filled, fillcolor="#d9d9d9"]' in to_dot(sub)
    _render(to_dot(sub))


def test_neighbourhood_errors() -> None:
    g = parse_graph(AROUND)
    with pytest.raises(GomodxError, match="module nowhere is not in the module graph"):
        neighbourhood(g, "nowhere")
    with pytest.raises(GomodxError, match=r"module c@v9.0.0 is not in the module graph"):
        neighbourhood(g, "c@v9.0.0")
    with pytest.raises(ValueError, match="depth"):
        neighbourhood(g, "c", depth=0)


def test_to_format_names_every_text_format() -> None:
    g = parse_graph(AROUND)
    assert [to_format(g, f) for f in TEXT_FORMATS] == [
        to_text(g),
        to_dot(g),
        to_mermaid(g),
        to_json(g),
    ]
    with pytest.raises(ValueError, match="svg"):
        to_format(g, "svg")
