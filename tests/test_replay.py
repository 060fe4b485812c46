"""Replayed answers (tui/replay.py): a warm ``gomodx graph`` writes what the last run wrote
while nothing it depends on changed, and runs the command again otherwise.

Every run here is a real ``python -m tui`` process on a random universe served as a
``file://`` GOPROXY (tests/universe.py). Whether a run was replayed is read from
``-X importtime``: a replay never imports ``tui.cli`` (and such a probe, which writes to
stderr, never stores an entry itself, so probing does not refresh what it probes).
``GOMODX_REPLAY_SWEEP=N`` checks N seeds instead of a few.
"""

from __future__ import annotations

import json
import os
import pty
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gotool import GO, go_env
from universe import Layout, random_universe

from analysis.apply import journal_file
from tui import replay

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(GO is None, reason="the go command is not installed")

SEEDS = list(range(int(os.environ.get("GOMODX_REPLAY_SWEEP", "3"))))


@dataclass
class World:
    layout: Layout
    main: Path
    env: dict[str, str]
    first: Path
    """An empty directory first on PATH (a go put there is found before the real one)."""

    def run(
        self, *args: str, probe: bool = False, stdout: int = subprocess.PIPE
    ) -> subprocess.CompletedProcess[bytes]:
        cmd = [sys.executable, *(["-X", "importtime"] if probe else []), "-m", "tui", *args]
        return subprocess.run(
            cmd, cwd=self.main, env=self.env, stdout=stdout, stderr=subprocess.PIPE
        )

    def replayed(self, *args: str) -> tuple[bool, bytes]:
        """Run with ``-X importtime``: whether it was a replay, and its stdout."""
        p = self.run(*args, probe=True)
        assert p.returncode == 0, p.stderr.decode()[-2000:]
        return not imported(p.stderr, "tui.cli"), p.stdout

    def probe(self, *args: str) -> bool:
        """Whether a run (whatever its exit status) was a replay."""
        return not imported(self.run(*args, probe=True).stderr, "tui.cli")

    def entries(self) -> list[Path]:
        d = Path(self.env["GOMODX_CACHE"]) / "replay"
        return sorted(d.iterdir()) if d.is_dir() else []


def imported(importtime: bytes, prefix: str) -> list[str]:
    """Modules in ``-X importtime`` output named ``prefix`` or under it."""
    names = re.findall(rb"^import time:\s+\d+ \|\s+\d+ \| *(\S+)$", importtime, re.M)
    return [
        n.decode() for n in names if n.decode() == prefix or n.decode().startswith(prefix + ".")
    ]


ERAS = ("modern", "lazy", "legacy")


def make_world(
    tmp: Path, seed: int, *, with_go: bool = True, modules: int = 15, era: str = "modern"
) -> World:
    u = random_universe(seed, modules, 3, zips=False, era=era)
    layout = u.write(tmp / "u")
    env = go_env(tmp / "home", proxy=layout.proxy_url)
    env["GOMODX_CACHE"] = str(tmp / "gomodx-cache")
    env["GOMODX_STATE"] = str(tmp / "gomodx-state")
    env["PYTHONPATH"] = str(ROOT)
    first = tmp / "first-on-path"
    first.mkdir()
    rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and not _has_go(p)]
    if with_go:
        assert GO is not None
        rest.insert(0, os.path.dirname(GO))
    env["PATH"] = os.pathsep.join([str(first), *rest])
    return World(layout, layout.main_dir, env, first)


def _has_go(d: str) -> bool:
    return os.path.isfile(os.path.join(d, "go"))


def go_output(w: World, *args: str) -> bytes:
    assert GO is not None
    env = dict(w.env, GOFLAGS="-mod=mod")
    p = subprocess.run([GO, *args], cwd=w.main, env=env, capture_output=True, check=True)
    return p.stdout


def drop_first_requirement(w: World) -> None:
    """A real change of the graph, in the same mtime tick (only the bytes tell)."""
    gomod = w.main / "go.mod"
    st = gomod.stat()
    assert GO is not None
    edit = subprocess.run([GO, "mod", "edit", "-json"], cwd=w.main, capture_output=True, check=True)
    required = json.loads(edit.stdout)["Require"][0]["Path"]
    subprocess.run([GO, "mod", "edit", f"-droprequire={required}"], cwd=w.main, check=True)
    os.utime(gomod, ns=(st.st_atime_ns, st.st_mtime_ns))


