"""Untidy main modules for ``go mod tidy`` differential tests, on top of
:func:`universe.random_universe` with packages.

:func:`untidy_main` gives the main module packages of its own whose imports disagree with
its go.mod: imports of modules it does not require (missing requirements), requirements
nothing imports (extra), imports only from ``_test.go`` files (test-only), from files
with build constraints (``//go:build linux``, ``//go:build ignore`` — which tidy skips —,
``_windows.go``), of ``sub`` packages and nested modules, of missing packages; with
random ``// indirect`` markers and old go lines (so unpruned dependencies). :func:`messy_go_sum`
writes a go.sum with lines tidy drops (and leaves others out for tidy to add).
:func:`stale_requirements` moves requirements of a go.mod down to older versions the proxy
serves (roots below the versions the graph selects: what ``-mod=readonly`` refuses as
``updates to go.mod needed``).
"""

from __future__ import annotations

import random
from pathlib import Path

from universe import Layout, Universe, _go_file, escape

__all__ = ["messy_go_sum", "stale_requirements", "untidy_main"]


def untidy_main(u: Universe, rng: random.Random) -> None:
    """Give ``u``'s main module packages that make its go.mod untidy (see module doc)."""
    paths = u.paths()
    required = [p for p, _, _ in u.main_requires]

    def pkg_of(p: str) -> str:
        spec = next((s for (q, _), s in u.mods.items() if q == p), None)
        if spec is not None and spec.files and "sub/sub.go" in spec.files and rng.random() < 0.3:
            return p + "/sub"
        return p

    def some(pool: list[str], k: int) -> list[str]:
        return [pkg_of(rng.choice(pool)) for _ in range(k)] if pool else []

    r = rng.random()
    if r < 0.05:
        return  # main.go only: tidy drops every requirement
    files: dict[str, str] = {}
    imports = ["fmt", *some(required, rng.randint(0, 2)), *some(paths, rng.randint(0, 2))]
    files["main.go"] = _go_file("main", imports) + "\nfunc main() {}\n"
    files["pkg/pkg.go"] = _go_file("pkg", some(required, rng.randint(0, 2)))
    if rng.random() < 0.5:
        files["pkg/pkg_test.go"] = _go_file("pkg", ["testing", *some(paths, 1)])
    if rng.random() < 0.3:
        files["pkg/ext_test.go"] = _go_file(
            "pkg_test", ["testing", u.main_path + "/pkg", *some(paths, 1)]
        )
    if rng.random() < 0.3:
        files["pkg/linux.go"] = "//go:build linux\n\n" + _go_file("pkg", some(paths, 1))
    if rng.random() < 0.3:
        files["pkg/gen.go"] = "//go:build ignore\n\n" + _go_file("main", some(paths, 1))
    if rng.random() < 0.2:
        files["pkg/pkg_windows.go"] = _go_file("pkg", some(paths, 1))
    if rng.random() < 0.2:
        files["only/only_test.go"] = _go_file("only", ["testing", *some(paths, 1)])
    if rng.random() < 0.1:
        files["tools/tools.go"] = "//go:build tools\n\n" + _go_file("tools", some(paths, 1))
    if rng.random() < 0.08:
        files["pkg/missing.go"] = _go_file(
            "pkg", [rng.choice(["example.com/ghost0/p", "foo/bar", rng.choice(paths) + "/nope"])]
        )
    if rng.random() < 0.1:
        files["testdata/x.go"] = _go_file("x", some(paths, 1))
        files["_skip/x.go"] = _go_file("x", some(paths, 1))
    u.main_files = files
    if rng.random() < 0.2:
        u.main_go = rng.choice(["1.14", "1.16", "1.17", "1.20", "1.21", "1.23", "1.27.0"])


def messy_go_sum(layout: Layout, u: Universe, rng: random.Random) -> None:
    """A go.sum with the go.mod and zip hashes of random module versions of the
    universe (some needed, some not)."""
    from analysis import hashes

    sums = hashes.GoSum()
    for (path, version), spec in u.mods.items():
        if rng.random() < 0.5:
            continue
        base = layout.proxy_dir / escape(path) / "@v" / escape(version)
        gomod = base.with_name(base.name + ".mod").read_bytes()
        sums.add(path, version + "/go.mod", hashes.gomod_hash(gomod))
        zip_file = base.with_name(base.name + ".zip")
        if rng.random() < 0.7 and zip_file.is_file() and not spec.zip_extra:
            sums.add(path, version, hashes.zip_hash(zip_file))
    Path(layout.main_dir / "go.sum").write_bytes(sums.format())


def stale_requirements(main_dir: Path, u: Universe, rng: random.Random) -> bool:
    """Move some ``require`` lines of ``main_dir``'s go.mod down to an older version of
    the same module in the proxy (keeping each line's ``// indirect``); True when one
    moved."""
    import re

    order = {p: sorted(set(u.versions(p)), key=_version_key) for p in u.paths()}
    moved = False

    def lower(m: re.Match[str]) -> str:
        nonlocal moved
        path, version = m.group(2), m.group(3)
        older = [v for v in order.get(path, []) if _version_key(v) < _version_key(version)]
        if not older or rng.random() < 0.4:
            return m.group(0)
        moved = True
        return f"{m.group(1)}{path} {rng.choice(older)}"

    gomod = main_dir / "go.mod"
    text = gomod.read_text()
    text = re.sub(r"^(\t|require )(\S+) (v\S+)", lower, text, flags=re.M)
    gomod.write_text(text)
    return moved


def _version_key(v: str) -> tuple[object, ...]:
    from analysis.semver import sort_key

    return sort_key(v)
