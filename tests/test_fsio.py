"""analysis.fsio: the one atomic writer.

A write either replaces the target whole or leaves it as it was, with no temporary file
behind — whether the OS refuses (ENOSPC, EACCES, ENOTDIR, a failed rename) or the process
is interrupted. OS errors come out as one-line :class:`FileWriteError` messages. The tests
run as root, where permission bits do not stop writes, so refusals are simulated (or made
with a path under a regular file, which fails for root too).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import fsio
from analysis.errors import FileWriteError, GomodxError
from analysis.fsio import os_reason, staged, write_atomic, writing


def names(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "f.mod"
    write_atomic(target, b"old")  # parent directories are created
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert names(target.parent) == ["f.mod"]
    write_atomic(target, b"")
    assert target.read_bytes() == b""


def test_big_write_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, b: real(fd, bytes(b)[:4096]))  # short writes
    data = os.urandom(100_000)
    write_atomic(tmp_path / "z.zip", data)
    assert (tmp_path / "z.zip").read_bytes() == data


@pytest.mark.parametrize("failing", ["write", "fsync", "replace", "open"])
def test_enospc_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "go.mod"
    target.write_bytes(b"old")

    def enospc(*args: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, failing, enospc)
    with pytest.raises(FileWriteError) as info:
        write_atomic(target, b"new content")
    monkeypatch.undo()
    err = info.value
    assert str(err) == f"writing {target}: no space left on device"
    assert (err.op, err.path, err.errno) == ("writing", str(target), errno.ENOSPC)
    assert err.reason == "no space left on device"
    assert isinstance(err, GomodxError) and isinstance(err.__cause__, OSError)
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["go.mod"]


@pytest.mark.parametrize("failing", ["write", "fsync", "replace", "chmod"])
def test_keyboard_interrupt_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "x.zip"
    target.write_bytes(b"old")
    target.chmod(0o640)  # so chmod is called

    def interrupt(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, failing, interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"a" * 100_000)
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["x.zip"]


def test_permission_denied_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.open

    def denied(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real(path, flags, mode)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(FileWriteError, match=r"^writing .*/f: permission denied$") as info:
        write_atomic(tmp_path / "f", b"x")
    assert info.value.errno == errno.EACCES
    assert names(tmp_path) == []


def test_path_under_a_regular_file(tmp_path: Path) -> None:
    """ENOTDIR: unwritable even for root."""
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "sub" / "f"
    with pytest.raises(FileWriteError) as info:
        write_atomic(target, b"x")
    assert str(info.value) == f"writing {target}: not a directory"
    assert info.value.errno == errno.ENOTDIR


def test_parents_false_needs_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "no" / "x"
    with pytest.raises(FileWriteError, match=r"no such file or directory$"):
        write_atomic(target, b"x", parents=False)
    assert not (tmp_path / "no").exists()


def test_rename_onto_a_directory(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "inside").write_text("x")
    with pytest.raises(FileWriteError, match=r"^writing .*/d: "):
        write_atomic(tmp_path / "d", b"x")
    assert names(tmp_path) == ["d"]


# -- permissions ------------------------------------------------------------------------------


def mode_of(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_new_file_gets_0666_less_umask(tmp_path: Path, umask_027: None) -> None:
    write_atomic(tmp_path / "new", b"x")
    assert mode_of(tmp_path / "new") == 0o640


def test_existing_mode_is_kept(tmp_path: Path, umask_027: None) -> None:
    target = tmp_path / "go.mod"
    target.write_bytes(b"old")
    target.chmod(0o604)
    write_atomic(target, b"new")
    assert mode_of(target) == 0o604
    target.chmod(0o444)  # read-only: replaced all the same, still read-only
    write_atomic(target, b"newer")
    assert mode_of(target) == 0o444 and target.read_bytes() == b"newer"


def test_setuid_bits_are_not_copied(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"old")
    target.chmod(0o4755)
    write_atomic(target, b"new")
    assert mode_of(target) == 0o755


def test_explicit_mode_is_applied(tmp_path: Path, umask_027: None) -> None:
    target = tmp_path / "f"
    write_atomic(target, b"x", mode=0o644)  # not masked by the umask
    assert mode_of(target) == 0o644
    target.chmod(0o666)
    write_atomic(target, b"y", mode=0o600)
    assert mode_of(target) == 0o600


# -- durability -------------------------------------------------------------------------------


def test_durable_fsyncs_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1]
    )
    write_atomic(tmp_path / "list", b"v1.0.0\n")
    assert events == ["fsync", "replace"]
    events.clear()
    write_atomic(tmp_path / "v1.0.0.mod", b"module m\n", durable=False)
    assert events == ["replace"]


def test_fsync_dir_is_best_effort(tmp_path: Path) -> None:
    fsio.fsync_dir(tmp_path)
    fsio.fsync_dir(tmp_path / "missing")  # no error


# -- staged -------------------------------------------------------------------------------------


def test_staged_renames_after_the_block(tmp_path: Path) -> None:
    target = tmp_path / "v1.0.0.zip"
    with staged(target, b"zip") as tmp:
        assert tmp.parent == tmp_path
        # cmd/go's tempFile name, so go's clean-up glob <v>.zip*.tmp covers it
        assert re.fullmatch(r"v1\.0\.0\.zip\d+\.tmp", tmp.name)
        assert tmp.read_bytes() == b"zip" and not target.exists()
        write_atomic(tmp_path / "v1.0.0.ziphash", b"h1:x=")
    assert target.read_bytes() == b"zip"
    assert names(tmp_path) == ["v1.0.0.zip", "v1.0.0.ziphash"]


@pytest.mark.parametrize("exc", [KeyboardInterrupt, ValueError, OSError])
def test_staged_block_failure_removes_the_temp(tmp_path: Path, exc: type[BaseException]) -> None:
    target = tmp_path / "v1.0.0.zip"
    target.write_bytes(b"old")
    with pytest.raises(exc), staged(target, b"new"):
        raise exc()  # propagates unchanged: only the writer's own failures are converted
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["v1.0.0.zip"]


def test_temp_name_collisions_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = tmp_path / "f7.tmp"
    taken.write_bytes(b"someone else's")
    draws = iter([7, 7, 8])
    monkeypatch.setattr(fsio.random, "randrange", lambda n: next(draws))
    write_atomic(tmp_path / "f", b"mine")
    assert taken.read_bytes() == b"someone else's"
    assert (tmp_path / "f").read_bytes() == b"mine"


# -- error wording ------------------------------------------------------------------------------


def test_writing_converts_and_relabels(tmp_path: Path) -> None:
    with pytest.raises(FileWriteError) as info, writing(tmp_path / "state", "creating backup in"):
        raise PermissionError(errno.EACCES, "Permission denied", "/elsewhere")
    assert str(info.value) == f"creating backup in {tmp_path / 'state'}: permission denied"
    (tmp_path / "file").write_text("")
    with pytest.raises(FileWriteError) as info, writing("/backups", "creating backup in"):
        write_atomic(tmp_path / "file" / "x", b"")  # the outer block names the operation
    assert str(info.value) == "creating backup in /backups: not a directory"
    assert info.value.errno == errno.ENOTDIR
    with pytest.raises(ValueError), writing(tmp_path):
        raise ValueError("not an OS error")


def test_os_reason_is_go_lower_case() -> None:
    assert os_reason(OSError(errno.EROFS, "Read-only file system")) == "read-only file system"
    assert os_reason(FileNotFoundError(2, "No such file or directory", "x")) == (
        "no such file or directory"
    )
    assert os_reason(OSError("Odd")) == "odd"


# -- FileUpdate: a user's file, changed only the ways go's in-place write changes it ---------


def temps_in(d: Path) -> list[str]:
    return [p.name for p in d.iterdir() if p.name.endswith(".tmp")]


def update(path: Path, data: bytes | None) -> fsio.FileUpdate:
    with fsio.FileUpdate(path) as up:
        up.stage(data)
        up.commit()
    return up


def test_update_replaces_by_rename_with_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "go.mod"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    ino = target.stat().st_ino
    up = update(target, b"new\n")
    assert not up.in_place and up.old == b"old\n"
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != ino  # renamed: readers never see half
    assert temps_in(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")
def test_update_keeps_owner_and_group(tmp_path: Path) -> None:
    target = tmp_path / "go.sum"
    target.write_bytes(b"old\n")
    os.chown(target, 65534, 65533)
    update(target, b"new\n")
    assert (target.stat().st_uid, target.stat().st_gid) == (65534, 65533)


def test_update_writes_through_symlinks(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "shared.mod"
    real.write_bytes(b"old\n")
    link = tmp_path / "go.mod"
    link.symlink_to("real/shared.mod")
    update(link, b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"
    assert temps_in(tmp_path / "real") == [] and temps_in(tmp_path) == []


@pytest.mark.parametrize("new", [b"a much longer text than before\n", b"o\n", b""])
def test_update_in_place_for_hard_links(tmp_path: Path, new: bytes) -> None:
    target = tmp_path / "go.mod"
    target.write_bytes(b"old text\n")
    os.link(target, tmp_path / "other")
    up = update(target, new)
    assert up.in_place
    assert (tmp_path / "other").read_bytes() == new == target.read_bytes()


def test_update_in_place_when_the_directory_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory the user cannot write (EACCES for the temporary file): in place."""
    target = tmp_path / "go.mod"
    target.write_bytes(b"old\n")
    ino = target.stat().st_ino
    real_open = os.open

    def refuse(path: str, flags: int, *args: int) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    up = update(target, b"a longer new text\n")
    assert up.in_place and target.stat().st_ino == ino
    assert target.read_bytes() == b"a longer new text\n"


