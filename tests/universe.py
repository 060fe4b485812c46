"""Seeded random Go module universes, written as a ``file://`` GOPROXY plus a main module.

A *universe* is a set of module versions (each with its own go.mod) and one main module
that requires some of them. It is written in the GOPROXY layout the go command reads
offline::

    ROOT/proxy/<escaped path>/@v/list              tagged versions, one per line (no pseudo)
    ROOT/proxy/<escaped path>/@v/<escaped v>.info  {"Version": ..., "Time": ...}
    ROOT/proxy/<escaped path>/@v/<escaped v>.mod   the version's go.mod
    ROOT/proxy/<escaped path>/@v/<escaped v>.zip   path@v/go.mod + path@v/<name>.go
    ROOT/main/go.mod, ROOT/main/main.go            the main module (plus local replacements)

Build one by hand::

    u = Universe(main_path="example.com/main", main_go="1.17")
    u.add("example.com/a", "v1.0.0", requires=[("example.com/b", "v1.1.0")], go="1.17")
    u.add("example.com/b", "v1.1.0", go="1.16")
    u.require("example.com/a", "v1.0.0")
    u.exclude("example.com/b", "v1.0.0")
    layout = u.write(tmp_path)            # layout.proxy_url -> "file:///.../proxy"
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    run_go(["mod", "graph"], layout.main_dir, env)

or draw one at random (the same seed always gives the same universe)::

    u = random_universe(seed=7, modules=400, versions=8)

Random universes contain requirement cycles, prereleases, pseudo-versions (served but not
listed), ``+incompatible`` versions, ``/vN`` major-version siblings, mixed-case paths (so
escaping matters), retractions in the latest go.mod, ``// indirect`` marks, main-module
``exclude`` and ``replace`` (version, fork and local-directory replacements), and go.mod
files with no ``go`` line, ``go < 1.17`` and ``go >= 1.17`` (so both pruned and unpruned
graphs occur) and ``go >= 1.21`` (so ``go@V`` nodes appear).

This module only writes files; it never runs go.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = [
    "Layout",
    "LocalModule",
    "ModSpec",
    "Universe",
    "escape",
    "random_universe",
]

# A fixed zip timestamp keeps written universes byte-identical for a given seed.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_EPOCH = datetime(2019, 1, 1, tzinfo=UTC)


def escape(text: str) -> str:
    """Go's case-escaping for proxy URLs and cache paths: ``A`` becomes ``!a``.

    >>> escape("github.com/Azure/Go")
    'github.com/!azure/!go'
    """
    return "".join("!" + c.lower() if "A" <= c <= "Z" else c for c in text)


@dataclass
class ModSpec:
    """One module version in the universe.

    ``requires`` holds ``(path, version)`` or ``(path, version, indirect)`` items.
    ``go`` is the go.mod ``go`` line (``None``: no line at all, which Go reads as 1.16).
    ``retract`` holds ``(low, high, rationale)``; ``low == high`` writes a single version.
    ``has_go_mod=False`` models a pre-modules repository (``+incompatible`` versions): the
    proxy serves a synthesized ``module PATH`` go.mod and the zip holds no go.mod.
    ``module_line`` overrides the path written on the go.mod ``module`` line (forks).
    """

    path: str
    version: str
    requires: list[tuple[str, str] | tuple[str, str, bool]] = field(default_factory=list)
    go: str | None = "1.17"
    retract: list[tuple[str, str, str]] = field(default_factory=list)
    time: datetime | None = None
    has_go_mod: bool = True
    module_line: str | None = None
    listed: bool = True
    files: dict[str, str] | None = None
    """Zip contents (paths relative to the module root) instead of one ``NAME.go``."""
    zip_extra: list[tuple[str, str]] = field(default_factory=list)
    """Zip entries written as named (whole names, so they may lack ``path@version/``)."""

    def go_mod(self) -> str:
        """The go.mod text the proxy serves for this version."""
        module = self.module_line or self.path
        if not self.has_go_mod:
            return f"module {module}\n"
        return _format_go_mod(module, self.go, self.requires, self.retract)


@dataclass
class LocalModule:
    """A directory replacement target written under the main module (``./local/NAME``)."""

    name: str
    module_path: str
    requires: list[tuple[str, str] | tuple[str, str, bool]] = field(default_factory=list)
    go: str | None = "1.17"
    files: dict[str, str] | None = None


@dataclass(frozen=True)
class Layout:
    """Where :meth:`Universe.write` put things."""

    root: Path
    proxy_dir: Path
    main_dir: Path

    @property
    def proxy_url(self) -> str:
        """``file:///…/proxy``, ready for ``GOPROXY``."""
        return self.proxy_dir.resolve().as_uri()

    def write_gomod_sums(self) -> None:
        """Give the main module a go.sum with the ``/go.mod`` line of every version the
        proxy serves (more than go needs, which go accepts): what ``go list`` in the
        default ``-mod=readonly`` mode needs to read the graph, without running go."""
        from analysis.hashes import gomod_hash
        from analysis.modpath import unescape_path, unescape_version

        lines = []
        for mod in sorted(self.proxy_dir.rglob("@v/*.mod")):
            vdir = mod.parent
            path = unescape_path(vdir.parent.relative_to(self.proxy_dir).as_posix())
            version = unescape_version(mod.name.removesuffix(".mod"))
            lines.append(f"{path} {version}/go.mod {gomod_hash(mod.read_bytes())}\n")
        (self.main_dir / "go.sum").write_text("".join(sorted(lines)))


