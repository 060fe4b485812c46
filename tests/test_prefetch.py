"""The go.mod files go.sum names are fetched at full width while the walk runs.

Without the prefetch the walk can ask for a go.mod only once it has read a module that
requires it, one level of the graph per round trip. The proxy here answers no request
for the roots' go.mod files before a deeper module's go.mod has been asked for: only a
client that asks for what go.sum names up front gets past that (one that does not waits
for ever, and the test fails at its deadline). The graph must still be the walk's.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from gotool import go_env
from proxyserver import ProxyServer
from universe import escape, random_universe

from analysis.loader import DirectorySource, load_module_graph_sync
from analysis.modfile import parse
from analysis.session import Session, SessionOptions


@pytest.mark.parametrize("seed", [3, 8, 21])
def test_the_graph_go_sum_names_is_fetched_before_the_walk_reaches_it(
    tmp_path: Path, seed: int
) -> None:
    layout = random_universe(seed, 30, 3, max_deps=3, zips=False).write(tmp_path / "u")
    layout.write_gomod_sums()
    main = layout.main_dir
    truth = load_module_graph_sync(main, DirectorySource(layout.proxy_dir)).graph.text()
    gomod = parse("go.mod", (main / "go.mod").read_bytes())
    roots = {r.mod.path for r in gomod.require}
    deeper = sorted(
        line.split()[0]
        for line in (main / "go.sum").read_text().splitlines()
        if line.split()[0] not in roots
    )
    assert roots and deeper
    hold = "^/(" + "|".join(escape(p) for p in sorted(roots)) + r")/@v/[^/]*\.mod$"
    until = "^/" + escape(deeper[0]) + r"/@v/[^/]*\.mod$"
    with ProxyServer(layout.proxy_dir) as server:
        server.hold(hold, until)
        env = go_env(tmp_path / "env", proxy=server.url, GOFLAGS="-mod=mod", GOWORK="off")
        options = SessionOptions(
            source="proxy", use_go=False, cache_dir=tmp_path / "own", state_dir=tmp_path / "st"
        )
        session = Session.open(main, options, environ=env)

        async def load() -> str:
            with anyio.fail_after(120):  # only a broken prefetch waits this long
                try:
                    return (await session.load()).graph.text()
                finally:
                    await session.aclose()

        text = anyio.run(load)
        assert server.received(hold) >= 1
    assert text == truth