def test_update_in_place_when_the_owner_cannot_be_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not root, and the file belongs to someone else: a renamed copy would be ours, so
    the update is made in place (as go makes it)."""
    target = tmp_path / "go.mod"
    target.write_bytes(b"old\n")
    st = target.stat()
    real_fstat = os.fstat
    theirs = st.st_ino

    def fstat(fd: int) -> os.stat_result:
        s = real_fstat(fd)
        if s.st_ino == theirs:
            fields = list(s)
            fields[4] = s.st_uid + 4242  # st_uid
            return os.stat_result(fields)
        return s

    def eperm(fd: int, uid: int, gid: int) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(os, "fchown", eperm)
    up = update(target, b"new text\n")
    assert up.in_place and target.stat().st_ino == theirs
    assert target.read_bytes() == b"new text\n"
    assert temps_in(tmp_path) == []


def test_update_not_committed_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "go.mod"
    target.write_bytes(b"old\n")
    with fsio.FileUpdate(target) as up:
        up.stage(b"new\n")
    assert target.read_bytes() == b"old\n" and temps_in(tmp_path) == []
    os.link(target, tmp_path / "other")  # in place: the staged tail is cut off again
    with fsio.FileUpdate(target) as up:
        up.stage(b"a longer new text\n")
        assert up.in_place and target.read_bytes() == b"old\nnger new text\n"
    assert target.read_bytes() == b"old\n"


def test_update_removes(tmp_path: Path) -> None:
    target = tmp_path / "go.sum"
    target.write_bytes(b"x\n")
    update(target, None)
    assert not target.exists()
    update(target, None)  # nothing to remove: fine


def test_update_errors_name_go_syscalls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``OP PATH: REASON`` with go's syscall names and the path as given (not resolved)."""
    (tmp_path / "file").write_text("")
    with pytest.raises(FileWriteError) as info:
        fsio.FileUpdate(tmp_path / "file" / "go.sum")
    assert str(info.value) == f"open {tmp_path / 'file' / 'go.sum'}: not a directory"
    target = tmp_path / "go.mod"
    target.write_bytes(b"old\n")

    def denied(path: str, flags: int, *args: int) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(FileWriteError) as info:
        fsio.FileUpdate(target)
    assert str(info.value) == f"open {target}: permission denied"


def test_remove_stale_temps(tmp_path: Path) -> None:
    for name in ("go.mod123.tmp", "go.mod9.tmp", "go.sum1.tmp", "go.mod.tmp", "go.modx1.tmp"):
        (tmp_path / name).write_text("")
    removed = fsio.remove_stale_temps(tmp_path / "go.mod")
    assert sorted(p.name for p in removed) == ["go.mod123.tmp", "go.mod9.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "go.mod.tmp",
        "go.modx1.tmp",
        "go.sum1.tmp",
    ]


def test_flocked_directory(tmp_path: Path) -> None:
    with fsio.flocked(tmp_path) as fd:
        assert fd >= 0
    assert list(tmp_path.iterdir()) == []  # no lock file