# -- the answer -----------------------------------------------------------------------------


@pytest.mark.go
@pytest.mark.parametrize("seed", SEEDS)
def test_replay_is_the_cold_answer_and_gos(tmp_path: Path, seed: int) -> None:
    w = make_world(tmp_path, seed, era=ERAS[seed % len(ERAS)])
    for fmt in ("text", "dot", "mermaid", "json"):
        args = ("graph", "--source", "proxy", "--format", fmt)
        cold = w.run(*args)
        assert cold.returncode == 0 and cold.stderr == b"", cold.stderr
        hit, out = w.replayed(*args)
        assert hit, fmt
        assert out == cold.stdout
        if fmt == "text":
            assert out == go_output(w, "mod", "graph")
    cold = w.run("list", "--source", "proxy")
    hit, out = w.replayed("list", "--source", "proxy")
    assert hit and out == cold.stdout == go_output(w, "list", "-m", "all")
    cold = w.run("conflicts", "--source", "proxy")
    if cold.returncode == 0:
        hit, out = w.replayed("conflicts", "--source", "proxy")
        assert hit and out == cold.stdout
    else:  # findings: exit status 1, never stored
        assert cold.returncode == 1
        assert not w.probe("conflicts", "--source", "proxy")
    # why: one module of the build (exit 0), stored and replayed.
    listed = w.run("list", "--source", "proxy").stdout.decode().splitlines()
    assert listed
    module = listed[-1].split()[0]
    cold = w.run("why", module, "--source", "proxy")
    assert cold.returncode == 0
    hit, out = w.replayed("why", module, "--source", "proxy")
    assert hit and out == cold.stdout
    drop_first_requirement(w)
    hit, out = w.replayed("graph", "--source", "proxy")
    assert not hit
    assert out == go_output(w, "mod", "graph")


@pytest.mark.go
@pytest.mark.parametrize("seed", SEEDS)
def test_go_mod_graphs_answer_is_replayed(tmp_path: Path, seed: int) -> None:
    """With go installed (--source auto picks it), the answer go gave is kept and
    replayed the same way, until an input changes."""
    w = make_world(tmp_path, 100 + seed, era=ERAS[seed % len(ERAS)])
    for args in (("graph",), ("graph", "--format", "json"), ("list",)):
        cold = w.run(*args)
        assert cold.returncode == 0 and cold.stderr == b"", cold.stderr
        hit, out = w.replayed(*args)
        assert hit, args
        assert out == cold.stdout
    assert w.replayed("graph")[1] == go_output(w, "mod", "graph")
    assert w.replayed("list")[1] == go_output(w, "list", "-m", "all")
    drop_first_requirement(w)
    hit, out = w.replayed("graph")
    assert not hit
    assert out == go_output(w, "mod", "graph")


@pytest.mark.go
def test_a_replay_imports_nothing_heavy(tmp_path: Path) -> None:
    w = make_world(tmp_path, 11)
    args = ("graph", "--source", "proxy")
    assert w.run(*args).returncode == 0
    p = w.run(*args, probe=True)
    assert p.returncode == 0
    for heavy in ("analysis", "argparse", "httpx", "textual", "networkx", "tui.cli", "typing"):
        assert imported(p.stderr, heavy) == [], heavy
    assert imported(p.stderr, "tui.replay") == ["tui.replay"]


@pytest.mark.go
def test_go_absent_auto_is_replayed_until_a_go_appears(tmp_path: Path) -> None:
    # --source auto resolves to the proxy walk when no go is on PATH.
    w = make_world(tmp_path, 5, with_go=False)
    cold = w.run("graph")
    assert cold.returncode == 0, cold.stderr
    hit, out = w.replayed("graph")
    assert hit and out == cold.stdout
    assert GO is not None
    (w.first / "go").symlink_to(GO)
    hit, out = w.replayed("graph")
    assert not hit  # go mod graph ran instead
    assert out == cold.stdout


# -- what invalidates -----------------------------------------------------------------------


