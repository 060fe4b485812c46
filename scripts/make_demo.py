"""Write the bundled demo: an example Go project and the offline module proxy it builds from.

Run from the repository root (the output is committed; run again after editing the tables)::

    python scripts/make_demo.py            # writes tui/demo/project and tui/demo/proxy
    python scripts/make_demo.py --check    # also compares with the real go command, if installed

The example is a small shop service whose dependencies disagree the way real ones do:
several requirers asking for different versions of shared modules, a prerelease that
wins, a pseudo-version, a retracted version that is selected, a deprecated module, a
``/v2`` major beside ``v1``, ``+incompatible`` versions, an ``exclude`` and a ``replace``
pointing at a fork. The proxy is in GOPROXY ``file://`` layout (``list``, ``.info``,
``.mod``, and a tiny ``.zip`` per version, which ``go get`` — and so a plan — reads).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.hashes import gomod_hash  # noqa: E402
from analysis.modpath import escape_path, escape_version  # noqa: E402

DEMO = ROOT / "tui" / "demo"
MAIN_PATH = "example.com/shop"

Req = tuple[str, str]


@dataclass
class Version:
    """One published module version and the go.mod the proxy serves for it."""

    path: str
    version: str
    time: str
    go: str | None = "1.21"
    requires: list[Req] = field(default_factory=list)
    retract: list[tuple[str, str]] = field(default_factory=list)  # (version, rationale)
    deprecated: str = ""
    has_go_mod: bool = True
    listed: bool = True

    def go_mod(self) -> str:
        if not self.has_go_mod:
            return f"module {self.path}\n"
        lines = []
        if self.deprecated:
            lines.append(f"// Deprecated: {self.deprecated}")
        lines += [f"module {self.path}", ""]
        if self.go:
            lines += [f"go {self.go}", ""]
        if len(self.requires) == 1:
            lines += ["require {} {}".format(*self.requires[0]), ""]
        elif self.requires:
            lines.append("require (")
            lines += [f"\t{p} {v}" for p, v in self.requires]
            lines += [")", ""]
        for v, why in self.retract:
            lines.append(f"// {why}")
            lines.append(f"retract {v}")
        return "\n".join(lines).rstrip("\n") + "\n"


def _catalog() -> list[Version]:
    V = Version
    return [
        # The shop's own libraries.
        V("example.com/api", "v1.3.0", "2023-09-04", requires=[
            ("example.net/grpc", "v1.58.0"), ("example.com/json", "v1.1.0"),
            ("example.com/log", "v1.0.0"),
        ]),
        V("example.com/api", "v1.4.0", "2024-02-12", requires=[
            ("example.net/grpc", "v1.58.0"), ("example.com/proto/v2", "v2.1.0"),
            ("example.com/json", "v1.2.0"), ("example.com/log", "v1.0.0"),
            ("example.com/jwt", "v3.2.0+incompatible"), ("example.org/x/text", "v0.13.0"),
        ]),
        V("example.com/auth", "v0.9.0", "2023-11-20", go="1.20", requires=[
            ("example.org/x/crypto", "v0.13.0"), ("example.com/jwt", "v3.2.0+incompatible"),
            ("example.com/config", "v1.0.3"),
        ]),
        V("example.com/auth", "v0.9.2", "2024-01-30", go="1.20", requires=[
            ("example.org/x/crypto", "v0.14.0"), ("example.com/jwt", "v3.2.2+incompatible"),
            ("example.com/cache", "v0.4.1"), ("example.com/config", "v1.0.3"),
        ]),
        V("example.com/billing", "v1.1.0", "2023-10-02", requires=[
            ("example.com/pricing", "v0.7.0"), ("example.com/money", "v1.2.0"),
            ("example.com/proto", "v1.4.0"), ("example.com/log", "v1.0.0"),
            ("example.com/retry", "v1.0.0"),
        ]),
        V("example.com/billing", "v1.2.0", "2024-01-15", requires=[
            ("example.com/pricing", "v0.7.2"), ("example.com/money", "v1.3.0"),
            ("example.com/proto", "v1.5.0"), ("example.com/log", "v1.1.0"),
            ("example.com/retry", "v1.0.0"), ("example.com/cache", "v0.5.0"),
            ("example.org/x/text", "v0.14.0"),
        ]),
        V("example.com/cart", "v0.2.0", "2023-08-14", go="1.21", requires=[
            ("example.com/pricing", "v0.7.0"), ("example.com/money", "v1.2.0"),
            ("example.com/uuid", "v1.3.0"),
        ]),
        V("example.com/cart", "v0.3.0", "2023-12-01", go="1.21", requires=[
            ("example.com/pricing", "v0.7.2"), ("example.com/money", "v1.3.0"),
            ("example.com/cache", "v0.5.0"), ("example.com/uuid", "v1.3.0"),
            ("example.com/log", "v1.0.0"),
        ]),
        V("example.com/cart", "v0.3.1", "2024-03-05", go="1.22", requires=[
            ("example.com/pricing", "v0.8.0-rc.1"), ("example.com/money", "v1.4.1"),
            ("example.com/cache", "v0.6.0"), ("example.com/uuid", "v1.3.0"),
            ("example.com/log", "v1.0.0"), ("example.net/grpc", "v1.60.1"),
        ]),
        V("example.com/pricing", "v0.7.0", "2023-07-10", requires=[("example.com/money", "v1.2.0")]),
        V("example.com/pricing", "v0.7.2", "2023-11-02", requires=[("example.com/money", "v1.2.0")]),
        V("example.com/pricing", "v0.8.0-rc.1", "2024-02-28", requires=[
            ("example.com/money", "v1.4.0"),
        ]),
        V("example.com/money", "v1.2.0", "2023-06-01"),
        V("example.com/money", "v1.3.0", "2023-10-20", requires=[("example.org/x/text", "v0.13.0")]),
        V("example.com/money", "v1.4.0", "2024-01-08", requires=[("example.org/x/text", "v0.14.0")]),
        V("example.com/money", "v1.4.1", "2024-02-19", requires=[("example.org/x/text", "v0.14.0")]),
        V("example.com/money", "v1.4.2", "2024-03-11", requires=[("example.org/x/text", "v0.14.0")],
          retract=[("v1.4.1", "Rounding error in currency conversion.")]),
        V("example.com/cache", "v0.4.1", "2023-05-22", go="1.20"),
        V("example.com/cache", "v0.5.0", "2023-09-18", go="1.20", requires=[
            ("example.com/config", "v1.0.3"),
        ]),
        V("example.com/cache", "v0.6.0", "2024-01-22", go="1.20", requires=[
            ("example.com/config", "v1.1.0"),
        ]),
        V("example.com/config", "v1.0.3", "2023-04-03", go="1.19", requires=[
            ("example.com/yaml", "v0.0.0-20230815093000-a1b2c3d4e5f6"),
        ]),
        V("example.com/config", "v1.1.0", "2023-10-30", go="1.19", requires=[
            ("example.com/yaml", "v0.0.0-20230815093000-a1b2c3d4e5f6"),
        ]),
        V("example.com/config", "v1.2.0", "2024-02-05", go="1.19", requires=[
            ("example.com/yaml", "v0.0.0-20240301120000-3b1f2a4c5d6e"),
        ]),
        # No tags at all: only untagged commits, known by pseudo-version.
        V("example.com/yaml", "v0.0.0-20230815093000-a1b2c3d4e5f6", "2023-08-15T09:30:00",
          go="1.16", listed=False),
        V("example.com/yaml", "v0.0.0-20240301120000-3b1f2a4c5d6e", "2024-03-01T12:00:00",
          go="1.16", listed=False),
        V("example.com/router", "v1.7.0", "2022-11-07", go="1.16", requires=[
            ("example.com/json", "v1.1.0"), ("example.com/color", "v1.0.0"),
        ]),
        # Still at go 1.16: its dependencies are loaded without graph pruning.
        V("example.com/router", "v1.8.0", "2023-03-13", go="1.16", requires=[
            ("example.com/json", "v1.1.0"), ("example.com/color", "v1.0.0"),
            ("example.org/x/sys", "v0.12.0"),
        ]),
        V("example.com/json", "v1.1.0", "2022-10-10", go="1.16"),
        V("example.com/json", "v1.2.0", "2023-12-11", go="1.18"),
        # json and router are released together: json v1.3.0 needs router v1.9.0, which
        # already needs json's v1.3.1 fix, so go get json@v1.3.0 is refused.
        V("example.com/json", "v1.3.0", "2024-03-18", go="1.21", requires=[
            ("example.com/router", "v1.9.0"),
        ]),
        V("example.com/json", "v1.3.1", "2024-03-25", go="1.21", requires=[
            ("example.com/router", "v1.9.0"),
        ]),
        V("example.com/router", "v1.9.0", "2024-03-20", go="1.21", requires=[
            ("example.com/json", "v1.3.1"), ("example.com/color", "v1.2.0"),
            ("example.org/x/sys", "v0.15.0"),
        ]),
        V("example.com/log", "v1.0.0", "2023-01-09", requires=[("example.com/color", "v1.1.0")]),
        V("example.com/log", "v1.1.0", "2023-09-25", requires=[("example.com/color", "v1.1.0")]),
        # The fork the shop replaces example.com/log with (a fix not merged upstream).
        V("example.com/forks/log", "v1.1.1", "2023-11-14", requires=[
            ("example.com/color", "v1.2.0"), ("example.org/x/sys", "v0.15.0"),
        ]),
        V("example.com/color", "v1.0.0", "2022-06-01", go="1.16", requires=[
            ("example.org/x/sys", "v0.10.0"),
        ]),
        V("example.com/color", "v1.1.0", "2023-02-14", go="1.18", requires=[
            ("example.org/x/sys", "v0.10.0"),
        ]),
        V("example.com/color", "v1.2.0", "2023-10-16", go="1.18", requires=[
            ("example.org/x/sys", "v0.13.0"),
        ]),
        V("example.com/retry", "v1.0.0", "2021-05-04", go="1.16"),
        V("example.com/retry", "v1.1.0", "2022-09-12", go="1.16",
          deprecated="use example.com/backoff instead; retry is no longer maintained."),
        V("example.com/backoff", "v1.0.0", "2023-03-01"),
        V("example.com/proto", "v1.4.0", "2022-12-05", go="1.17"),
        V("example.com/proto", "v1.5.0", "2023-06-19", go="1.17"),
        V("example.com/proto/v2", "v2.0.0", "2023-08-28"),
        V("example.com/proto/v2", "v2.1.0", "2023-12-18", requires=[
            ("example.net/protobuf", "v1.31.0"),
        ]),
        V("example.com/proto/v2", "v2.2.0-beta.1", "2024-03-04", requires=[
            ("example.net/protobuf", "v1.32.0"),
        ]),
        # A repository tagged v3 before it had a go.mod: +incompatible, and a newer /v4.
        V("example.com/jwt", "v3.2.0+incompatible", "2021-07-01", has_go_mod=False),
        V("example.com/jwt", "v3.2.2+incompatible", "2022-02-10", has_go_mod=False),
        V("example.com/jwt/v4", "v4.5.0", "2023-02-20", go="1.16"),
        V("example.com/uuid", "v1.3.0", "2021-11-29", go="1.17"),
        V("example.com/uuid", "v1.4.0", "2023-08-07", go="1.17"),
        V("example.net/grpc", "v1.58.0", "2023-09-05", go="1.19", requires=[
            ("example.net/protobuf", "v1.31.0"), ("example.org/x/sys", "v0.12.0"),
            ("example.org/x/text", "v0.13.0"),
        ]),
        V("example.net/grpc", "v1.60.1", "2023-12-19", go="1.19", requires=[
            ("example.net/protobuf", "v1.31.0"), ("example.org/x/sys", "v0.13.0"),
            ("example.org/x/text", "v0.14.0"),
        ]),
        V("example.net/protobuf", "v1.30.0", "2023-03-29", go="1.17"),
        V("example.net/protobuf", "v1.31.0", "2023-06-26", go="1.17"),
        V("example.net/protobuf", "v1.32.0", "2023-12-20", go="1.17"),
        V("example.org/x/crypto", "v0.13.0", "2023-09-06", go="1.17", requires=[
            ("example.org/x/sys", "v0.12.0"),
        ]),
        V("example.org/x/crypto", "v0.14.0", "2023-10-11", go="1.17", requires=[
            ("example.org/x/sys", "v0.13.0"), ("example.org/x/text", "v0.13.0"),
        ]),
        V("example.org/x/sys", "v0.10.0", "2023-06-30", go="1.17"),
        V("example.org/x/sys", "v0.12.0", "2023-09-01", go="1.17"),
        V("example.org/x/sys", "v0.13.0", "2023-09-27", go="1.17"),
        V("example.org/x/sys", "v0.15.0", "2023-11-27", go="1.18"),
        V("example.org/x/text", "v0.13.0", "2023-08-31", go="1.17"),
        V("example.org/x/text", "v0.14.0", "2023-10-30", go="1.18"),
    ]  # fmt: skip


MAIN_GO_MOD = """\
// An example service with the dependency trouble real projects have: requirers that
// disagree on shared modules, a prerelease that wins, a retracted version that is
// selected, a deprecated module, a fork, and a v1/v2 major-version split.
module example.com/shop

