"""The app's state transitions (tui.state), as plain values: no terminal, no app."""

from __future__ import annotations

from pathlib import Path

from graphdata import SPEC_GRAPH

from analysis.goproxy import FetchEvent
from analysis.modgraph import parse_graph
from analysis.session import LoadedModule
from analysis.versions import ModuleVersions, VersionEntry
from tui.state import GraphState, NetState, VersionsState
from tui.widgets.rows import build_facts


def loaded_of(text: str) -> LoadedModule:
    return LoadedModule(parse_graph(text), None, Path("."), "file")


def versions_of(path: str, selected: str, retracted: str = "") -> ModuleVersions:
    entries = (
        VersionEntry("v1.3.0", selected=selected == "v1.3.0"),
        VersionEntry(
            "v1.4.0",
            selected=selected == "v1.4.0",
            retracted=retracted == "v1.4.0",
            rationale=("broken",) if retracted == "v1.4.0" else (),
        ),
    )
    return ModuleVersions(path, entries, latest="v1.4.0", selected=selected)


def event(outcome: str, *, stale: bool = False) -> FetchEvent:
    return FetchEvent("list", "example.com/m", "", "", "proxy", outcome, stale=stale)


# -- the graph ------------------------------------------------------------------------


def test_a_load_goes_through_loading_to_loaded() -> None:
    first = GraphState()
    assert not first.ready and not first.loading
    loading = first.reloading()
    assert loading.generation == 1 and loading.loading and not loading.ready
    loaded = loaded_of(SPEC_GRAPH)
    facts = build_facts(loaded)
    done = loading.loaded_as(loaded, facts)
    assert done.ready and not done.loading and done.generation == 1
    assert done.loaded is loaded and done.facts is facts
    assert done.highlight_changes == {}
    again = done.reloading()
    # The previous graph stays visible while the next one loads.
    assert again.loading and again.ready and again.facts is facts


def test_a_failed_load_keeps_the_previous_graph() -> None:
    loaded = loaded_of(SPEC_GRAPH)
    done = GraphState().reloading().loaded_as(loaded, build_facts(loaded))
    failed = done.reloading().failed("go: go.mod:3: unknown directive: x")
    assert not failed.loading and failed.error.startswith("go: go.mod:3")
    assert failed.loaded is loaded and failed.generation == 2
    assert failed.reloading().error == ""  # a retry starts clean
    broken = done.reloading().failed("go.mod:8: unknown directive: foo", broken_file=True)
    assert broken.broken_file and not broken.reloading().broken_file
    first = GraphState().reloading().failed("boom")
    assert first.facts is None and not first.ready and not first.loading


def test_a_highlighted_reload_marks_what_moved() -> None:
    before = loaded_of(SPEC_GRAPH)
    state = GraphState().reloading().loaded_as(before, build_facts(before))
    bumped = loaded_of(SPEC_GRAPH + "example.com/a example.com/e@v1.3.0\n")
    state = state.reloading(highlight="changed")
    state = state.loaded_as(bumped, build_facts(bumped))
    assert state.highlight_changes == {"example.com/e": "v1.2.0"}
    assert state.highlight_kind == "changed"
    # A plain reload keeps the marks; the next highlighted one replaces them.
    state = state.reloading().loaded_as(bumped, build_facts(bumped))
    assert state.highlight_changes == {"example.com/e": "v1.2.0"}
    assert state.highlight_kind == "changed"
    state = state.reloading(highlight="changed").loaded_as(bumped, build_facts(bumped))
    assert state.highlight_changes == {}


def test_an_undo_marks_what_moved_back_as_undone() -> None:
    before = loaded_of(SPEC_GRAPH)
    bumped = loaded_of(SPEC_GRAPH + "example.com/a example.com/e@v1.3.0\n")
    state = GraphState().reloading().loaded_as(bumped, build_facts(bumped))
    state = state.reloading(highlight="undone")
    # The kind waits for the reload: the rows shown meanwhile keep their marks.
    assert state.highlight_kind == "" and state.pending_kind == "undone"
    state = state.loaded_as(before, build_facts(before))
    assert state.highlight_changes == {"example.com/e": "v1.3.0"}
    assert state.highlight_kind == "undone"


# -- versions ---------------------------------------------------------------------------


def test_versions_belong_to_their_graph_but_are_remembered() -> None:
    state = VersionsState().for_graph(1)
    mv = versions_of("example.com/d", "v1.4.0")
    state = state.with_error(1, "example.com/d", "go: timeout")
    assert state.errors == {"example.com/d": "go: timeout"}
    state = state.with_list(1, "example.com/d", mv)
    assert state.fetched == {"example.com/d": mv} and state.errors == {}
    assert state.known == {"example.com/d": mv}
    reloaded = state.for_graph(2)
    assert reloaded.fetched == {} and reloaded.known == {"example.com/d": mv}
    # A reply for the previous graph is remembered, not shown as this graph's.
    late = versions_of("example.com/e", "v1.3.0")
    reloaded = reloaded.with_list(1, "example.com/e", late)
    assert "example.com/e" not in reloaded.fetched and reloaded.known["example.com/e"] is late
    assert reloaded.with_error(1, "example.com/e", "x") is reloaded


def test_retractions_of_the_selected_versions() -> None:
    loaded = loaded_of(SPEC_GRAPH)
    assert loaded.graph.selected()["example.com/d"] == "v1.4.0"
    state = VersionsState().with_list(0, "example.com/d", versions_of("example.com/d", "v1.4.0"))
    assert state.retractions(loaded) == {}
    bad = versions_of("example.com/d", "v1.4.0", retracted="v1.4.0")
    assert state.with_list(0, "example.com/d", bad).retractions(loaded) == {
        "example.com/d": "broken"
    }


# -- the network ---------------------------------------------------------------------


def test_net_state_counts_events_and_says_how_it_goes() -> None:
    log: list[FetchEvent] = []
    net = NetState("GOPROXY=https://proxy.golang.org", log=log)
    assert (net.level, net.text()) == ("idle", "○ idle")
    for e in (event("ok"), event("cache_hit"), event("ok")):
        log.append(e)
        net = net.after(e)
    assert (net.requests, net.cache_hits, net.events) == (2, 1, 3)
    assert net.text() == "● online"
    assert list(net.new_events(1)) == log[1:]
    log.append(event("retry"))
    net = net.after(log[-1])
    log.append(event("error", stale=True))
    net = net.after(log[-1])
    assert net.level == "degraded"
    assert net.text() == "◐ degraded (1 errors, 1 retries, 1 stale)"
    log.append(event("ok"))  # not counted yet: a watcher sees only what the state has
    assert len(net.new_events(0)) == 5
    offline = NetState(offline=True)
    assert offline.text() == "⊘ offline"