def _same_size_same_mtime(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    st = path.stat()
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _edit_gomod(w: World) -> None:
    _same_size_same_mtime(w.main / "go.mod", b"// pad aaaa\n", b"// pad bbbb\n")


def _edit_gosum(w: World) -> None:
    gosum = w.main / "go.sum"
    lines = gosum.read_bytes().splitlines(keepends=True)
    st = gosum.stat()
    gosum.write_bytes(b"".join(lines[:-1]))
    os.utime(gosum, ns=(st.st_atime_ns, st.st_mtime_ns))


def _edit_replacement(w: World) -> None:
    (target,) = list((w.main / "local").iterdir())[:1]
    _same_size_same_mtime(target / "go.mod", b"// pad aaaa\n", b"// pad bbbb\n")


def _go_work_above(w: World) -> None:
    (w.main.parent / "go.work").write_text("go 1.21\n\nuse ./main\n")


def _edit_goenv_file(w: World) -> None:
    with open(w.env["GOENV"], "a") as f:
        f.write("GOPRIVATE=example.org/private\n")


def _goflags(w: World) -> None:
    w.env["GOFLAGS"] = "-mod=mod -modcacherw"


def _goproxy(w: World) -> None:
    w.env["GOPROXY"] = w.env["GOPROXY"] + ",off"


def _another_go_first(w: World) -> None:
    assert GO is not None
    (w.first / "go").symlink_to(GO)


SOURCE = ROOT / "analysis" / "export.py"
"""The source file whose stamp a test moves (and puts back: see :func:`_code_lock`)."""


def _touch_source(w: World) -> None:
    st = SOURCE.stat()
    os.utime(SOURCE, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))


def _snapshot_removed(w: World) -> None:
    shutil.rmtree(Path(w.env["GOMODX_CACHE"]) / "snapshot")


