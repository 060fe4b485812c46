"""Differential tests: analysis.workspace against the real go command.

Generated workspaces (modules with and without go.mod, go lines old and new, ``use`` lines
naming missing and repeated directories, go.work files too new or malformed, found from
sub-directories, through ``GOWORK=auto`` or an absolute ``GOWORK``) are loaded by
``go list -m`` and by :func:`analysis.workspace.find_workspace` +
:func:`~analysis.workspace.load_workspace`; the main modules, or go's error text, must agree.
``go env GOWORK`` is compared with ``find_workspace`` and ``goenv``; ``-mod``/``-modfile``
with :func:`~analysis.workspace.check_flags`.
"""

from __future__ import annotations

import os
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from gotool import go_env, go_version, require_go

from analysis import goenv, workspace
from analysis.errors import GomodxError, WorkspaceError

pytestmark = pytest.mark.go

SEED = 20271205
N_WORKSPACES = 200


@dataclass
class Layout:
    """A workspace on disk: where go runs, and GOWORK for it."""

    root: Path
    run_dir: Path
    gowork: str | None  # None: unset


MOD_DIRS = ["a", "b", "nested/c", "d", "x/y/z"]
GOMOD_REPLACES = [
    "replace example.com/dep => ./fork",
    "replace example.com/dep => ../shared",
    "replace example.com/dep v1.0.0 => example.com/fork v1.1.0",
    "replace example.com/dep v1.0.0 => example.com/fork v1.2.0",
    "replace example.com/other => /abs/other",
    "replace example.com/other v1.0.0 => ../other",
]


def _make(rng: random.Random, root: Path) -> Layout:
    root.mkdir(parents=True)
    dirs = rng.sample(MOD_DIRS, rng.randint(1, 4))
    for i, d in enumerate(dirs):
        (root / d).mkdir(parents=True, exist_ok=True)
        if rng.random() < 0.95:
            go = rng.choice(["", "1.16", "1.20", "1.21", "1.21", "1.22", "1.22.3", "1.30"])
            body = f"module example.com/m{i}\n"
            if go:
                body += f"\ngo {go}\n"
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                body += rng.choice(GOMOD_REPLACES) + "\n"
            if rng.random() < 0.05:
                body += "foo bar\n"
            (root / d / "go.mod").write_text(body)
    lines = []
    wgo = rng.choice(["", "1.18", "1.21", "1.22", "1.23", "1.24", "1.24", "1.24", "1.24", "1.30"])
    if wgo:
        lines.append(f"go {wgo}")
    if rng.random() < 0.1:
        lines.append("godebug panicnil=1")
    uses = []
    for d in dirs:
        if rng.random() < 0.9:
            uses.append(
                rng.choice([f"./{d}", d if rng.random() < 0.1 else f"./{d}", str(root / d)])
            )
    if rng.random() < 0.08:
        uses.append("./missing")
    if uses and rng.random() < 0.1:
        first = uses[0]
        uses.append(
            first + "/." if not first.startswith("/") else first + "/../" + Path(first).name
        )
    if not uses:
        uses.append(f"./{dirs[0]}")
    if rng.random() < 0.5:
        lines.append("use (")
        lines += [f"\t{u}" for u in uses]
        lines.append(")")
    else:
        lines += [f"use {u}" for u in uses]
    if rng.random() < 0.04:
        lines.append("require example.com/x v1.0.0")
    if rng.random() < 0.1:
        lines.append(
            rng.choice(["replace example.com/m0 => ./a", "replace example.com/m1 v1.0.0 => ./b"])
        )
    (root / "go.work").write_text("\n".join(lines) + "\n")
    run_dir = root / rng.choice([".", dirs[0], "elsewhere"])
    run_dir.mkdir(parents=True, exist_ok=True)
    gowork = rng.choice([None, None, "auto", str(root / "go.work")])
    return Layout(root, run_dir, gowork)


def _ours(layout: Layout) -> tuple[int, str]:
    env = {} if layout.gowork is None else {"GOWORK": layout.gowork}
    try:
        path = workspace.find_workspace(layout.run_dir, env)
        if path is None:
            return 0, "(no workspace)"
        ws = workspace.load_workspace(
            path, running=go_version(), gotoolchain="local", cwd=layout.run_dir
        )
    except WorkspaceError as exc:
        return 1, "".join(f"go: {m}\n" for m in exc.messages)
    return 0, "".join(m + "\n" for m in ws.modules)


