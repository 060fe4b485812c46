"""analysis.loader on hand-built universes: each feature of ``go mod graph`` by itself.

The scenarios are data (:data:`SCENARIOS`): a universe, the graph text go prints for it
(or the error it reports). ``test_loader_differential.py`` runs the real go command on
the same scenarios, so every expectation written here is checked against go too.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from universe import Layout, Universe

from analysis.errors import GomodxError, ModuleLoadError, ModuleNotFound
from analysis.loader import (
    DirectorySource,
    GoModSource,
    LoadedGraph,
    load_module_graph,
    load_module_graph_sync,
)
from analysis.module import ModuleVersion

E = "example.com"


@dataclass
class Scenario:
    """A universe and what ``go mod graph`` (or ``go list -m all``) says about it.

    ``graph`` is the exact text; ``build_list`` the ``go list -m all`` path/version
    pairs (main module first); ``error`` the message go prints after ``go: `` with
    ``{proxy}`` and ``{main}`` standing for the proxy URL and main module directory.
    ``go_flag`` is ``go mod graph -go=V``. ``fetches`` is how many go.mod files the
    loader must request from the proxy (each exactly once).
    """

    name: str
    build: Callable[[], Universe]
    graph: str = ""
    build_list: list[str] = field(default_factory=list)
    error: str = ""
    go_flag: str | None = None
    fetches: int | None = None
    edit: Callable[[Layout], None] | None = None

    def write(self, root: Path) -> Layout:
        layout = self.build().write(root)
        if self.edit is not None:
            self.edit(layout)
        return layout


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


# -- the universes ----------------------------------------------------------------------


def _chain(main_go: str | None) -> Universe:
    """main → a → b → c, every dependency at go 1.17."""
    u = Universe(main_go=main_go, zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.0.0")])
    u.add(f"{E}/b", "v1.0.0", [(f"{E}/c", "v1.0.0")])
    u.add(f"{E}/c", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    return u


def _mixed() -> Universe:
    """A pruned main module with an unpruned (go 1.16) root below which all is read."""
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/lazy", "v1.0.0", [(f"{E}/hidden", "v1.0.0")])
    u.add(f"{E}/hidden", "v1.0.0", [(f"{E}/never", "v1.0.0")])
    u.add(f"{E}/never", "v1.0.0")
    u.add(f"{E}/old", "v1.0.0", [(f"{E}/new", "v1.0.0")], go="1.16")
    u.add(f"{E}/new", "v1.0.0", [(f"{E}/deep", "v1.0.0")])
    u.add(f"{E}/deep", "v1.0.0", [(f"{E}/deeper", "v1.0.0")])
    u.add(f"{E}/deeper", "v1.0.0")
    u.require(f"{E}/old", "v1.0.0")
    u.require(f"{E}/lazy", "v1.0.0")
    return u


def _forks() -> Universe:
    """An exact-version replacement by a fork and an all-versions one by a version."""
    u = Universe(main_go="1.21", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/y", "v1.0.0")])
    u.add(f"{E}/fork", "v1.1.0", [(f"{E}/z", "v1.0.0")], go="1.21")
    u.add(f"{E}/b", "v1.0.0", [(f"{E}/y", "v1.0.0")])
    u.add(f"{E}/b", "v1.2.0", [(f"{E}/z", "v1.1.0")])
    for v in ("v1.0.0", "v1.1.0"):
        u.add(f"{E}/z", v)
    u.add(f"{E}/y", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/b", "v1.0.0")
    u.replace(f"{E}/a", "v1.0.0", f"{E}/fork", "v1.1.0")
    u.replace(f"{E}/b", "", f"{E}/b", "v1.2.0")
    return u


def _fork_wrong_path() -> Universe:
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0")
    u.add(f"{E}/fork", "v1.1.0", module_line=f"{E}/other")
    u.require(f"{E}/a", "v1.0.0")
    u.replace(f"{E}/a", "", f"{E}/fork", "v1.1.0")
    return u


def _directories() -> Universe:
    """Directory replacements: all versions (any module line) and one exact version."""
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/never", "v1.0.0")])
    u.add(f"{E}/b", "v1.0.0", [(f"{E}/never", "v1.0.0")])
    u.add(f"{E}/b", "v1.1.0", [(f"{E}/never", "v1.0.0")])
    u.add(f"{E}/never", "v1.0.0")
    u.add(f"{E}/y", "v1.0.0", [(f"{E}/q", "v1.0.0")])
    u.add(f"{E}/q", "v1.0.0")
    u.add(f"{E}/z", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/b", "v1.0.0")
    u.replace(f"{E}/a", "", u.add_local("a", f"{E}/anything", [(f"{E}/z", "v1.0.0")]))
    u.replace(f"{E}/b", "v1.0.0", u.add_local("b", f"{E}/b", [(f"{E}/y", "v1.0.0")], go="1.16"))
    return u


def _missing_directory() -> Universe:
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    u.replace(f"{E}/a", "", "./local/missing")
    return u


def _excludes() -> Universe:
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.1.0"), (f"{E}/d", "v1.0.0")])
    u.add(f"{E}/b", "v1.1.0")
    u.add(f"{E}/c", "v1.0.0")
    u.add(f"{E}/d", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/c", "v1.0.0")
    u.exclude(f"{E}/b", "v1.1.0")
    u.exclude(f"{E}/c", "v1.0.0")
    return u


def _unpruned_cycle() -> Universe:
    u = Universe(main_go="1.16", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.0.0")], go=None)
    u.add(f"{E}/b", "v1.0.0", [(f"{E}/a", "v1.1.0")], go="1.16")
    u.add(f"{E}/a", "v1.1.0", [(f"{E}/b", "v1.0.0")], go="1.16")
    u.require(f"{E}/a", "v1.0.0")
    return u


def _pruned_cycle() -> Universe:
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.0.0")])
    u.add(f"{E}/b", "v1.0.0", [(f"{E}/a", "v1.0.0")])
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/b", "v1.0.0")
    return u


def _pruned_upgrade() -> Universe:
    """A root below its selected version: the roots move up and pull in more."""
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.1.0")])
    u.add(f"{E}/b", "v1.0.0")
    u.add(f"{E}/b", "v1.1.0", [(f"{E}/c", "v1.0.0")])
    u.add(f"{E}/c", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/b", "v1.0.0")
    return u


def _toolchains() -> Universe:
    u = Universe(main_go="1.21", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.0.0")], go="1.22")
    u.add(f"{E}/b", "v1.0.0", go="1.23.2")
    u.require(f"{E}/a", "v1.0.0")
    return u


def _with_toolchain_line(layout: Layout, name: str = "go1.22.1") -> None:
    gomod = layout.main_dir / "go.mod"
    gomod.write_text(gomod.read_text().replace("go 1.21\n", f"go 1.21\n\ntoolchain {name}\n"))


def _unpruned_toolchains() -> Universe:
    u = _toolchains()
    u.main_go = "1.16"
    return u


def _missing_module() -> Universe:
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.0.0")], go="1.16")
    u.require(f"{E}/a", "v1.0.0")
    return u


def _bad_go_mod(layout: Layout) -> None:
    (layout.proxy_dir / f"{E}/a/@v/v1.0.0.mod").write_text(f"module {E}/a\n\nrequire {E}/b 1.0.0\n")


def _no_module_line(layout: Layout) -> None:
    (layout.proxy_dir / f"{E}/a/@v/v1.0.0.mod").write_text("go 1.17\n")


def _duplicate_roots() -> Universe:
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/c", "v1.0.0")])
    u.add(f"{E}/a", "v1.1.0", [(f"{E}/d", "v1.0.0")])
    u.add(f"{E}/c", "v1.0.0")
    u.add(f"{E}/d", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/a", "v1.1.0")
    return u


def _duplicate_roots_unpruned() -> Universe:
    u = _duplicate_roots()
    u.main_go = "1.16"
    return u


def _lax_dependency(layout: Layout) -> None:
    # Directives a dependency's go.mod may hold but the graph never reads.
    (layout.proxy_dir / f"{E}/a/@v/v1.0.0.mod").write_text(
        f"module {E}/a\n\ngo 1.17\n\ntoolchain go1.99\n\nsurprise attack\n"
        f"exclude {E}/b v1.0.0\nreplace {E}/b => {E}/c v1.0.0\n"
        f"require {E}/b v1.0.0\n"
    )


def _lax() -> Universe:
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0")
    u.add(f"{E}/b", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    return u


def _requires_main(main_requires_itself: bool) -> Callable[[], Universe]:
    """A dependency requires the main module's path at a version (a cycle through it)."""

    def build() -> Universe:
        u = Universe(main_go="1.17", zips=False)
        u.add(f"{E}/a", "v1.0.0", [(f"{E}/main", "v1.0.0")], go="1.16")
        u.add(f"{E}/main", "v1.0.0", [(f"{E}/b", "v1.0.0")], go="1.16")
        u.add(f"{E}/b", "v1.0.0", go="1.16")
        u.require(f"{E}/a", "v1.0.0")
        if main_requires_itself:
            u.require(f"{E}/main", "v1.0.0")
        return u

    return build