def _journal(w: World) -> None:
    path = journal_file(w.main, Path(w.env["GOMODX_STATE"]) / "undo")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{")  # cut short: void, and removed by the next normal run


CHANGES: dict[str, Callable[[World], None]] = {
    "go.mod same size and mtime": _edit_gomod,
    "go.sum": _edit_gosum,
    "replacement go.mod": _edit_replacement,
    "go.work above": _go_work_above,
    "GOENV file": _edit_goenv_file,
    "GOFLAGS": _goflags,
    "GOPROXY": _goproxy,
    "another go first on PATH": _another_go_first,
    "gomodx source stamp": _touch_source,
    "snapshot removed": _snapshot_removed,
    "apply journal": _journal,
}


def _seed_with_local_replacement() -> int:
    for seed in range(200):
        if random_universe(seed, 15, 3, zips=False).locals:
            return seed
    raise AssertionError("no seed below 200 has a directory replacement")


@pytest.fixture(autouse=True)
def _code_lock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test here holds a shared lock on gomodx's code; the one that moves a source
    file's stamp holds it alone (other workers' tests would see their entries go stale),
    and puts the stamp back."""
    import fcntl
    import tempfile

    moves = "gomodx source stamp" in request.node.name
    with open(Path(tempfile.gettempdir()) / "gomodx-test-replay.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if moves else fcntl.LOCK_SH)
        st = SOURCE.stat()
        try:
            yield
        finally:
            if moves:
                os.utime(SOURCE, ns=(st.st_atime_ns, st.st_mtime_ns))
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.mark.go
@pytest.mark.parametrize(
    ("source", "change"),
    [("proxy", c) for c in CHANGES] + [("go", c) for c in CHANGES if c != "snapshot removed"],
)
def test_every_input_change_invalidates(tmp_path: Path, source: str, change: str) -> None:
    w = make_world(tmp_path, _seed_with_local_replacement())
    for gomod in [w.main / "go.mod", *(w.main / "local").glob("*/go.mod")]:
        with open(gomod, "ab") as f:
            f.write(b"// pad aaaa\n")
    w.layout.write_gomod_sums()
    goenv = tmp_path / "goenv"
    goenv.write_text("GOTELEMETRY=off\n")
    w.env["GOENV"] = str(goenv)
    del w.env["GOWORK"]  # the go.work search is on
    args = ("graph", "--source", source)
    cold = w.run(*args)
    assert cold.returncode == 0 and cold.stderr == b"", cold.stderr
    hit, out = w.replayed(*args)
    assert hit and out == cold.stdout
    CHANGES[change](w)
    p = w.run(*args, probe=True)
    assert not imported(p.stderr, "tui.replay") or imported(p.stderr, "tui.cli"), change
    if change == "go.work above":
        return  # a workspace: the normal path answers, and nothing is stored
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    assert p.stdout == cold.stdout  # none of these changes the graph itself
    # The normal run stores the answer again, and the next run is replayed.
    again = w.run(*args)
    assert again.returncode == 0 and again.stdout == cold.stdout
    hit, out = w.replayed(*args)
    assert hit and out == cold.stdout


@pytest.mark.go
def test_shell_noise_does_not_invalidate(tmp_path: Path) -> None:
    w = make_world(tmp_path, 2)
    w.env.update(_="/usr/bin/env", SHLVL="1", OLDPWD="/")
    assert w.run("graph", "--source", "proxy").returncode == 0
    w.env.update(_="/bin/other", SHLVL="3", OLDPWD="/tmp")
    hit, _ = w.replayed("graph", "--source", "proxy")
    assert hit
    w.env["GOMODX_NO_REPLAY"] = "1"
    hit, _ = w.replayed("graph", "--source", "proxy")
    assert not hit


# -- what is never stored, or is replaced ---------------------------------------------------


@pytest.mark.go
def test_a_damaged_entry_is_ignored_and_replaced(tmp_path: Path) -> None:
    w = make_world(tmp_path, 4)
    args = ("graph", "--source", "proxy")
    cold = w.run(*args)
    (entry,) = w.entries()
    good = entry.read_bytes()
    rng = random.Random(4)
    damaged = [
        good[: rng.randrange(len(good))],  # truncated
        b"",
        bytes(rng.randrange(256) for _ in range(len(good))),  # garbage
        good[:40] + bytes([good[40] ^ 1]) + good[41:],  # one bit flipped
    ]
    for data in damaged:
        entry.write_bytes(data)
        hit, out = w.replayed(*args)
        assert not hit and out == cold.stdout
        assert w.run(*args).stdout == cold.stdout  # stored anew
        assert entry.read_bytes() == good
        hit, out = w.replayed(*args)
        assert hit and out == cold.stdout


@pytest.mark.go
def test_failures_and_side_effects_are_never_stored(tmp_path: Path) -> None:
    w = make_world(tmp_path, 6)
    assert w.run("graph", "--source", "proxy", "--focus", "example.com/nowhere").returncode != 0
    assert w.run("why", "example.com/nowhere", "--source", "proxy").returncode == 1
    assert w.run("graph", "--source", "proxy", "-v").returncode == 0  # verbose
    out = tmp_path / "graph.txt"
    assert w.run("graph", "--source", "proxy", "-o", str(out)).returncode == 0  # writes
    assert w.run("versions", "example.com/m1", "--source", "proxy").returncode in (0, 1)
    assert w.entries() == []


@pytest.mark.go
def test_a_terminal_is_not_a_pipe(tmp_path: Path) -> None:
    w = make_world(tmp_path, 7, modules=4)  # three runs' output fits in the terminal's buffer
    args = ("graph", "--source", "proxy")
    piped = w.run(*args)
    assert piped.returncode == 0
    leader, follower = pty.openpty()
    try:
        p = w.run(*args, probe=True, stdout=follower)
        assert p.returncode == 0
        assert imported(p.stderr, "tui.cli"), "a terminal run replayed a pipe's answer"
        # A terminal's answer is kept as its own entry.
        assert w.run(*args, stdout=follower).returncode == 0
        p = w.run(*args, probe=True, stdout=follower)
        assert p.returncode == 0 and not imported(p.stderr, "tui.cli")
    finally:
        os.close(follower)
        os.close(leader)
    assert len(w.entries()) == 2


# -- the rules the fast path shares with the engine -----------------------------------------


def test_shell_noise_is_goenvs() -> None:
    from analysis import goenv

    assert replay.SHELL_NOISE == goenv._SHELL_NOISE


def test_root_is_the_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from analysis.cache import default_cache_dir

    for xdg in (str(tmp_path / "xdg"), "", " "):
        monkeypatch.delenv("GOMODX_CACHE", raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        root = replay._root()
        if sys.platform == "linux":
            assert root is not None and Path(root) == default_cache_dir()
    monkeypatch.setenv("GOMODX_CACHE", str(tmp_path / "c"))
    assert replay._root() == str(tmp_path / "c")


@pytest.mark.parametrize("seed", range(20))
def test_which_is_shutils(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    dirs = []
    for i in range(rng.randrange(1, 6)):
        d = tmp_path / f"d{i}"
        d.mkdir()
        kind = rng.choice(["none", "exec", "plain", "dir", "link"])
        if kind == "exec":
            (d / "go").write_text("#!/bin/sh\n")
            (d / "go").chmod(0o755)
        elif kind == "plain":
            (d / "go").write_text("not executable\n")
        elif kind == "dir":
            (d / "go").mkdir()
        elif kind == "link":
            (d / "go").symlink_to(tmp_path / "missing")
        dirs.append(str(d))
    entries = dirs + rng.sample(["", str(tmp_path / "absent"), dirs[0]], rng.randrange(3))
    rng.shuffle(entries)
    monkeypatch.setenv("PATH", os.pathsep.join(entries))
    monkeypatch.chdir(tmp_path)
    assert replay.which("go") == shutil.which("go")
    monkeypatch.delenv("PATH")
    assert replay.which("go") == shutil.which("go")


# -- storing, in process ----------------------------------------------------------------------


class _Pipe:
    """A binary stream that takes ``room`` bytes, then fails as a closed pipe does."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.data = b""

    def write(self, data: bytes) -> int:
        if len(self.data) + len(data) > self.room:
            raise BrokenPipeError(32, "Broken pipe")
        self.data += bytes(data)
        return len(data)

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    closed = False


