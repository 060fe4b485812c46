"""analysis.updates (``go list -m -u all``) and analysis.versions.query_upgrade against go.

A hand-made universe holds the edge cases of Go's upgrade query — a pseudo-version above
every tag (go asks the proxy's ``@latest``), pseudo-versions below a tag that is older or
newer than their commit, ``+incompatible`` versions (from one, and when the last
compatible version has or lacks a go.mod, replaced by a directory or not), a retracted
latest, a retracted and an excluded current version, prereleases, and module replacements
with their own ``Replace.Update`` and retractions. The rows must be what ``go list -m -u
all`` prints and what ``go list -m -u -json all`` says; random universes check the JSON
too (the text is checked in tests/test_source_cli.py).
"""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from gotool import go_env, require_go, run_go
from test_versions import client_for, decorate, json_stream
from universe import Layout, Universe, random_universe

from analysis.loader import load_module_graph
from analysis.module import ModuleVersion
from analysis.source import ProxySource
from analysis.updates import ModuleUpdate, list_updates, requested_versions
from analysis.versions import MainModule, ModuleVersions, VersionEntry, query_upgrade

PA_OLD = "v1.0.1-0.20230101000000-aaaaaaaaaaaa"
PA_NEW = "v1.0.1-0.20240101000000-bbbbbbbbbbbb"


def edge_universe(root: Path) -> Layout:
    u = Universe()

    def add(path: str, *versions: str, **kw: Any) -> None:
        for v in versions:
            u.add(path, v, **kw)

    # A pseudo-version above every tag: the update is the proxy's @latest.
    add("example.com/pa", "v1.0.0", PA_OLD, PA_NEW)
    u.require("example.com/pa", PA_OLD)
    # A pseudo-version below a tag made before its commit: no update...
    add("example.com/pb", "v1.0.0", "v1.0.1-0.20220101000000-cccccccccccc")
    u.add("example.com/pb", "v1.1.0", time=datetime(2021, 1, 1, tzinfo=UTC))
    u.require("example.com/pb", "v1.0.1-0.20220101000000-cccccccccccc")
    # ...and below a tag made after it: the tag.
    add("example.com/pc", "v1.0.0", "v1.0.1-0.20220101000000-dddddddddddd")
    u.add("example.com/pc", "v1.1.0", time=datetime(2023, 1, 1, tzinfo=UTC))
    u.require("example.com/pc", "v1.0.1-0.20220101000000-dddddddddddd")
    # +incompatible: from one; not past a go.mod; past no go.mod; past no go.mod that a
    # directory replacement has (go reads the proxy's go.mod, not the replacement's).
    u.add("example.com/ia", "v1.0.0")
    add("example.com/ia", "v2.0.0+incompatible", "v3.0.0+incompatible", has_go_mod=False)
    u.require("example.com/ia", "v2.0.0+incompatible")
    add("example.com/ib", "v1.0.0", "v1.1.0")
    u.add("example.com/ib", "v2.0.0+incompatible", has_go_mod=False)
    u.require("example.com/ib", "v1.0.0")
    add("example.com/ic", "v1.0.0", "v2.0.0+incompatible", has_go_mod=False)
    u.require("example.com/ic", "v1.0.0")
    add("example.com/id", "v1.0.0", "v2.0.0+incompatible", has_go_mod=False)
    u.replace("example.com/id", "v1.0.0", u.add_local("id", "example.com/id"))
    u.require("example.com/id", "v1.0.0")
    # A retracted latest is skipped; a retracted current with nothing above: no update.
    add("example.com/ra", "v1.0.0", "v1.1.0")
    u.add("example.com/ra", "v1.2.0", retract=[("v1.2.0", "v1.2.0", "broken")])
    u.require("example.com/ra", "v1.0.0")
    u.add("example.com/rb", "v1.0.0")
    u.add("example.com/rb", "v1.1.0", retract=[("v1.1.0", "v1.1.0", "")])
    u.require("example.com/rb", "v1.1.0")
    # An excluded version is skipped.
    add("example.com/ex", "v1.0.0", "v1.1.0", "v1.2.0")
    u.exclude("example.com/ex", "v1.2.0")
    u.require("example.com/ex", "v1.0.0")
    # Releases beat prereleases; from a prerelease, a higher prerelease.
    add("example.com/pre", "v1.0.0", "v1.1.0-rc.1")
    u.require("example.com/pre", "v1.0.0")
    add("example.com/pre2", "v1.0.0", "v1.1.0-rc.1", "v1.1.0-rc.2")
    u.require("example.com/pre2", "v1.1.0-rc.1")
    # Replacements by forks: Replace.Update, and a retracted, deprecated fork version
    # (a wholly replaced module inherits the replacement's retraction).
    add("example.com/orig", "v1.0.0", "v1.3.0")
    add("example.com/fork", "v1.0.0", "v1.2.0")
    u.replace("example.com/orig", "v1.0.0", "example.com/fork", "v1.0.0")
    u.require("example.com/orig", "v1.0.0")
    u.add("example.com/orig2", "v1.0.0")
    add("example.com/fork2", "v1.0.0", "v1.1.0")
    u.add(
        "example.com/fork2",
        "v1.2.0",
        retract=[("v1.0.0", "v1.0.0", "bad fork"), ("v1.2.0", "v1.2.0", "")],
    )
    u.replace("example.com/orig2", "", "example.com/fork2", "v1.0.0")
    u.require("example.com/orig2", "v1.0.0")
    layout = u.write(root)
    latest = {"Version": PA_NEW, "Time": "2024-01-01T00:00:00Z"}
    (layout.proxy_dir / "example.com/pa/@latest").write_text(json.dumps(latest) + "\n")
    fork2 = layout.proxy_dir / "example.com/fork2/@v/v1.2.0.mod"
    fork2.write_text("// Deprecated: use example.com/orig2.\n" + fork2.read_text())
    return layout