go 1.22

require (
	example.com/api v1.4.0
	example.com/auth v0.9.2
	example.com/billing v1.2.0
	example.com/cart v0.3.1 // needs the new pricing rules
	example.com/log v1.1.0
	example.com/router v1.8.0
)

require (
	example.com/cache v0.6.0 // indirect
	example.com/color v1.2.0 // indirect
	example.com/config v1.2.0 // indirect
	example.com/json v1.2.0 // indirect
	example.com/jwt v3.2.2+incompatible // indirect
	example.com/money v1.4.1 // indirect
	example.com/pricing v0.8.0-rc.1 // indirect
	example.com/proto v1.5.0 // indirect
	example.com/proto/v2 v2.1.0 // indirect
	example.com/retry v1.0.0 // indirect
	example.com/uuid v1.3.0 // indirect
	example.com/yaml v0.0.0-20240301120000-3b1f2a4c5d6e // indirect
	example.net/grpc v1.60.1 // indirect
	example.net/protobuf v1.31.0 // indirect
	example.org/x/crypto v0.14.0 // indirect
	example.org/x/sys v0.15.0 // indirect
	example.org/x/text v0.14.0 // indirect
)

// v0.4.1 leaks connections under load.
exclude example.com/cache v0.4.1

// Structured fields fix, not merged upstream yet.
replace example.com/log v1.1.0 => example.com/forks/log v1.1.1
"""

MAIN_GO = """\
package main