def _record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: int, text: str, err: str = ""
) -> bytes | None:
    """Run a fake command through a recorder; the stored stdout (None: not stored)."""
    import io
    import marshal

    pipe = _Pipe(room)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(pipe, encoding="utf-8"))  # type: ignore[arg-type]
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(_Pipe(1 << 20), encoding="utf-8"))  # type: ignore[arg-type]
    monkeypatch.setenv("GOMODX_CACHE", str(tmp_path / "cache"))
    tmp_path.mkdir()
    source = tmp_path / "input"
    source.write_text("x")
    recorder = replay._Recorder.start(["graph"])
    assert recorder is not None
    code = 0
    try:
        replay._active = recorder
        replay.declare([("file", str(source), "")])
        sys.stdout.write(text)
        sys.stdout.flush()
        if err:
            print(err, file=sys.stderr)
    except BrokenPipeError:
        code = 0  # as the command line says it: output cut short is no error
    finally:
        replay._active = None
        recorder.finish(code)
    entry = Path(recorder.path)
    if not entry.exists():
        return None
    _, _, inputs, out = marshal.loads(entry.read_bytes()[32:])
    assert ("file", str(source)) in {(k, p) for k, p, _ in inputs}
    assert any(k == "stat" and p.endswith("replay.py") for k, p, _ in inputs)
    assert isinstance(out, bytes)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_only_a_whole_answer_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    text = "".join(
        f"example.com/m{rng.randrange(99)} v1.{i}.0\n" for i in range(rng.randrange(1, 400))
    )
    assert _record(tmp_path / "whole", monkeypatch, 1 << 20, text) == text.encode()
    cut = rng.randrange(len(text))
    assert _record(tmp_path / "cut", monkeypatch, cut, text) is None
    assert _record(tmp_path / "stderr", monkeypatch, 1 << 20, text, err="warning") is None


def test_entries_are_bounded(tmp_path: Path) -> None:
    d = tmp_path / "replay"
    d.mkdir()
    extra = 7
    for i in range(replay.MAX_ENTRIES + extra):
        (d / f"{i:04d}").write_bytes(b"x")
        os.utime(d / f"{i:04d}", ns=(i * 10**9, i * 10**9))
    replay._evict(str(d))
    left = sorted(p.name for p in d.iterdir())
    assert left == [f"{i:04d}" for i in range(extra, replay.MAX_ENTRIES + extra)]


@pytest.mark.parametrize("seed", range(30))
def test_command_is_clis_first_word(seed: int) -> None:
    from tui import cli

    rng = random.Random(seed)
    words = ["graph", "list", "why", "--graph", "-v", "--source", "proxy", "g.txt", "-", "--"]
    argv = [rng.choice(words) for _ in range(rng.randrange(6))]
    assert replay._command(argv) == cli._first_word(argv)


def test_replayable_commands_are_graphcmds() -> None:
    from tui import cli

    assert {cli.COMMAND_MODULE_OF[c] for c in replay.COMMANDS} == {"tui.commands.graphcmds"}