def _sibling(target: str | None) -> Callable[[], Universe]:
    def build() -> Universe:
        u = Universe(main_go="1.17", zips=False)
        u.add(f"{E}/a", "v1.0.0")
        u.add(f"{E}/q", "v1.0.0")
        u.require(f"{E}/a", "v1.0.0")
        if target is not None:
            u.replace(f"{E}/a", "", target)
        return u

    return build


def _write_sibling(layout: Layout) -> None:
    d = layout.root / "sib"
    d.mkdir()
    # Lax parsing: the unknown directive is ignored, the module line is not checked;
    # with no go line, q's go.mod is read too (unpruned).
    (d / "go.mod").write_text(f"module x\n\nrequire {E}/q v1.0.0\nfoo bar\n")


def _absolute_bad_directory(layout: Layout) -> None:
    d = layout.root / "abs"
    d.mkdir()
    (d / "go.mod").write_text(f"module x\n\nrequire {E}/q v1.0.0\nrequire (\n")
    gomod = layout.main_dir / "go.mod"
    gomod.write_text(gomod.read_text() + f"replace {E}/a => {d}\n")


def _wrong_module_line() -> Universe:
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0", module_line=f"{E}/other")
    u.require(f"{E}/a", "v1.0.0")
    return u


def _prerelease_go_lines() -> Universe:
    """go 1.21rc1 < 1.21rc2 < 1.21.0, and 1.17rc1 already prunes."""
    u = Universe(main_go="1.21rc1", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.0.0")], go="1.21rc2")
    u.add(f"{E}/b", "v1.0.0", [(f"{E}/c", "v1.0.0")], go="1.17rc1")
    u.add(f"{E}/c", "v1.0.0", [(f"{E}/d", "v1.0.0")], go="1.16")
    u.add(f"{E}/d", "v1.0.0", go="1.21.0")
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/b", "v1.0.0")
    return u


def _replace_precedence() -> Universe:
    """An exact-version key beats a path-only key; one target serves many versions."""
    u = Universe(main_go="1.16", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.0.0"), (f"{E}/b", "v1.1.0")])
    u.add(f"{E}/b", "v1.2.0", [(f"{E}/c", "v1.0.0")])
    u.add(f"{E}/b", "v1.3.0", [(f"{E}/d", "v1.0.0")])
    u.add(f"{E}/c", "v1.0.0", [(f"{E}/b", "v1.2.0")])
    u.add(f"{E}/d", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    u.replace(f"{E}/b", "", f"{E}/b", "v1.2.0")
    u.replace(f"{E}/b", "v1.1.0", f"{E}/b", "v1.3.0")
    return u


def _excluded_root_unpruned() -> Universe:
    u = Universe(main_go="1.16", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.1.0")])
    u.add(f"{E}/b", "v1.0.0")
    u.add(f"{E}/b", "v1.1.0")
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/b", "v1.0.0")
    u.exclude(f"{E}/b", "v1.0.0")
    return u


def _missing_after_root_update() -> Universe:
    """b v1.1.0 is only read once the roots move up to it, and it is missing."""
    u = Universe(main_go="1.17", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.1.0")])
    u.add(f"{E}/b", "v1.0.0")
    u.require(f"{E}/a", "v1.0.0")
    u.require(f"{E}/b", "v1.0.0")
    return u


M = f"{E}/main"

SCENARIOS = [
    Scenario(
        "pruned",
        lambda: _chain("1.17"),
        _lines(f"{M} {E}/a@v1.0.0", f"{M} go@1.17", f"{E}/a@v1.0.0 {E}/b@v1.0.0"),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=1,
    ),
    Scenario(
        "unpruned",
        lambda: _chain("1.16"),
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.16",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/b@v1.0.0 {E}/c@v1.0.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0", f"{E}/c v1.0.0"],
        fetches=3,
    ),
    Scenario(
        "no-go-line-is-unpruned",
        lambda: _chain(None),
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.16",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/b@v1.0.0 {E}/c@v1.0.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0", f"{E}/c v1.0.0"],
        fetches=3,
    ),
    Scenario(
        "go-flag-unprunes",
        lambda: _chain("1.17"),
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.17",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/b@v1.0.0 {E}/c@v1.0.0",
        ),
        go_flag="1.16",
        fetches=3,
    ),
    Scenario(
        "mixed",
        _mixed,
        _lines(
            f"{M} {E}/lazy@v1.0.0",
            f"{M} {E}/old@v1.0.0",
            f"{M} go@1.17",
            f"{E}/lazy@v1.0.0 {E}/hidden@v1.0.0",
            f"{E}/old@v1.0.0 {E}/new@v1.0.0",
            f"{E}/new@v1.0.0 {E}/deep@v1.0.0",
            f"{E}/deep@v1.0.0 {E}/deeper@v1.0.0",
        ),
        [
            M,
            f"{E}/deep v1.0.0",
            f"{E}/deeper v1.0.0",
            f"{E}/hidden v1.0.0",
            f"{E}/lazy v1.0.0",
            f"{E}/new v1.0.0",
            f"{E}/old v1.0.0",
        ],
        fetches=5,
    ),
    Scenario(
        "replace-fork-and-version",
        _forks,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} {E}/b@v1.0.0",
            f"{M} go@1.21",
            f"{E}/a@v1.0.0 {E}/z@v1.0.0",
            f"{E}/a@v1.0.0 go@1.21",
            f"{E}/b@v1.0.0 {E}/z@v1.1.0",
            "go@1.21 toolchain@go1.21",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0", f"{E}/z v1.1.0"],
        fetches=2,
    ),
    Scenario(
        "replace-fork-wrong-path",
        _fork_wrong_path,
        error=(
            f"{E}/a@v1.0.0 (replaced by {E}/fork@v1.1.0): parsing go.mod:\n"
            f"\tmodule declares its path as: {E}/other\n"
            f"\t        but was required as: {E}/a"
        ),
    ),
    Scenario(
        "replace-directory",
        _directories,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} {E}/b@v1.0.0",
            f"{M} go@1.17",
            f"{E}/a@v1.0.0 {E}/z@v1.0.0",
            f"{E}/b@v1.0.0 {E}/y@v1.0.0",
            f"{E}/y@v1.0.0 {E}/q@v1.0.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0", f"{E}/q v1.0.0", f"{E}/y v1.0.0", f"{E}/z v1.0.0"],
        fetches=2,
    ),
    Scenario(
        "replace-missing-directory",
        _missing_directory,
        error=(
            f"{E}/a@v1.0.0 (replaced by ./local/missing): reading local/missing/go.mod:"
            " open {main}/local/missing/go.mod: no such file or directory"
        ),
    ),
    Scenario(
        "exclude",
        _excludes,
        _lines(f"{M} {E}/a@v1.0.0", f"{M} go@1.17", f"{E}/a@v1.0.0 {E}/d@v1.0.0"),
        [M, f"{E}/a v1.0.0", f"{E}/d v1.0.0"],
        fetches=1,
    ),
    Scenario(
        "cycle-unpruned-roots-updated",
        _unpruned_cycle,
        _lines(
            f"{M} {E}/a@v1.1.0",
            f"{M} go@1.16",
            f"{E}/a@v1.1.0 {E}/b@v1.0.0",
            f"{E}/b@v1.0.0 {E}/a@v1.1.0",
        ),
        [M, f"{E}/a v1.1.0", f"{E}/b v1.0.0"],
        fetches=3,
    ),
    Scenario(
        "cycle-pruned",
        _pruned_cycle,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} {E}/b@v1.0.0",
            f"{M} go@1.17",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/b@v1.0.0 {E}/a@v1.0.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=2,
    ),
    Scenario(
        "pruned-roots-updated",
        _pruned_upgrade,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} {E}/b@v1.1.0",
            f"{M} go@1.17",
            f"{E}/a@v1.0.0 {E}/b@v1.1.0",
            f"{E}/b@v1.1.0 {E}/c@v1.0.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.1.0", f"{E}/c v1.0.0"],
        fetches=3,
    ),
    Scenario(
        "go-and-toolchain-nodes",
        _toolchains,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.22",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/a@v1.0.0 go@1.22",
            "go@1.22 toolchain@go1.22",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=1,
    ),
    Scenario(
        "toolchain-line",
        _toolchains,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.22",
            f"{M} toolchain@go1.22.1",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/a@v1.0.0 go@1.22",
            "go@1.22 toolchain@go1.22",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=1,
        edit=_with_toolchain_line,
    ),
    Scenario(
        # "toolchain default" is a root like any other, and the selected one replaces it.
        "toolchain-default",
        _toolchains,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.22",
            f"{M} toolchain@go1.22",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/a@v1.0.0 go@1.22",
            "go@1.22 toolchain@go1.22",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=1,
        edit=lambda layout: _with_toolchain_line(layout, "default"),
    ),
    Scenario(
        "go-flag-too-low",
        _toolchains,
        error="requested Go version 1.20 cannot load module graph (requires Go >= 1.21)",
        go_flag="1.20",
    ),
    Scenario(
        "toolchain-nodes-unpruned",
        _unpruned_toolchains,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.23.2",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/a@v1.0.0 go@1.22",
            "go@1.23.2 toolchain@go1.23.2",
            f"{E}/b@v1.0.0 go@1.23.2",
            "go@1.22 toolchain@go1.22",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=2,
    ),
    Scenario(
        "missing-module",
        _missing_module,
        error=(
            f"{E}/a@v1.0.0 requires\n"
            f"\t{E}/b@v1.0.0: reading {{proxy}}/{E}/b/@v/v1.0.0.mod: no such file or directory"
        ),
    ),
    Scenario(
        "missing-root",
        _missing_module,
        error=f"{E}/a@v1.0.0: reading {{proxy}}/{E}/a/@v/v1.0.0.mod: no such file or directory",
        edit=lambda layout: (layout.proxy_dir / f"{E}/a/@v/v1.0.0.mod").unlink(),
    ),
    Scenario(
        "bad-dependency-go-mod",
        _missing_module,
        error=(
            f"{E}/a@v1.0.0: parsing go.mod: go.mod:3: require {E}/b:"
            ' version "1.0.0" invalid: must be of the form v1.2.3'
        ),
        edit=_bad_go_mod,
    ),
    Scenario(
        "dependency-without-module-line",
        _missing_module,
        error=f"{E}/a@v1.0.0: parsing go.mod: missing module line",
        edit=_no_module_line,
    ),
    Scenario(
        "lax-dependency",
        _lax,
        _lines(f"{M} {E}/a@v1.0.0", f"{M} go@1.17", f"{E}/a@v1.0.0 {E}/b@v1.0.0"),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=1,
        edit=_lax_dependency,
    ),
    Scenario(
        "duplicate-roots",
        _duplicate_roots,
        _lines(
            f"{M} {E}/a@v1.1.0",
            f"{M} go@1.17",
            f"{E}/a@v1.1.0 {E}/d@v1.0.0",
        ),
        [M, f"{E}/a v1.1.0", f"{E}/d v1.0.0"],
        fetches=1,
    ),
    Scenario(
        "duplicate-roots-unpruned",
        _duplicate_roots_unpruned,
        # The unpruned consistency step keeps c (required by a v1.0.0) as a root.
        _lines(
            f"{M} {E}/a@v1.1.0",
            f"{M} {E}/c@v1.0.0",
            f"{M} go@1.16",
            f"{E}/a@v1.1.0 {E}/d@v1.0.0",
        ),
        [M, f"{E}/a v1.1.0", f"{E}/c v1.0.0", f"{E}/d v1.0.0"],
        fetches=4,
    ),
    Scenario(
        "dependency-requires-main-module",
        _requires_main(False),
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.17",
            f"{E}/a@v1.0.0 {M}@v1.0.0",
            f"{M}@v1.0.0 {E}/b@v1.0.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=3,
    ),
    Scenario(
        "main-module-requires-itself",
        _requires_main(True),
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.17",
            f"{E}/a@v1.0.0 {M}@v1.0.0",
            f"{M}@v1.0.0 {E}/b@v1.0.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0"],
        fetches=3,
    ),
    Scenario(
        "replace-sibling-directory",
        _sibling("../sib"),
        _lines(f"{M} {E}/a@v1.0.0", f"{M} go@1.17", f"{E}/a@v1.0.0 {E}/q@v1.0.0"),
        [M, f"{E}/a v1.0.0", f"{E}/q v1.0.0"],
        fetches=1,
        edit=_write_sibling,
    ),
    Scenario(
        "replace-missing-sibling",
        _sibling("../nosuch"),
        error=(
            f"{E}/a@v1.0.0 (replaced by ../nosuch): reading ../nosuch/go.mod:"
            " open {root}/nosuch/go.mod: no such file or directory"
        ),
    ),
    Scenario(
        "replace-absolute-directory-bad-go-mod",
        _sibling(None),
        error=(
            f"{E}/a@v1.0.0 (replaced by {{root}}/abs): parsing ../abs/go.mod:"
            " {root}/abs/go.mod:5: syntax error (unterminated block started at"
            " {root}/abs/go.mod:4:1)"
        ),
        edit=_absolute_bad_directory,
    ),
    Scenario(
        "wrong-module-line",
        _wrong_module_line,
        error=(
            f"{E}/a@v1.0.0: parsing go.mod:\n"
            f"\tmodule declares its path as: {E}/other\n"
            f"\t        but was required as: {E}/a"
        ),
    ),
    Scenario(
        "prerelease-go-lines",
        _prerelease_go_lines,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} {E}/b@v1.0.0",
            f"{M} go@1.21.0",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/a@v1.0.0 go@1.21rc2",
            f"{E}/b@v1.0.0 {E}/c@v1.0.0",
            "go@1.21.0 toolchain@go1.21.0",
            f"{E}/c@v1.0.0 {E}/d@v1.0.0",
            f"{E}/d@v1.0.0 go@1.21.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.0.0", f"{E}/c v1.0.0", f"{E}/d v1.0.0"],
        fetches=4,
    ),
    Scenario(
        "replace-precedence",
        _replace_precedence,
        _lines(
            f"{M} {E}/a@v1.0.0",
            f"{M} go@1.16",
            f"{E}/a@v1.0.0 {E}/b@v1.0.0",
            f"{E}/a@v1.0.0 {E}/b@v1.1.0",
            f"{E}/b@v1.0.0 {E}/c@v1.0.0",
            f"{E}/b@v1.1.0 {E}/d@v1.0.0",
            f"{E}/c@v1.0.0 {E}/b@v1.2.0",
            f"{E}/b@v1.2.0 {E}/c@v1.0.0",
        ),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.2.0", f"{E}/c v1.0.0", f"{E}/d v1.0.0"],
        fetches=5,
    ),
    Scenario(
        "excluded-root-unpruned",
        _excluded_root_unpruned,
        _lines(f"{M} {E}/a@v1.0.0", f"{M} go@1.16", f"{E}/a@v1.0.0 {E}/b@v1.1.0"),
        [M, f"{E}/a v1.0.0", f"{E}/b v1.1.0"],
        fetches=2,
    ),
    Scenario(
        "missing-after-root-update",
        _missing_after_root_update,
        error=f"{E}/b@v1.1.0: reading {{proxy}}/{E}/b/@v/v1.1.0.mod: no such file or directory",
    ),
]


