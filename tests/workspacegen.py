"""Random Go workspaces over random module universes, for differential tests against go.

:func:`random_workspace` writes a universe (``tests/universe.py``: a ``file://`` GOPROXY and
its main module ``example.com/main``) and, beside that module, 1–3 more modules, all used by
one go.work at the root:

* each module requires universe modules (some ``// indirect``) and other workspace modules
  at ``v1.0.0`` or ``v2.0.0`` (published in the proxy, as a monorepo publishes its modules), with its own
  ``go`` line (none, before and after graph pruning, after ``go@V`` became a module);
* go.mod replaces (another version, a fork directory beside the module), go.mod excludes,
  sometimes two modules replacing one module version differently (go's error);
* go.work replaces (overriding a module's, a version or a directory), ``go`` lines that
  are sometimes older than a module's (go's error) or missing, a ``toolchain`` line;
* module paths that sort before and after ``go`` and ``toolchain`` (the graph's roots are
  sorted together with them).

Everything comes from the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from universe import Layout, Universe, random_universe

ERA_CYCLE = ("modern", "legacy", "lazy")
GO_LINES = [None, "1.16", "1.17", "1.20", "1.21", "1.22", "1.23.1"]
EXTRA_PATHS = ["example.com/wa", "golang.example/wb", "zz.example/wc/v2", "example.com/main/sub"]


@dataclass
class WorkModule:
    """One used module besides the universe's main module."""

    path: str
    dir: str
    go: str | None
    requires: list[tuple[str, str, bool]] = field(default_factory=list)
    replaces: list[tuple[str, str, str, str]] = field(default_factory=list)
    excludes: list[tuple[str, str]] = field(default_factory=list)
    forks: dict[str, str] = field(default_factory=dict)
    """Directory (relative to the module) → module path of a fork written there."""
    toolchain: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    """Go source files (``packages=True``): name → text."""

    def go_mod(self) -> str:
        lines = [f"module {self.path}", ""]
        if self.go is not None:
            lines += [f"go {self.go}", ""]
        if self.toolchain is not None:
            lines += [f"toolchain {self.toolchain}", ""]
        if self.requires:
            lines.append("require (")
            lines += [f"\t{p} {v}" + (" // indirect" if ind else "") for p, v, ind in self.requires]
            lines += [")", ""]
        lines += [f"exclude {p} {v}" for p, v in self.excludes]
        for old, ov, new, nv in self.replaces:
            lines.append(f"replace {old}{' ' + ov if ov else ''} => {new}{' ' + nv if nv else ''}")
        return "\n".join(lines).rstrip("\n") + "\n"


@dataclass
class WorkLayout:
    """Where :func:`random_workspace` put things, and where go should run."""

    layout: Layout
    root: Path
    work: Path
    run_dir: Path
    universe: Universe
    modules: list[WorkModule]
    features: set[str] = field(default_factory=set)


def published_version(path: str) -> str:
    """The version a workspace module is published at (``v2.0.0`` for a ``/v2`` path)."""
    return "v2.0.0" if path.endswith("/v2") else "v1.0.0"


def _pick_version(rng: random.Random, u: Universe, path: str) -> str:
    return rng.choice(u.versions(path))