# What go 1.27 prints for edge_universe (go list -m -u all).
EDGE_LINES = """\
example.com/main
example.com/ex v1.0.0 [v1.1.0]
example.com/ia v2.0.0+incompatible [v3.0.0+incompatible]
example.com/ib v1.0.0 [v1.1.0]
example.com/ic v1.0.0 [v2.0.0+incompatible]
example.com/id v1.0.0 [v2.0.0+incompatible] => ./local/id
example.com/orig v1.0.0 [v1.3.0] => example.com/fork v1.0.0 [v1.2.0]
example.com/orig2 v1.0.0 (retracted) => example.com/fork2 v1.0.0 (retracted) [v1.1.0] (deprecated)
example.com/pa v1.0.1-0.20230101000000-aaaaaaaaaaaa [v1.0.1-0.20240101000000-bbbbbbbbbbbb]
example.com/pb v1.0.1-0.20220101000000-cccccccccccc
example.com/pc v1.0.1-0.20220101000000-dddddddddddd [v1.1.0]
example.com/pre v1.0.0
example.com/pre2 v1.1.0-rc.1 [v1.1.0-rc.2]
example.com/ra v1.0.0 [v1.1.0]
example.com/rb v1.1.0 (retracted)
"""


async def _rows(layout: Layout, own: Path) -> list[ModuleUpdate]:
    async with client_for(layout.proxy_url, own) as client:
        loaded = await load_module_graph(layout.main_dir, ProxySource(client))
        return await list_updates(client, loaded.graph, loaded.main, layout.main_dir, majors=False)


def test_requesters_are_left_out_on_request_and_nothing_else_is(tmp_path: Path) -> None:
    """``requesters=False`` (the text output's) drops who requires each version from
    the entries, and changes nothing else of any row."""
    layout = edge_universe(tmp_path / "u")

    async def both() -> tuple[list[ModuleUpdate], list[ModuleUpdate]]:
        async with client_for(layout.proxy_url, tmp_path / "own") as client:
            loaded = await load_module_graph(layout.main_dir, ProxySource(client))
            args = (client, loaded.graph, loaded.main, layout.main_dir)
            full = await list_updates(*args, majors=False)
            lean = await list_updates(*args, majors=False, requesters=False)
            return full, lean

    full, lean = anyio.run(both)
    asked = [e for r in full if r.versions for e in r.versions.entries if e.requested_by]
    assert asked  # the main module and its dependencies require versions
    assert not [e for r in lean if r.versions for e in r.versions.entries if e.requested_by]

    assert [r.line() for r in lean] == [r.line() for r in full]
    stripped = [
        dataclasses.replace(
            r,
            versions=dataclasses.replace(
                r.versions,
                entries=tuple(dataclasses.replace(e, requested_by=()) for e in r.versions.entries),
            )
            if r.versions is not None
            else None,
        )
        for r in full
    ]
    assert lean == stripped


