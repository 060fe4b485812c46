"""``retract`` validation against the real go command.

go reads the main module's go.mod with a version fixer, which checks every retracted
version against the module's own major version (``retract v3.0.1`` in a v1 module is
``go.mod:5: retract example.com/m: version "v3.0.1" invalid: should be v0 or v1, not v3``),
while ``go mod edit`` reads without one and accepts it. A dependency's retractions are read
leniently: what does not parse is dropped, what parses is kept as written.

1. Generated main go.mod files with random retract lines (single versions, intervals,
   blocks; majors v0-v4, ``+incompatible``, prereleases, pseudo-versions; paths with and
   without ``/vN`` and ``gopkg.in`` ``.vN``): ``gomodx list`` fails exactly when ``go list
   -m all`` does, with go's lines; ``gomodx modjson`` agrees with ``go mod edit -json``.
2. A dependency whose latest go.mod retracts with odd lines (other majors, reversed
   intervals, ``v1.1`` short forms): ``gomodx list --json --retracted`` equals ``go list -m
   -json -retracted all``.
"""

from __future__ import annotations

import os
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gotool import go_env, require_go, run_go
from test_source_cli import gomodx
from universe import Universe

from analysis import modfile
from tui.commands import modjson

pytestmark = pytest.mark.go

PATHS = [
    "example.com/m",
    "example.com/m/v2",
    "example.com/m/v3",
    "gopkg.in/yaml.v2",
    "example.org/Mixed/m/v4",
]


def _version(rng: random.Random, own: int) -> str:
    """Mostly a version of the module's own major (``own``), sometimes any other."""
    if rng.random() < 0.9:
        major = own if own >= 2 else rng.choice([0, 1])
    else:
        major = rng.choice([0, 1, 2, 3, 4])
    base = f"v{major}.{rng.randint(0, 3)}.{rng.randint(0, 3)}"
    kind = rng.random()
    if kind < 0.15:
        return base + "-rc.1"
    if kind < 0.25 and major >= 2:
        return base + "+incompatible"
    if kind < 0.35:
        return f"v{major}.{rng.randint(0, 3)}.1-0.20200101000000-abcdefabcdef"
    return base


def _retract_line(rng: random.Random, own: int) -> str:
    comment = rng.choice(["", " // published by accident", " // broken & <bad>"])
    if rng.random() < 0.4:
        a, b = _version(rng, own), _version(rng, own)
        return f"[{a}, {b}]{comment}"
    return _version(rng, own) + comment


def _main_gomod(rng: random.Random) -> str:
    path = rng.choice(PATHS)
    own = int(path[-1]) if path[-1].isdigit() else 1
    lines = [f"module {path}", "", "go 1.21", ""]
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.3:
            block = "\n".join("\t" + _retract_line(rng, own) for _ in range(rng.randint(1, 3)))
            lines.append(f"retract (\n{block}\n)")
        else:
            lines.append("retract " + _retract_line(rng, own))
    return "\n".join(lines) + "\n"


def _strip_go(text: str) -> str:
    """go's lines without its ``errors parsing go.mod`` header (gomodx prints the
    positions alone, as for every go.mod error)."""
    return text.removeprefix("go: errors parsing go.mod:\n")