def random_workspace(
    seed: int, root: Path, scale: int = 1, *, packages: bool = False
) -> WorkLayout:
    """Write a random workspace under ``root`` (``root/go.work``, ``root/main``, …);
    ``scale`` multiplies the universe's size. With ``packages`` every module has Go
    packages (``tests/universe.py``'s), and each used module a package importing the
    root packages of some of the modules it requires (workspace modules included)."""
    rng = random.Random(seed * 7919 + 1)
    u = random_universe(
        seed,
        modules=(4 + seed % 7) * scale,
        versions=2 + seed % 3,
        max_deps=1 + seed % 3,
        era=ERA_CYCLE[seed % 3],
        packages=packages,
    )
    paths = u.paths()
    features: set[str] = set()
    extra: list[WorkModule] = []
    names = rng.sample(EXTRA_PATHS, rng.randint(1, 3))
    for i, path in enumerate(names):
        # A module nested in the main module's directory now and then.
        where = f"main/sub{i}" if rng.random() < 0.15 else f"w{i}"
        wm = WorkModule(path, where, rng.choice(GO_LINES))
        if wm.go is not None and _gover(wm.go) >= (1, 21) and rng.random() < 0.3:
            wm.toolchain = rng.choice(["go1.22.5", "go1.23.1", "default"])
            features.add("gomod-toolchain")
        for p in rng.sample(paths, min(len(paths), rng.randint(0, 3))):
            wm.requires.append((p, _pick_version(rng, u, p), rng.random() < 0.3))
        extra.append(wm)
    every = ["example.com/main", *(m.path for m in extra)]
    # Workspace modules require each other at published versions.
    published: set[str] = set()
    for wm in extra:
        for other in every:
            if other != wm.path and rng.random() < 0.4:
                wm.requires.append((other, published_version(other), False))
                published.add(other)
                features.add("requires-workspace-module")
    for path in sorted(published):
        reqs = [(p, _pick_version(rng, u, p)) for p in rng.sample(paths, min(2, len(paths)))]
        u.add(path, published_version(path), reqs, go=rng.choice(["1.17", "1.21", None]))
    # go.mod replaces and excludes.
    for wm in extra:
        if paths and rng.random() < 0.4:
            p = rng.choice(paths)
            vs = u.versions(p)
            if rng.random() < 0.5 and len(vs) > 1:
                wm.replaces.append((p, rng.choice(["", vs[0]]), p, vs[-1]))
                features.add("gomod-replace-version")
            else:
                wm.forks["./fork"] = p
                wm.replaces.append((p, "", "./fork", ""))
                features.add("gomod-replace-dir")
        if paths and rng.random() < 0.2:
            p = rng.choice(paths)
            wm.excludes.append((p, _pick_version(rng, u, p)))
            features.add("exclude")
    if len(extra) >= 2 and paths and rng.random() < 0.15:
        # Two modules replace one module version with different targets: go's error.
        p = rng.choice(paths)
        vs = u.versions(p)
        extra[0].replaces.append((p, vs[0], p, vs[-1]))
        extra[1].replaces.append((p, vs[0], "./fork2", ""))
        extra[1].forks["./fork2"] = p
        features.add("conflicting-replace")
    if packages:
        prng = random.Random(seed * 104729 + 7)
        for wm in extra:
            imports = [p for p, _, _ in wm.requires if prng.random() < 0.7]
            if paths and prng.random() < 0.2:
                imports.append(prng.choice(paths))  # a module it does not require
            name = wm.path.rstrip("/").rsplit("/", 1)[-1].replace(".", "")
            if name.startswith("v") and name[1:].isdigit():
                name = "pkg"
            body = f"package {name}\n"
            if imports:
                body += "\nimport (\n" + "".join(f'\t_ "{i}"\n' for i in imports) + ")\n"
            wm.files[f"{name}.go"] = body
    lay = u.write(root)
    for wm in extra:
        d = root / wm.dir
        d.mkdir(parents=True, exist_ok=True)
        (d / "go.mod").write_text(wm.go_mod())
        for fname, text in wm.files.items():
            (d / fname).write_text(text)
        for sub, path in wm.forks.items():
            (d / sub).mkdir(parents=True, exist_ok=True)
            reqs = "".join(
                f"require {p} {_pick_version(rng, u, p)}\n" for p in rng.sample(paths, 1)
            )
            (d / sub / "go.mod").write_text(f"module {path}\n\ngo 1.17\n\n{reqs}")
    # go.work.
    gos = [u.main_go, *(m.go for m in extra)]
    strict = [g for g in gos if g is not None and _gover(g) >= (1, 21)]
    top = max(strict, key=_gover) if strict else None
    roll = rng.random()
    work_go: str | None
    if roll < 0.1:
        work_go = None
        features.add("work-no-go")
    elif roll < 0.2 and top is not None:
        work_go = "1.21"  # older than some module's: go's error when top > 1.21
        features.add("work-go-old")
    else:
        work_go = rng.choice([top or "1.18", "1.22", "1.23.1"])
        if top is not None and _gover(work_go) < _gover(top):
            work_go = top
    lines: list[str] = []
    if work_go is not None:
        lines += [f"go {work_go}", ""]
    if rng.random() < 0.2:
        lines += ["toolchain go1.23.4", ""]
        features.add("work-toolchain")
    if rng.random() < 0.15:
        lines += ["godebug (", "\tpanicnil=1", ")", ""]
        features.add("work-godebug")
    dirs = ["./main", *(f"./{m.dir}" for m in extra)]
    rng.shuffle(dirs)
    lines += ["use (", *(f"\t{d}" for d in dirs), ")", ""]
    if paths and rng.random() < 0.4:
        p = rng.choice(paths)
        vs = u.versions(p)
        if rng.random() < 0.5:
            old = rng.choice(["", vs[0]])
            lines.append(f"replace {p}{' ' + old if old else ''} => {p} {vs[-1]}")
            features.add("work-replace-version")
        else:
            fork = root / "workfork"
            fork.mkdir(exist_ok=True)
            (fork / "go.mod").write_text(f"module {p}\n\ngo 1.21\n")
            lines.append(f"replace {p} => ./workfork")
            features.add("work-replace-dir")
    (root / "go.work").write_text("\n".join(lines))
    run_in = rng.choice([root / "main", root, *(root / m.dir for m in extra)])
    if run_in == root:
        features.add("run-at-go-work")  # a directory without go.mod
    return WorkLayout(lay, root, root / "go.work", run_in, u, extra, features)


def _gover(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))