def expected_error(s: Scenario, layout: Layout) -> str:
    return (
        s.error.replace("{proxy}", layout.proxy_url)
        .replace("{main}", str(layout.main_dir))
        .replace("{root}", str(layout.root))
    )


# -- tests ------------------------------------------------------------------------------


class CountingSource:
    """A source that counts requests, holds each one for a random moment, and tracks
    how many are in flight at once."""

    def __init__(self, inner: GoModSource, seed: int = 0, delay: float = 0.0) -> None:
        self.inner = inner
        self.rng = random.Random(seed)
        self.delay = delay
        self.calls: list[ModuleVersion] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        self.calls.append(mod)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.rng.random() * self.delay)
            return await self.inner.go_mod(mod)
        finally:
            self.in_flight -= 1


def _load(
    layout: Layout, source: GoModSource | None = None, go_flag: str | None = None
) -> LoadedGraph:
    return load_module_graph_sync(
        layout.main_dir,
        source or DirectorySource(layout.proxy_dir),
        go_version_override=go_flag,
    )


def _build_list(loaded: LoadedGraph) -> list[str]:
    return [f"{m.path} {m.version}".strip() for m in loaded.build_list()]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(s: Scenario, tmp_path: Path) -> None:
    layout = s.write(tmp_path)
    source = CountingSource(DirectorySource(layout.proxy_dir))
    if s.error:
        with pytest.raises(GomodxError) as info:
            _load(layout, source, s.go_flag)
        assert str(info.value) == expected_error(s, layout)
        return
    loaded = _load(layout, source, s.go_flag)
    assert loaded.graph.text() == s.graph
    if s.build_list:
        assert _build_list(loaded) == s.build_list
    if s.fetches is not None:
        assert len(source.calls) == s.fetches == loaded.fetches
    assert len(set(source.calls)) == len(source.calls), "a go.mod was fetched twice"