import "fmt"

func main() {
\tfmt.Println("shop")
}
"""


def _zip(v: Version) -> bytes:
    """A module zip with a fixed timestamp (so regenerating changes nothing)."""
    import io

    prefix = f"{v.path}@{v.version}/"
    name = v.path.rsplit("/", 1)[-1].replace(".", "").replace("-", "")
    if name.startswith("v") and name[1:].isdigit():
        name = v.path.rsplit("/", 2)[-2]
    files = {f"{name}.go": f"// Package {name} is part of the gomodx demo.\npackage {name}\n"}
    if v.has_go_mod:
        files["go.mod"] = v.go_mod()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for fname, text in sorted(files.items()):
            z.writestr(zipfile.ZipInfo(prefix + fname, (2020, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


def write(demo: Path) -> None:
    """Write ``demo/project`` and ``demo/proxy`` from the tables above."""
    proxy = demo / "proxy"
    project = demo / "project"
    if proxy.exists():
        shutil.rmtree(proxy)
    project.mkdir(parents=True, exist_ok=True)
    catalog = _catalog()
    by_path: dict[str, list[Version]] = {}
    for v in catalog:
        by_path.setdefault(v.path, []).append(v)
    for path, versions in sorted(by_path.items()):
        vdir = proxy / escape_path(path) / "@v"
        vdir.mkdir(parents=True)
        (vdir / "list").write_text("".join(v.version + "\n" for v in versions if v.listed))
        for v in versions:
            base = escape_version(v.version)
            when = v.time if "T" in v.time else v.time + "T10:00:00"
            (vdir / f"{base}.info").write_text(
                json.dumps({"Version": v.version, "Time": when + "Z"}) + "\n"
            )
            (vdir / f"{base}.mod").write_text(v.go_mod())
            (vdir / f"{base}.zip").write_bytes(_zip(v))
    (project / "go.mod").write_text(MAIN_GO_MOD)
    (project / "main.go").write_text(MAIN_GO)
    # go.sum: the go.mod hash of every module version the build graph reads, in go's order.
    lines = []
    for v in sorted(catalog, key=lambda v: (v.path, v.version)):
        if v.path in ("example.com/backoff", "example.com/jwt/v4"):
            continue
        lines.append(f"{v.path} {v.version}/go.mod {gomod_hash(v.go_mod().encode())}\n")
    (project / "go.sum").write_text("".join(lines))


def check_with_go(demo: Path) -> int:
    """Compare our loader's graph with ``go mod graph`` on a copy of the project."""
    import anyio

    from analysis.loader import DirectorySource, load_module_graph

    go = shutil.which("go")
    if go is None:
        print("go is not installed; skipping the comparison")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "project"
        shutil.copytree(demo / "project", work)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
        env.update(
            GOPROXY=(demo / "proxy").resolve().as_uri(),
            GOFLAGS="-mod=mod",
            GONOSUMDB="*",
            GOSUMDB="off",
            GOTOOLCHAIN="local",
            GOMODCACHE=str(Path(tmp) / "modcache"),
            GOPATH=str(Path(tmp) / "gopath"),
            HOME=tmp,
        )
        out = subprocess.run(
            [go, "mod", "graph"], cwd=work, env=env, capture_output=True, text=True
        )
        if out.returncode != 0:
            print(out.stderr)
            return 1
        ours = anyio.run(load_module_graph, demo / "project", DirectorySource(demo / "proxy"))
        same = ours.graph.text() == out.stdout
        print(f"go mod graph: {len(out.stdout.splitlines())} edges; ours agrees: {same}")
        listed = subprocess.run(
            [go, "list", "-m", "all"], cwd=work, env=env, capture_output=True, text=True
        )
        print(listed.stdout, listed.stderr, sep="")
        return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the go command")
    args = parser.parse_args()
    write(DEMO)
    print(f"wrote {DEMO}")
    return check_with_go(DEMO) if args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