def test_generated_workspaces_load_as_go_loads_them(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    env = go_env(tmp_path / "env", GOFLAGS="")
    env.pop("GOWORK")
    problems = []
    refused = 0
    for i in range(N_WORKSPACES):
        layout = _make(rng, tmp_path / f"w{i}")
        run_env = dict(env)
        if layout.gowork is not None:
            run_env["GOWORK"] = layout.gowork
        proc = subprocess.run(
            [require_go(), "list", "-m"],
            cwd=layout.run_dir,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        code, text = _ours(layout)
        if text == "(no workspace)":
            # "elsewhere" under the workspace still finds it; this is the no-module case.
            problems.append(f"w{i}: we found no workspace; go said {proc.stdout}{proc.stderr}")
            continue
        refused += proc.returncode != 0
        got = proc.stdout if proc.returncode == 0 else proc.stderr
        if (proc.returncode != 0) != (code != 0) or got != text:
            work = (layout.root / "go.work").read_text()
            problems.append(
                f"w{i} (run in {layout.run_dir.relative_to(tmp_path)}, GOWORK={layout.gowork})"
                f"\n--- go.work\n{work}--- go ({proc.returncode})\n{got}--- ours ({code})\n{text}"
            )
    print(f"\n[workspace vs go] go refused {refused}/{N_WORKSPACES} workspaces")
    print(f"[workspace vs go] go list -m: {N_WORKSPACES - len(problems)}/{N_WORKSPACES} agree")
    if problems:
        pytest.fail("\n\n".join(problems[:10]))


def test_go_env_gowork_agrees(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "a" / "deep").mkdir(parents=True)
    (root / "go.work").write_text("go 1.22\n\nuse ./missing\n")  # naming a missing dir is fine
    (tmp_path / "plain").mkdir()
    env = go_env(tmp_path / "env", GOFLAGS="")
    cases = [
        (root / "a" / "deep", None),
        (root / "a" / "deep", "auto"),
        (root, "off"),
        (tmp_path / "plain", None),
        (tmp_path / "plain", str(root / "go.work")),
        (tmp_path / "plain", str(tmp_path / "nowhere" / "go.work")),
        (tmp_path / "plain", "rel/go.work"),
    ]
    for cwd, gowork in cases:
        run_env = dict(env)
        run_env.pop("GOWORK")
        if gowork is not None:
            run_env["GOWORK"] = gowork
        proc = subprocess.run(
            [require_go(), "env", "GOWORK"], cwd=cwd, env=run_env, capture_output=True, text=True
        )
        mapping = {} if gowork is None else {"GOWORK": gowork}
        try:
            found = workspace.find_workspace(cwd, mapping)
        except GomodxError as exc:
            assert proc.returncode != 0
            assert proc.stderr == f"go: {exc}\n"
            with pytest.raises(GomodxError):
                goenv._gowork(gowork or "", cwd)
            continue
        assert proc.returncode == 0, proc.stderr
        want = proc.stdout.strip()
        if gowork == "off":
            assert found is None and want == "off"
        else:
            assert (str(found) if found else "") == want, (cwd, gowork)
        assert goenv._gowork(gowork or "", cwd) == want


def test_flags_refused_in_workspace_mode(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "go.mod").write_text("module example.com/a\n\ngo 1.22\n")
    (tmp_path / "go.work").write_text("go 1.22\n\nuse ./a\n")
    env = go_env(tmp_path / "env", GOFLAGS="")
    env.pop("GOWORK")
    for flags, mod, mfile in [
        (["-mod=mod"], "mod", ""),
        (["-modfile=x.mod"], "", "x.mod"),
        (["-mod=mod", "-modfile=x.mod"], "mod", "x.mod"),
        (["-mod=readonly"], "readonly", ""),
        (["-mod=vendor"], "vendor", ""),
    ]:
        proc = subprocess.run(
            [require_go(), "list", *flags, "-m"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        try:
            workspace.check_flags(mod, mfile)
        except GomodxError as exc:
            assert proc.returncode != 0 and proc.stderr == f"go: {exc}\n", flags
        else:
            if mod == "vendor":
                continue  # go goes on to look for vendor/modules.txt
            assert proc.returncode == 0, (flags, proc.stderr)
    # GOFLAGS counts as the command line.
    proc = subprocess.run(
        [require_go(), "list", "-m"],
        cwd=tmp_path,
        env={**env, "GOFLAGS": "-mod=mod"},
        capture_output=True,
        text=True,
    )
    with pytest.raises(GomodxError) as info:
        workspace.check_flags("mod")
    assert proc.stderr == f"go: {info.value}\n"


def test_short_path(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    assert workspace.short_path(tmp_path / "a" / "go.mod", tmp_path) == os.path.join("a", "go.mod")
    assert workspace.short_path("rel/x", tmp_path) == "rel/x"