def test_summaries_are_kept(tmp_path: Path) -> None:
    layout = next(s for s in SCENARIOS if s.name == "replace-fork-and-version").write(tmp_path)
    loaded = _load(layout)
    a = loaded.summaries[ModuleVersion(f"{E}/a", "v1.0.0")]
    assert a.actual == ModuleVersion(f"{E}/fork", "v1.1.0")
    assert a.replaced and a.module_path == f"{E}/fork"
    assert a.go_version == "1.21" and a.pruned
    assert a.require == (ModuleVersion(f"{E}/z", "v1.0.0"), ModuleVersion("go", "1.21"))
    b = loaded.summaries[ModuleVersion(f"{E}/b", "v1.0.0")]
    assert b.actual == ModuleVersion(f"{E}/b", "v1.2.0")
    assert loaded.replacement(ModuleVersion(f"{E}/b", "v9.9.9")) == b.actual
    assert loaded.replacement(ModuleVersion(f"{E}/z", "v1.0.0")) is None
    assert loaded.required(ModuleVersion(f"{E}/z", "v1.1.0")) == ()
    assert loaded.selected()[f"{E}/z"] == "v1.1.0"
    assert loaded.pruned and loaded.go_version == "1.21"
    assert loaded.roots == (
        ModuleVersion(f"{E}/a", "v1.0.0"),
        ModuleVersion(f"{E}/b", "v1.0.0"),
        ModuleVersion("go", "1.21"),
    )