@dataclass
class Universe:
    """A module universe under construction; see the module docstring for an example."""

    main_path: str = "example.com/main"
    main_go: str | None = "1.17"
    mods: dict[tuple[str, str], ModSpec] = field(default_factory=dict)
    main_requires: list[tuple[str, str, bool]] = field(default_factory=list)
    excludes: list[tuple[str, str]] = field(default_factory=list)
    # (old path, old version or "", new path or ./dir, new version or "")
    replaces: list[tuple[str, str, str, str]] = field(default_factory=list)
    locals: list[LocalModule] = field(default_factory=list)
    zips: bool = True
    main_files: dict[str, str] | None = None
    """The main module's files (paths relative to its root) instead of one ``main.go``."""

    # -- building -------------------------------------------------------------------

    def add(
        self,
        path: str,
        version: str,
        requires: Iterable[tuple[str, str] | tuple[str, str, bool]] = (),
        go: str | None = "1.17",
        retract: Iterable[tuple[str, str, str]] = (),
        time: datetime | None = None,
        has_go_mod: bool = True,
        module_line: str | None = None,
        listed: bool | None = None,
    ) -> ModSpec:
        """Add (or replace) a module version; pseudo-versions are unlisted by default."""
        if listed is None:
            listed = not _is_pseudo(version)
        spec = ModSpec(
            path,
            version,
            list(requires),
            go,
            list(retract),
            time,
            has_go_mod,
            module_line,
            listed,
        )
        self.mods[(path, version)] = spec
        return spec

    def require(self, path: str, version: str, indirect: bool = False) -> None:
        """Add a requirement to the main module's go.mod."""
        self.main_requires.append((path, version, indirect))

    def exclude(self, path: str, version: str) -> None:
        """Add an ``exclude`` line to the main module's go.mod."""
        self.excludes.append((path, version))

    def replace(self, old: str, old_version: str, new: str, new_version: str = "") -> None:
        """Add a ``replace old [old_version] => new [new_version]`` line (new may be ./dir)."""
        self.replaces.append((old, old_version, new, new_version))

    def add_local(
        self,
        name: str,
        module_path: str,
        requires: Iterable[tuple[str, str] | tuple[str, str, bool]] = (),
        go: str | None = "1.17",
    ) -> str:
        """Create ``./local/NAME`` (a directory replacement target); returns ``./local/NAME``."""
        self.locals.append(LocalModule(name, module_path, list(requires), go))
        return f"./local/{name}"

    # -- queries ----------------------------------------------------------------------

    def paths(self) -> list[str]:
        """Every module path in the proxy, sorted."""
        return sorted({p for p, _ in self.mods})

    def versions(self, path: str, listed_only: bool = False) -> list[str]:
        """The versions of ``path`` in the proxy, in the order they were added."""
        return [v for (p, v), s in self.mods.items() if p == path and (s.listed or not listed_only)]

    def main_go_mod(self) -> str:
        """The main module's go.mod text."""
        lines = [f"module {self.main_path}", ""]
        if self.main_go is not None:
            lines += [f"go {self.main_go}", ""]
        if self.main_requires:
            lines.append("require (")
            for p, v, ind in self.main_requires:
                lines.append(f"\t{p} {v}" + (" // indirect" if ind else ""))
            lines += [")", ""]
        for p, v in self.excludes:
            lines.append(f"exclude {p} {v}")
        for old, ov, new, nv in self.replaces:
            left = f"{old} {ov}" if ov else old
            right = f"{new} {nv}" if nv else new
            lines.append(f"replace {left} => {right}")
        return "\n".join(lines).rstrip("\n") + "\n"

    # -- writing ----------------------------------------------------------------------

    def write(self, root: Path) -> Layout:
        """Write ``root/proxy`` and ``root/main``; returns their locations."""
        proxy = root / "proxy"
        main = root / "main"
        by_path: dict[str, list[ModSpec]] = {}
        for spec in self.mods.values():
            by_path.setdefault(spec.path, []).append(spec)
        for path, specs in by_path.items():
            vdir = proxy / escape(path) / "@v"
            vdir.mkdir(parents=True, exist_ok=True)
            listed = [s.version for s in specs if s.listed]
            (vdir / "list").write_text("".join(v + "\n" for v in listed))
            for s in specs:
                base = vdir / escape(s.version)
                when = s.time or _default_time(s.version)
                info = {"Version": s.version, "Time": when.strftime("%Y-%m-%dT%H:%M:%SZ")}
                base.with_name(base.name + ".info").write_text(json.dumps(info) + "\n")
                gomod = s.go_mod()
                base.with_name(base.name + ".mod").write_text(gomod)
                if self.zips:
                    base.with_name(base.name + ".zip").write_bytes(_zip(s, gomod))
        main.mkdir(parents=True, exist_ok=True)
        (main / "go.mod").write_text(self.main_go_mod())
        if self.main_files is None:
            (main / "main.go").write_text("package main\n\nfunc main() {}\n")
        for rel, text in (self.main_files or {}).items():
            (main / rel).parent.mkdir(parents=True, exist_ok=True)
            (main / rel).write_text(text)
        for loc in self.locals:
            d = main / "local" / loc.name
            d.mkdir(parents=True, exist_ok=True)
            (d / "go.mod").write_text(_format_go_mod(loc.module_path, loc.go, loc.requires, []))
            if loc.files is None:
                (d / "local.go").write_text("package local\n")
                continue
            for rel, text in loc.files.items():
                (d / rel).parent.mkdir(parents=True, exist_ok=True)
                (d / rel).write_text(text)
        return Layout(root, proxy, main)