def test_edge_cases(tmp_path: Path) -> None:
    layout = edge_universe(tmp_path / "u")
    rows = anyio.run(_rows, layout, tmp_path / "own")
    assert "".join(f"{row.line()}\n" for row in rows) == EDGE_LINES
    by_path = {row.path: row for row in rows}
    orig2 = by_path["example.com/orig2"].to_json()
    assert orig2["Retracted"] == ["bad fork"]
    assert orig2["Replace"] == {
        "Path": "example.com/fork2",
        "Version": "v1.0.0",
        "Update": {"Path": "example.com/fork2", "Version": "v1.1.0"},
        "Retracted": ["bad fork"],
        "Deprecated": "use example.com/orig2.",
    }
    assert by_path["example.com/rb"].to_json()["Retracted"] == ["retracted by module author"]
    assert by_path["example.com/main"].to_json() == {"Path": "example.com/main", "Main": True}
    assert not any(row.error for row in rows)


def test_query_upgrade_directly(tmp_path: Path) -> None:
    layout = edge_universe(tmp_path / "u")
    main = MainModule.load(layout.main_dir)

    async def run() -> dict[tuple[str, str], str]:
        async with client_for(layout.proxy_url, tmp_path / "own") as client:
            asks = [
                ("example.com/ra", "v1.0.0"),
                ("example.com/ra", "v1.1.0"),  # the only newer version is retracted
                ("example.com/ra", "v1.2.0"),  # retracted itself: nothing allowed above
                ("example.com/ex", "v1.1.0"),  # excluded above
                ("example.com/pa", PA_OLD),
                ("example.com/pa", PA_NEW),
                ("example.com/nowhere", "v1.0.0"),  # no such module
                ("example.com/ib", ""),  # no current version
            ]
            return {a: await query_upgrade(client, *a, main=main) for a in asks}

    assert anyio.run(run) == {
        ("example.com/ra", "v1.0.0"): "v1.1.0",
        ("example.com/ra", "v1.1.0"): "",
        ("example.com/ra", "v1.2.0"): "",
        ("example.com/ex", "v1.1.0"): "",
        ("example.com/pa", PA_OLD): PA_NEW,
        ("example.com/pa", PA_NEW): "",
        ("example.com/nowhere", "v1.0.0"): "",
        ("example.com/ib", ""): "",
    }


def test_requested_versions() -> None:
    from analysis.modgraph import parse_graph

    g = parse_graph("m a@v1.0.0\nm b@v1.0.0\na@v1.0.0 b@v1.1.0\nm b@v1.0.0\n")
    assert requested_versions(g) == {
        "a": {"v1.0.0": ["m"]},
        "b": {"v1.0.0": ["m", "m"], "v1.1.0": ["a@v1.0.0"]},
    }


def test_rows_render_like_go_without_a_network() -> None:
    """``line()`` and ``to_json()`` from facts alone (go's ``ModulePublic.String``)."""
    r = ModuleVersions(
        "x",
        (VersionEntry("v1.0.0", retracted=True, rationale=("oops",)), VersionEntry("v1.1.0")),
        deprecated="use y",
    )
    row = ModuleUpdate("x", "v1.0.0", versions=r, update="v1.1.0")
    assert row.line() == "x v1.0.0 (retracted) [v1.1.0] (deprecated)"
    j = row.to_json()
    assert (j["Retracted"], j["Update"], j["Deprecated"]) == (
        ["oops"],
        {"Path": "x", "Version": "v1.1.0"},
        "use y",
    )
    local = ModuleUpdate("x", "v1.0.0", replace=ModuleVersion("../x", ""), versions=r)
    assert local.line() == "x v1.0.0 (retracted) (deprecated) => ../x"
    assert local.to_json()["Replace"] == {"Path": "../x"}
    failed = ModuleUpdate("z", "v1.0.0", error="boom")
    assert failed.line() == "z v1.0.0" and failed.to_json()["Error"] == {"Err": "boom"}