def test_main_module_retractions_agree_with_go(tmp_path: Path) -> None:
    require_go()
    rng = random.Random(20271204)
    cases = [_main_gomod(rng) for _ in range(120)]

    def go_side(i: int) -> tuple[Path, str, str]:
        d = tmp_path / f"m{i}"
        d.mkdir()
        (d / "go.mod").write_text(cases[i])
        env = go_env(tmp_path / "go", GOFLAGS="-mod=mod")
        listed = run_go(["list", "-m", "all"], d, env, check=False)
        edited = run_go(["mod", "edit", "-json"], d, env, check=False)
        want = listed.stdout if listed.returncode == 0 else _strip_go(listed.stderr)
        return d, want, edited.stdout if edited.returncode == 0 else edited.stderr

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(go_side, range(len(cases))))
    env = go_env(tmp_path / "gomodx", GOFLAGS="-mod=mod")
    agree = refused = 0
    problems: list[str] = []
    for text, (d, want_list, want_json) in zip(cases, results, strict=True):
        code, out, err = gomodx(["list", str(d), "--source", "proxy", "--offline"], env)
        ours = out if code == 0 else err.replace(f"{d}/", "")
        cwd = os.getcwd()
        os.chdir(d)
        try:
            _, json_bytes, json_err = modjson.render("go.mod")
        finally:
            os.chdir(cwd)
        json_out = json_bytes.decode()
        if ours == want_list and json_out == want_json:
            agree += 1
            refused += code != 0
        else:
            problems.append(
                f"{text}--- list: go {want_list!r}\n gomodx {ours!r}\n--- json: "
                f"{'same' if json_out == want_json else json_err.decode() or json_out}"
            )
    print(f"\nretract (main module): {agree}/{len(cases)} agree with go ({refused} refused)")
    assert not problems, "\n".join(problems[:3])
    assert 10 <= refused <= len(cases) - 10  # both outcomes were exercised


def test_fix_version_is_gos_fixer() -> None:
    f = modfile.parse(
        "go.mod", "module example.com/m/v2\n\nretract [v2.0.0, v2.1.0]\n", modfile.fix_version
    )
    assert [(r.low, r.high) for r in f.retract] == [("v2.0.0", "v2.1.0")]
    with pytest.raises(modfile.ModfileError) as info:
        modfile.parse("go.mod", "module example.com/m\n\nretract v3.0.1\n", modfile.fix_version)
    assert str(info.value) == (
        'go.mod:3: retract example.com/m: version "v3.0.1" invalid: should be v0 or v1, not v3'
    )
    # Without the fixer (go mod edit), the same file is fine.
    assert modfile.parse("go.mod", "module example.com/m\n\nretract v3.0.1\n").retract
    # Inside a block the position has a column, as go prints it.
    with pytest.raises(modfile.ModfileError) as info:
        modfile.parse(
            "go.mod",
            "module example.com/m\n\nretract (\n\tv1.0.0\n\tv2.0.0\n)\n",
            modfile.fix_version,
        )
    assert str(info.value).startswith("go.mod:5:2: retract example.com/m:")


def test_dependency_retractions_agree_with_go(tmp_path: Path) -> None:
    """Odd retract lines in a dependency's latest go.mod: kept, dropped or matched as go
    does, for go list -m -json -retracted and -u."""
    require_go()
    odd = [
        ("v3.0.1", "v3.0.1", "another major"),
        ("v1.2.0", "v1.0.0", "reversed"),
        ("v1.1", "v1.1", "short form"),
        ("v1.0.0", "v1.0.0", ""),
    ]
    agree = 0
    for i, (low, high, why) in enumerate(odd):
        u = Universe(main_path="example.com/main", main_go="1.21")
        for v in ("v1.0.0", "v1.1.0", "v1.2.0"):
            u.add("example.com/d", v, go="1.21")
        u.add("example.com/d", "v1.3.0", go="1.21", retract=[(low, high, why)])
        u.require("example.com/d", "v1.1.0" if i % 2 else "v1.0.0")
        layout = u.write(tmp_path / f"u{i}")
        env = go_env(layout.root / "go", proxy=layout.proxy_url, GOFLAGS="-mod=mod")
        run_go(["list", "-m", "all"], layout.main_dir, env)
        for flags in (["-retracted"], ["-u"]):
            want = run_go(["list", "-m", "-json", *flags, "all"], layout.main_dir, env).stdout
            ours_flags = ["--retracted"] if flags == ["-retracted"] else flags
            code, out, err = gomodx(
                ["list", "--json", *ours_flags, str(layout.main_dir), "--source", "proxy"], env
            )
            assert (code, out) == (0, want), (low, high, flags, err)
            agree += 1
    print(f"\nretract (dependencies): {agree}/{2 * len(odd)} agree with go")