def _format_go_mod(
    module: str,
    go: str | None,
    requires: Sequence[tuple[str, str] | tuple[str, str, bool]],
    retract: Sequence[tuple[str, str, str]],
) -> str:
    out = [f"module {module}", ""]
    if go is not None:
        out += [f"go {go}", ""]
    if requires:
        out.append("require (")
        for r in requires:
            ind = len(r) > 2 and bool(r[2])
            out.append(f"\t{r[0]} {r[1]}" + (" // indirect" if ind else ""))
        out += [")", ""]
    for lo, hi, why in retract:
        if why:
            out.append(f"// {why}")
        out.append(f"retract {lo}" if lo == hi else f"retract [{lo}, {hi}]")
    return "\n".join(out).rstrip("\n") + "\n"


def _zip(spec: ModSpec, gomod: str) -> bytes:
    prefix = f"{spec.path}@{spec.version}/"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if spec.has_go_mod:
            z.writestr(zipfile.ZipInfo(prefix + "go.mod", _ZIP_DATE), gomod)
        if spec.files is not None:
            for rel, text in sorted(spec.files.items()):
                z.writestr(zipfile.ZipInfo(prefix + rel, _ZIP_DATE), text)
        else:
            name = _package_name(spec.path)
            z.writestr(zipfile.ZipInfo(prefix + f"{name}.go", _ZIP_DATE), f"package {name}\n")
        for full, text in spec.zip_extra:
            z.writestr(zipfile.ZipInfo(full, _ZIP_DATE), text)
    return buf.getvalue()


