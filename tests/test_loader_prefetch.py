"""The go.sum-driven prefetch changes what is requested first, never the answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from universe import random_universe

from analysis.loader import DirectorySource, load_module_graph
from analysis.module import ModuleVersion


class _Recording(DirectorySource):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.asked: list[ModuleVersion] = []

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        self.asked.append(mod)
        await asyncio.sleep(0)
        return await super().go_mod(mod)


@pytest.mark.parametrize("seed", [2, 4, 6, 8])
def test_prefetch_from_go_sum_gives_the_walks_answer(tmp_path: Path, seed: int) -> None:
    u = random_universe(seed, 40, 4, zips=False)
    layout = u.write(tmp_path / "u")
    main = layout.main_dir

    cold_source = _Recording(layout.proxy_dir)
    cold = asyncio.run(load_module_graph(main, cold_source))

    # go.sum naming every version in the universe (more than the walk needs), a version
    # that does not exist, and a line for a zip (no /go.mod: not prefetched).
    lines = [f"{p} {v}/go.mod h1:x=" for p in u.paths() for v in u.versions(p)]
    lines += ["example.com/ghost v9.9.9/go.mod h1:x=", "example.com/zip v1.0.0 h1:x="]
    (main / "go.sum").write_text("\n".join(lines) + "\n")
    warm_source = _Recording(layout.proxy_dir)
    ahead = asyncio.run(load_module_graph(main, warm_source))

    assert ahead.graph.text() == cold.graph.text()
    assert ahead.roots == cold.roots
    assert dict(ahead.summaries) == dict(cold.summaries)
    # Everything the walk read was asked for, each once; the prefetch went first.
    assert set(cold_source.asked) <= set(warm_source.asked)
    assert len(warm_source.asked) == len(set(warm_source.asked))
    assert ModuleVersion("example.com/zip", "v1.0.0") not in warm_source.asked


def test_prefetch_failures_are_the_walks_failures(tmp_path: Path) -> None:
    u = random_universe(3, 20, 3, zips=False)
    layout = u.write(tmp_path / "u")
    main = layout.main_dir
    gone = sorted(layout.proxy_dir.rglob("*.mod"))[0]
    gone.unlink()
    try:
        want: object = asyncio.run(load_module_graph(main, DirectorySource(layout.proxy_dir)))
        want = ("ok", want.graph.text())  # type: ignore[attr-defined]
    except Exception as exc:
        want = (type(exc).__name__, str(exc))
    lines = [f"{p} {v}/go.mod h1:x=" for p in u.paths() for v in u.versions(p)]
    (main / "go.sum").write_text("\n".join(lines) + "\n")
    try:
        got: object = asyncio.run(load_module_graph(main, DirectorySource(layout.proxy_dir)))
        got = ("ok", got.graph.text())  # type: ignore[attr-defined]
    except Exception as exc:
        got = (type(exc).__name__, str(exc))
    assert got == want