def test_exclusions_and_directories_in_summaries(tmp_path: Path) -> None:
    loaded = _load(next(s for s in SCENARIOS if s.name == "exclude").write(tmp_path / "x"))
    assert loaded.excluded == {
        ModuleVersion(f"{E}/b", "v1.1.0"),
        ModuleVersion(f"{E}/c", "v1.0.0"),
    }
    a = loaded.summaries[ModuleVersion(f"{E}/a", "v1.0.0")]
    assert a.require == (ModuleVersion(f"{E}/d", "v1.0.0"),)
    loaded = _load(next(s for s in SCENARIOS if s.name == "replace-directory").write(tmp_path))
    a = loaded.summaries[ModuleVersion(f"{E}/a", "v1.0.0")]
    assert a.actual == ModuleVersion("./local/a", "")
    assert a.module_path == f"{E}/anything"
    # The exact-version key covers b v1.0.0 only.
    assert loaded.replacement(ModuleVersion(f"{E}/b", "v1.1.0")) is None


def _random_universe_layout(tmp_path: Path, seed: int, modules: int) -> Layout:
    from universe import random_universe

    return random_universe(seed, modules, 5, zips=False).write(tmp_path)


@pytest.mark.parametrize("seed", [3, 11, 42])
def test_order_does_not_depend_on_completion_order(tmp_path: Path, seed: int) -> None:
    layout = _random_universe_layout(tmp_path, seed, 40)
    base = DirectorySource(layout.proxy_dir)
    texts = set()
    for run in range(4):
        source = CountingSource(base, seed=run, delay=0.002)
        loaded = load_module_graph_sync(layout.main_dir, source, concurrency=3 + run * 20)
        texts.add(loaded.graph.text())
        assert len(set(source.calls)) == len(source.calls) == loaded.fetches
        assert source.max_in_flight <= 3 + run * 20
    assert len(texts) == 1