def _package_name(path: str) -> str:
    elems = path.split("/")
    last = elems[-1]
    if len(elems) > 1 and last[:1] == "v" and last[1:].isdigit():
        last = elems[-2]
    name = "".join(c for c in last.lower() if c.isalnum())
    return name if name and not name[0].isdigit() else "p" + name


def _is_pseudo(version: str) -> bool:
    # vX.Y.Z-[pre.]0.yyyymmddhhmmss-abcdefabcdef or vX.0.0-yyyymmddhhmmss-abcdefabcdef
    core = version.split("+", 1)[0]
    parts = core.split("-")
    if len(parts) < 3 or len(parts[-1]) != 12:
        return False
    stamp = parts[-2].rsplit(".", 1)[-1]
    return len(stamp) == 14 and stamp.isdigit()


def _default_time(version: str) -> datetime:
    # Monotone in the numeric release so .info Times look plausible; pseudo-versions carry
    # their own timestamp.
    if _is_pseudo(version):
        stamp = version.split("+", 1)[0].split("-")[-2].rsplit(".", 1)[-1]
        return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    nums = [int(x) for x in version[1:].split("-")[0].split("+")[0].split(".")]
    return _EPOCH + timedelta(days=nums[0] * 400 + nums[1] * 20 + nums[2])


# -- random universes -------------------------------------------------------------------

# go lines per era: (dependencies, main module). "legacy" graphs are unpruned throughout;
# "lazy" ones are pruned (go 1.17-1.20) with unpruned islands and no go >= 1.21 anywhere,
# so go@V appears only for the main module; "modern" mixes everything.
ERAS: dict[str, tuple[tuple[str | None, ...], tuple[str | None, ...]]] = {
    "legacy": ((None, "1.12", "1.14", "1.16"), (None, "1.14", "1.16")),
    "lazy": ((None, "1.16", "1.17", "1.18", "1.20"), ("1.17", "1.18", "1.20")),
    "modern": (
        (None, "1.14", "1.16", "1.17", "1.17", "1.20", "1.21", "1.22"),
        (None, "1.16", "1.17", "1.20", "1.21", "1.23"),
    ),
}


def _tag_sequence(rng: random.Random, major: int, count: int) -> list[str]:
    """``count`` increasing tags of one major version, with some prereleases."""
    out: list[str] = []
    minor = 0 if major > 0 else rng.randint(0, 1)
    patch = 0
    while len(out) < count:
        if rng.random() < 0.15:
            out.append(f"v{major}.{minor}.{patch}-rc.{rng.randint(1, 3)}")
        if len(out) < count:
            out.append(f"v{major}.{minor}.{patch}")
        if rng.random() < 0.5:
            patch += 1
        else:
            minor += 1
            patch = 0
    return out


def _pseudo_after(rng: random.Random, tag: str, serial: int) -> str:
    """A pseudo-version built on ``tag`` (form vX.Y.(Z+1)-0.TIME-HASH or -pre.0.TIME-HASH)."""
    when = (_default_time(tag) + timedelta(hours=1 + serial)).strftime("%Y%m%d%H%M%S")
    rev = f"{rng.getrandbits(48):012x}"
    core = tag[1:]
    if "-" in core:
        return f"v{core}.0.{when}-{rev}"
    maj, mi, pa = core.split(".")
    return f"v{maj}.{mi}.{int(pa) + 1}-0.{when}-{rev}"