# -- against go ---------------------------------------------------------------------------------

_FIELDS = ("Version", "Retracted", "Deprecated")


def _facts(o: dict[str, Any]) -> dict[str, Any]:
    """The fields ``go list -m -u -json`` and gomodx share (go adds Dir, Time, GoMod…)."""
    out: dict[str, Any] = {k: o[k] for k in ("Path", *_FIELDS, "Main") if k in o}
    if "Update" in o:
        out["Update"] = o["Update"]["Version"]
    if "Replace" in o:
        out["Replace"] = _facts(o["Replace"])
    return out


def _go_rows(layout: Layout, env: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    text = run_go(["list", "-m", "-u", "all"], layout.main_dir, env).stdout
    objs = json_stream(run_go(["list", "-m", "-u", "-json", "all"], layout.main_dir, env).stdout)
    return text, [_facts(o) for o in objs]


@pytest.mark.go
@pytest.mark.parametrize("which", ["edge cases", "unlisted releases"])
def test_hand_made_universes_agree_with_go(tmp_path: Path, which: str) -> None:
    require_go()
    if which == "edge cases":
        layout, want = edge_universe(tmp_path / "u"), EDGE_LINES
    else:
        layout, want = _above_universe(tmp_path / "u"), "".join(f"{x}\n" for x in ABOVE_LINES)
    rows = anyio.run(_rows, layout, tmp_path / "own")
    text, objs = _go_rows(layout, go_env(tmp_path / "go", proxy=layout.proxy_url))
    assert text == want
    assert "".join(f"{row.line()}\n" for row in rows) == want
    assert [_facts(row.to_json()) for row in rows] == objs


@pytest.mark.go
def test_random_universes_json_agrees_with_go(tmp_path: Path) -> None:
    require_go()
    agree = updates = 0
    seeds = range(770, 776)
    for seed in seeds:
        u = random_universe(seed, 20, 5, zips=False)
        layout = u.write(tmp_path / str(seed))
        decorate(u, layout, random.Random(seed))
        rows = anyio.run(_rows, layout, tmp_path / f"own{seed}")
        env = go_env(tmp_path / f"go{seed}", proxy=layout.proxy_url)
        text, objs = _go_rows(layout, env)
        assert "".join(f"{row.line()}\n" for row in rows) == text, seed
        assert [_facts(row.to_json()) for row in rows] == objs, seed
        agree += 1
        updates += sum("Update" in o for o in objs)
    print(
        f"\nlist_updates vs go list -m -u -json all: {agree}/{len(seeds)} universes"
        f" identical ({updates} updates)"
    )


def _above_universe(root: Path) -> Layout:
    """Selected releases the proxy does not list: above every listed release (with and
    without a newer prerelease), and equal to the latest."""
    u = Universe()
    for path in ("example.com/above", "example.com/above2", "example.com/eq"):
        u.add(path, "v1.0.0")
    u.add("example.com/above", "v1.2.0-rc.1")
    u.add("example.com/above", "v1.1.0", listed=False)
    u.add("example.com/above2", "v1.1.0", listed=False)
    u.add("example.com/eq", "v1.1.0")
    for path in ("example.com/above", "example.com/above2", "example.com/eq"):
        u.require(path, "v1.1.0")
    return u.write(root)


ABOVE_LINES = [
    "example.com/main",
    "example.com/above v1.1.0 [v1.2.0-rc.1]",
    "example.com/above2 v1.1.0",
    "example.com/eq v1.1.0",
]


def test_plain_answers_are_the_general_querys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a module's questions have the plain answer (:meth:`QueryContext.plain`), the
    rows are those the general query makes, field for field: on random universes (with
    excludes, replacements, prereleases, pseudo and +incompatible versions, retractions,
    deprecations) and on the edge cases, with and without newer majors."""
    from analysis.versions import QueryContext

    general = QueryContext.plain
    answered: list[str] = []

    async def counted(self: QueryContext, path: str) -> Any:
        found = await general(self, path)
        if found is not None:
            answered.append(path)
        return found

    async def never(self: QueryContext, path: str) -> None:
        return None

    async def rows(layout: Layout, own: Path, majors: bool) -> list[ModuleUpdate]:
        async with client_for(layout.proxy_url, own) as client:
            loaded = await load_module_graph(layout.main_dir, ProxySource(client))
            return await list_updates(
                client, loaded.graph, loaded.main, layout.main_dir, majors=majors
            )

    layouts = [edge_universe(tmp_path / "edge"), _above_universe(tmp_path / "above")]
    for seed in range(900, 930):
        u = random_universe(seed, 8 + seed % 13, 2 + seed % 4, zips=False)
        layout = u.write(tmp_path / str(seed))
        decorate(u, layout, random.Random(seed))
        layouts.append(layout)
    compared = declined = 0
    for i, layout in enumerate(layouts):
        majors = i % 4 == 0
        monkeypatch.setattr(QueryContext, "plain", counted)
        before = len(answered)
        fast = anyio.run(rows, layout, tmp_path / f"own-fast{i}", majors)
        monkeypatch.setattr(QueryContext, "plain", never)
        slow = anyio.run(rows, layout, tmp_path / f"own-slow{i}", majors)
        assert fast == slow, layout.main_dir
        if i == 1:  # a release above every listed one updates to a newer prerelease
            assert [r.line() for r in fast] == ABOVE_LINES
        assert [r.to_json() for r in fast] == [r.to_json() for r in slow]
        compared += len(fast)
        declined += sum(1 for r in fast if not r.main) - (len(answered) - before)
    # Both ways were taken often enough for the comparison to mean something.
    assert len(answered) > compared // 4, (len(answered), compared)
    assert declined > compared // 10, (declined, compared)


# -- version lists asked for early (while the graph loads) ---------------------------------------


def test_lists_asked_early_are_shared_with_the_queries_and_forgiven() -> None:
    """The lists are asked for before the body runs; a query for one of them makes no
    request of its own; a list that fails early is asked again by the query that needs
    it, which reports the failure; a list still on its way when the body ends is
    abandoned (the context does not wait for it)."""
    import asyncio

    import httpx
    from test_proxy import Recorder, make_client

    from analysis.errors import ModuleNotFound
    from analysis.updates import lists_asked_early

    stuck = asyncio.Event()

    class Stuck(Recorder):
        async def handle(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/example.com/slow/@v/list":
                self.requests.append(request)
                await stuck.wait()  # never answered
            return await super().handle(request)

    rec = Stuck()
    rec.on("p.example", "/example.com/a/@v/list", b"v1.0.0\nv1.1.0\n")
    rec.on("p.example", "/example.com/b/@v/list", 404)
    client, _ = make_client(rec, "https://p.example")

    async def main() -> None:
        async with client:
            paths = ["example.com/a", "example.com/b", "example.com/a", "example.com/slow"]
            async with lists_asked_early(client, paths):
                asked = sorted(r.url.path for r in rec.requests)
                assert asked == [
                    "/example.com/a/@v/list",
                    "/example.com/b/@v/list",
                    "/example.com/slow/@v/list",
                ]
                listed = await client.versions("example.com/a")
                assert listed.versions == ("v1.0.0", "v1.1.0")
                assert rec.hits(path="/example.com/a/@v/list") == 1
                with pytest.raises(ModuleNotFound):
                    await client.versions("example.com/b")
            # Leaving did not wait for the stuck list.
            assert not stuck.is_set()

    asyncio.run(asyncio.wait_for(main(), 10))


@pytest.mark.parametrize("offline", [True, False])
def test_lists_asked_early_ask_nothing_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline: bool
) -> None:
    """Offline the caches answer every query at once: nothing is asked ahead (online,
    the same call asks, so the test sees the difference)."""
    import asyncio

    from test_proxy import Recorder, make_client

    from analysis.proxy import ProxyClient
    from analysis.updates import lists_asked_early

    client, _ = make_client(Recorder(), "https://p.example", tmp_path, offline=offline)
    asked: list[str] = []
    real = ProxyClient.try_proxies

    async def counting(self: ProxyClient, path: str, *args: Any, **kw: Any) -> Any:
        asked.append(path)
        return await real(self, path, *args, **kw)

    monkeypatch.setattr(ProxyClient, "try_proxies", counting)

    async def main() -> None:
        async with client, lists_asked_early(client, ["example.com/a"]):
            pass  # the context lets its asks start before the body runs

    asyncio.run(main())
    assert asked == ([] if offline else ["example.com/a"])


def test_the_upgrade_of_a_prerelease_is_asked_with_the_retractions() -> None:
    """From a prerelease, go's upgrade stats a version of its own (here the current one):
    that ``.info`` is asked for while the retractions load, not after them — this proxy
    answers the latest version's go.mod only once that ``.info`` was asked for — and the
    row is still go's."""
    import asyncio

    from test_proxy import HeldProxy, make_client

    from analysis.updates import _update_row
    from analysis.versions import QueryContext

    base = "/example.com/a/@v/"

    async def main() -> ModuleUpdate:
        rec = HeldProxy(hold=base + "v1.0.0.mod", first=base + "v1.1.0-rc.1.info")
        rec.on("p.example", base + "list", b"v1.0.0\nv1.1.0-rc.1\n")
        rec.on("p.example", base + "v1.0.0.info", b'{"Version":"v1.0.0"}')
        rec.on("p.example", base + "v1.1.0-rc.1.info", b'{"Version":"v1.1.0-rc.1"}')
        rec.on("p.example", base + "v1.0.0.mod", b"module example.com/a\n")
        client, _ = make_client(rec, "https://p.example")
        async with client:
            ctx = QueryContext(client, MainModule())
            row = ModuleUpdate("example.com/a", "v1.1.0-rc.1")
            return await _update_row(client, MainModule(), row, {}, False, ctx)

    row = asyncio.run(main())
    assert row.error == "" and row.update == "" and row.line() == "example.com/a v1.1.0-rc.1"
    assert row.versions is not None and row.versions.latest == "v1.0.0"
    assert row.versions.retractions_from == "v1.0.0" and row.versions.error == ""


@pytest.mark.parametrize(
    ("goproxy", "goprivate", "asked"),
    [
        ("https://p.example", "", 1),
        ("https://p.example,direct", "", 1),
        ("direct", "", 0),
        ("off", "", 0),
        ("https://p.example", "example.com/*", 0),
        ("bad proxy", "", 0),
    ],
)
def test_upgrades_are_asked_ahead_only_of_a_proxy(goproxy: str, goprivate: str, asked: int) -> None:
    """Asking ahead may ask what goes unused: never of the go command (direct, private
    paths), never where nothing may be asked, and never past a GOPROXY error (the query
    reports it)."""
    import asyncio

    from test_proxy import Recorder, make_client

    from analysis.goenv import GoEnv
    from analysis.versions import QueryContext

    env = GoEnv(goproxy=goproxy, goprivate=goprivate, gonoproxy=goprivate, gomodcache="")
    client, _ = make_client(Recorder(), goproxy, env=env)

    async def main() -> int:
        ctx = QueryContext(client, MainModule())
        ctx.upgrade_soon("example.com/a", "v1.1.0-rc.1")
        started = len(ctx._ahead)
        await asyncio.gather(*ctx._ahead)  # (what it asks fails here: quietly)
        return started

    assert asyncio.run(main()) == asked


def test_settle_stops_what_was_asked_ahead() -> None:
    """What a context asked ahead and is still unanswered is stopped by ``settle`` (as
    ``list_updates`` does at its end), so nothing outlives the client it asks."""
    import asyncio

    import httpx
    from test_proxy import Recorder, make_client

    from analysis.versions import QueryContext

    class Silent(Recorder):
        asked: asyncio.Event

        async def handle(self, request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            self.asked.set()
            await asyncio.Event().wait()  # never answers
            raise AssertionError("unreachable")

    rec = Silent()
    client, _ = make_client(rec, "https://p.example")

    async def main() -> tuple[int, int]:
        async with client:
            ctx = QueryContext(client, MainModule())
            rec.asked = asyncio.Event()
            ctx.upgrade_soon("example.com/a", "v1.1.0-rc.1")
            await asyncio.wait_for(rec.asked.wait(), 10)  # the question is on its way
            before = len(ctx._ahead)
            await asyncio.wait_for(ctx.settle(), 10)  # (a hang guard)
            return before, len(ctx._ahead)

    assert asyncio.run(main()) == (1, 0)