def test_fetches_run_concurrently(tmp_path: Path) -> None:
    u = Universe(main_go="1.16", zips=False)
    for i in range(30):
        u.add(f"{E}/m{i}", "v1.0.0")
        u.require(f"{E}/m{i}", "v1.0.0")
    layout = u.write(tmp_path)
    source = CountingSource(DirectorySource(layout.proxy_dir), delay=0.01)
    load_module_graph_sync(layout.main_dir, source, concurrency=8)
    assert source.max_in_flight == 8


def test_replacement_target_read_once(tmp_path: Path) -> None:
    # Every version of b is replaced by b v1.2.0, which is also required directly:
    # one go.mod, fetched once.
    u = Universe(main_go="1.16", zips=False)
    u.add(f"{E}/a", "v1.0.0", [(f"{E}/b", "v1.0.0"), (f"{E}/b", "v1.1.0")])
    u.add(f"{E}/b", "v1.2.0", [(f"{E}/c", "v1.0.0")])
    u.add(f"{E}/c", "v1.0.0", [(f"{E}/b", "v1.2.0")])
    u.require(f"{E}/a", "v1.0.0")
    u.replace(f"{E}/b", "", f"{E}/b", "v1.2.0")
    layout = u.write(tmp_path)
    source = CountingSource(DirectorySource(layout.proxy_dir), delay=0.001)
    loaded = load_module_graph_sync(layout.main_dir, source)
    assert sorted(str(m) for m in source.calls) == [
        f"{E}/a@v1.0.0",
        f"{E}/b@v1.2.0",
        f"{E}/c@v1.0.0",
    ]
    # Duplicate requirements print twice, as go prints them.
    assert loaded.graph.text().count(f"{E}/a@v1.0.0 {E}/b@") == 2