def random_universe(
    seed: int,
    modules: int = 12,
    versions: int = 4,
    max_deps: int = 3,
    zips: bool = True,
    era: str = "modern",
    packages: bool = False,
) -> Universe:
    """A random but reproducible universe of about ``modules`` paths × ``versions`` versions.

    Requirements point anywhere (cycles happen), at listed, prerelease, pseudo and
    ``+incompatible`` versions. The main module requires a handful of modules, marks some
    ``// indirect``, excludes a version or two that are actually required somewhere, and
    replaces a few modules (with another version, a fork in the proxy, or a local
    directory). Every module version's go.mod is reachable through the proxy, so
    ``go mod graph`` and ``go list -m all`` succeed on every seed.

    With ``packages`` every module version also holds Go packages (see
    :func:`add_packages`); the module structure is the same as without it, plus a few
    nested modules.
    """
    rng = random.Random(seed)
    u = Universe(zips=zips)
    go_lines, main_go_lines = ERAS[era]
    u.main_go = rng.choice(main_go_lines)
    hosts = ["example.com", "example.org/deep/path", "example.net/Mixed"]

    # Paths first, so requirements can point at any module (cycles included).
    plan: list[tuple[str, list[str], bool]] = []  # path, versions, has_go_mod
    i = 0
    while len(plan) < modules:
        host = hosts[i % len(hosts)] if rng.random() < 0.3 else "example.com"
        base = f"{host}/m{i}"
        kind = rng.random()
        if kind < 0.08 and len(plan) + 2 <= modules:
            # A repository with a /v2 major-version sibling.
            plan.append((base, _tag_sequence(rng, 1, versions), True))
            plan.append((base + "/v2", _tag_sequence(rng, 2, max(1, versions // 2)), True))
        elif kind < 0.14:
            # A pre-modules repository tagged past v1: +incompatible versions.
            vs = _tag_sequence(rng, 1, max(1, versions - 2))
            vs += [f"v2.0.{k}+incompatible" for k in range(min(2, versions))]
            plan.append((base, vs, True))
        else:
            plan.append((base, _tag_sequence(rng, rng.randint(0, 1), versions), True))
        i += 1

    # Pseudo-versions: a few per universe, served but not listed.
    catalog: dict[str, list[str]] = {}
    for path, vs, _ in plan:
        extra: list[str] = []
        if rng.random() < 0.25:
            tag = rng.choice([v for v in vs if not v.endswith("+incompatible")])
            extra.append(_pseudo_after(rng, tag, len(extra)))
        catalog[path] = vs + extra

    all_paths = list(catalog)

    def pick_requirements(owner: str) -> list[tuple[str, str] | tuple[str, str, bool]]:
        reqs: list[tuple[str, str] | tuple[str, str, bool]] = []
        seen: set[str] = {owner}
        for _ in range(rng.randint(0, max_deps)):
            p = rng.choice(all_paths)
            if p in seen:
                continue
            seen.add(p)
            reqs.append((p, rng.choice(catalog[p]), rng.random() < 0.2))
        return reqs

    for path, vs in catalog.items():
        incompatible_repo = any(v.endswith("+incompatible") for v in vs)
        for v in vs:
            inc = v.endswith("+incompatible")
            go = rng.choice(go_lines)
            if incompatible_repo and not inc:
                old = [g for g in go_lines if g is None or tuple(map(int, g.split("."))) < (1, 17)]
                go = rng.choice(old or [None])
            reqs = [] if inc else pick_requirements(path)
            u.add(path, v, reqs, go=go, has_go_mod=not inc)
        # Retractions live in the go.mod of the highest listed release.
        if rng.random() < 0.2 and len(vs) >= 2:
            latest = max(
                (v for v in vs if not v.endswith("+incompatible")),
                key=_default_time,
            )
            spec = u.mods[(path, latest)]
            if spec.has_go_mod:
                older = [v for v in vs if v != latest and not v.endswith("+incompatible")]
                if older:
                    lo = rng.choice(older)
                    spec.retract.append((lo, lo, "published by accident"))

    # The main module.
    direct = rng.sample(all_paths, k=min(len(all_paths), rng.randint(1, 4 + modules // 10)))
    for p in sorted(direct):
        u.require(p, rng.choice(catalog[p]), indirect=rng.random() < 0.25)

    # Excludes: versions that some go.mod really requires (otherwise they change nothing),
    # never a version the main module itself requires.
    required_somewhere = sorted(
        {(r[0], r[1]) for s in u.mods.values() for r in s.requires}
        - {(p, v) for p, v, _ in u.main_requires}
    )
    if required_somewhere and rng.random() < 0.5:
        for p, v in rng.sample(required_somewhere, k=min(2, len(required_somewhere))):
            u.exclude(p, v)

    # Replacements.
    if rng.random() < 0.5:
        target = rng.choice(all_paths)
        choice = rng.random()
        if choice < 0.4:
            # Another version of the same module, for every version.
            u.replace(target, "", target, rng.choice(catalog[target]))
        elif choice < 0.7:
            # A fork published under another path; its go.mod names the fork.
            fork = f"example.com/fork{seed % 1000}/m"
            fv = "v1.0.0"
            u.add(fork, fv, pick_requirements(fork), go=rng.choice(go_lines))
            old_v = rng.choice(catalog[target]) if rng.random() < 0.5 else ""
            u.replace(target, old_v, fork, fv)
        else:
            u.replace(
                target,
                "",
                u.add_local("x", target, pick_requirements(target), go=rng.choice(go_lines)),
            )
    if packages:
        add_packages(u, random.Random(seed * 7919 + 17))
        add_trouble(u, random.Random(seed * 104729 + 3))
    return u


STD_IMPORTS = ("fmt", "strings", "os", "net/http", "encoding/json", "sort", "io")


def add_packages(u: Universe, rng: random.Random) -> None:
    """Give every module version Go packages whose imports follow its requirements.

    Each module has a root package; some have a ``sub`` package (importing the root);
    some paths get a nested module ``PATH/nested`` (its own module, required and
    imported by a few versions — and, rarely, also present as a directory of the parent,
    which makes the import ambiguous). Files import standard packages, packages of the
    modules their go.mod requires, rarely a module it does not require; ``_test.go``
    files, ``//go:build ignore`` files (both ignored by go get) and ``_windows.go`` files
    (loaded: go get matches every tag but ``ignore``) import further packages.
    """
    paths = u.paths()
    sub = {p: rng.random() < 0.3 for p in paths}
    nested_in_parent: dict[str, set[str]] = {}
    for p in paths:
        if rng.random() < 0.15 and not p.rsplit("/", 1)[-1].startswith("v"):
            n = p + "/nested"
            if n in sub:
                continue
            for k in range(rng.randint(1, 2)):
                u.add(n, f"v1.0.{k}", go=rng.choice(["1.17", "1.21", None]))
            sub[n] = False
            # Versions of the parent that require (and import) the nested module.
            for (q, v), spec in list(u.mods.items()):
                if q == p and spec.has_go_mod and rng.random() < 0.5:
                    spec.requires.append((n, rng.choice(u.versions(n))))
                if q == p and rng.random() < 0.1:
                    nested_in_parent.setdefault(p, set()).add(v)
    for old, _, new, _ in u.replaces:
        if not new.startswith("./"):
            sub[new] = sub.get(old, False)
    all_paths = sorted(sub)

    def package_of(p: str) -> str:
        return p + "/sub" if sub.get(p) and rng.random() < 0.4 else p

    def files_for(
        path: str, requires: Sequence[tuple[str, ...] | tuple[str, str, bool]]
    ) -> dict[str, str]:
        name = _package_name(path)
        req_paths = [str(r[0]) for r in requires]
        imports = list(rng.sample(STD_IMPORTS, k=rng.randint(0, 2)))
        for r in req_paths:
            if rng.random() < 0.7:
                imports.append(package_of(r))
        if rng.random() < 0.05:
            imports.append(package_of(rng.choice(all_paths)))
        files = {f"{name}.go": _go_file(name, imports)}
        if sub.get(path):
            own = [path] + ([package_of(rng.choice(req_paths))] if req_paths else [])
            files["sub/sub.go"] = _go_file("sub", own)
        if rng.random() < 0.3:
            files[f"{name}_test.go"] = _go_file(
                name, ["testing", package_of(rng.choice(all_paths))]
            )
        if rng.random() < 0.3:
            files["ignored.go"] = "//go:build ignore\n\n" + _go_file(
                "main", [package_of(rng.choice(all_paths))]
            )
        if rng.random() < 0.3:
            extra = [package_of(rng.choice(req_paths))] if req_paths else ["syscall"]
            files[f"{name}_windows.go"] = _go_file(name, extra)
        return files

    for spec in u.mods.values():
        spec.files = files_for(spec.path, spec.requires)
        if spec.version in nested_in_parent.get(spec.path, set()):
            spec.files["nested/nested.go"] = "package nested\n"
    for loc in u.locals:
        loc.files = files_for(loc.module_path, loc.requires)


BAD_ZIP_ENTRIES = (
    ("smile", "\u263a.go"),
    ("question", "x?y.go"),
    ("collision", "{NAME}.go"),
    ("prefix", ""),
    ("gomod", "sub/go.mod"),
)


def add_trouble(u: Universe, rng: random.Random) -> None:
    """What go get must refuse or repair, on top of :func:`add_packages`.

    Some packages import packages no module in the build list provides: of modules in
    the proxy that the importer does not require (``go get`` adds them @latest), of
    directories such a module does not have, of modules the proxy does not have, and of
    standard-looking paths that are not in std (``foo/bar``). Some module versions get
    zips go rejects (a file outside ``path@version/``, ``\u263a.go``, ``x?y.go``, a
    case-insensitive collision, a go.mod below the root), and more parents also hold
    their nested module's package (ambiguous imports). The main module gets packages
    of its own (``example.com/main/pkg``) importing required and unrequired modules,
    so its go.mod is untidy.
    """
    paths = u.paths()
    kinds: list[str] = []
    for spec in u.mods.values():
        if spec.files is None:
            continue
        name = _package_name(spec.path)
        if spec.path + "/nested" in paths and rng.random() < 0.25:
            # The nested module's package in the parent too: an ambiguous import.
            spec.files.setdefault("nested/nested.go", "package nested\n")
        extra: list[str] = []
        r = rng.random()
        if r < 0.04:
            extra.append(rng.choice(paths))
        elif r < 0.06:
            extra.append(rng.choice(paths) + "/nope")
        elif r < 0.08:
            extra.append(f"example.com/ghost{rng.randint(0, 2)}/p")
        elif r < 0.10:
            extra.append(rng.choice(["foo/bar", "notstd", "fmt/nope"]))
        if extra:
            spec.files[f"{name}_extra.go"] = _go_file(name, extra)
        if rng.random() < 0.04:
            kind, entry = rng.choice(BAD_ZIP_ENTRIES)
            prefix = f"{spec.path}@{spec.version}/"
            if kind == "prefix":
                spec.zip_extra.append((f"{spec.path}/{name}.go", f"package {name}\n"))
            elif kind == "collision":
                spec.zip_extra.append((prefix + f"{name.upper()}.go", f"package {name}\n"))
            else:
                spec.zip_extra.append((prefix + entry, f"package {name}\n"))
            kinds.append(kind)
    if rng.random() < 0.5:
        required = [p for p, _, _ in u.main_requires]
        imports = [rng.choice(required)] if required else []
        if rng.random() < 0.5:
            imports.append(rng.choice(paths))
        if rng.random() < 0.2:
            imports.append(rng.choice(["foo/bar", "example.com/ghost0/p"]))
        u.main_files = {
            "main.go": _go_file("main", ["fmt"]) + "\nfunc main() {}\n",
            "pkg/pkg.go": _go_file("pkg", imports),
        }


def _go_file(name: str, imports: Sequence[str]) -> str:
    text = f"package {name}\n"
    unique = list(dict.fromkeys(imports))
    if unique:
        text += "\nimport (\n" + "".join(f'\t_ "{i}"\n' for i in unique) + ")\n"
    return text