def test_missing_module_error_carries_the_cause(tmp_path: Path) -> None:
    layout = next(s for s in SCENARIOS if s.name == "missing-module").write(tmp_path)
    with pytest.raises(ModuleLoadError) as info:
        _load(layout)
    err = info.value
    assert isinstance(err.err, ModuleNotFound)
    assert err.chain == (
        ModuleVersion(M, ""),
        ModuleVersion(f"{E}/a", "v1.0.0"),
        ModuleVersion(f"{E}/b", "v1.0.0"),
    )
    assert err.module == err.actual == ModuleVersion(f"{E}/b", "v1.0.0")


def test_directory_source(tmp_path: Path) -> None:
    u = Universe(zips=False)
    u.add("example.com/Mixed/Case", "v1.0.0-RC1", go="1.17")
    layout = u.write(tmp_path)
    src = DirectorySource(layout.proxy_dir)
    m = ModuleVersion("example.com/Mixed/Case", "v1.0.0-RC1")
    assert src.path_for(m) == layout.proxy_dir / "example.com/!mixed/!case/@v/v1.0.0-!r!c1.mod"
    assert asyncio.run(src.go_mod(m)).startswith(b"module example.com/Mixed/Case\n")
    with pytest.raises(ModuleNotFound, match=r"example.com/x@v1.0.0: reading file://"):
        asyncio.run(src.go_mod(ModuleVersion("example.com/x", "v1.0.0")))


def test_conflicting_replacements(tmp_path: Path) -> None:
    u = _chain("1.17")
    u.replace(f"{E}/a", "", f"{E}/b", "v1.0.0")
    u.replace(f"{E}/a", "", f"{E}/c", "v1.0.0")
    layout = u.write(tmp_path)
    with pytest.raises(GomodxError) as info:
        _load(layout)
    assert str(info.value) == (
        f"conflicting replacements for {E}/a:\n\t{E}/b@v1.0.0\n\t{E}/c@v1.0.0"
    )


def test_async_entry_point(tmp_path: Path) -> None:
    layout = _chain("1.16").write(tmp_path)

    async def main() -> LoadedGraph:
        return await load_module_graph(
            str(layout.main_dir), DirectorySource(layout.proxy_dir), concurrency=1
        )

    loaded = asyncio.run(main())
    assert [str(m) for m in loaded.build_list()] == [
        M,
        f"{E}/a@v1.0.0",
        f"{E}/b@v1.0.0",
        f"{E}/c@v1.0.0",
    ]
