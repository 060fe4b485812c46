"""Writing files so that no reader ever sees half of one: gomodx's one atomic writer.

::

    write_atomic(target, data)              # temp file beside target, fsynced, renamed over it
    with staged(target, data) as tmp:       # the same, with more work before the rename
        ...
    with writing(path, "creating undo backup in"):
        path.mkdir(...)                     # an OSError becomes a FileWriteError

The bytes go to a temporary file in ``target``'s own directory, named as cmd/go names its
temporary files (``<name><random digits>.tmp``, created exclusively, ``tempFile`` in
``modfetch/fetch.go``), so go's clean-up of stale ``<v>.zip*.tmp`` files in its module cache
covers gomodx's too. With ``durable`` (the default) the file is fsynced before it is
renamed over ``target`` (``os.replace`` is atomic within a file system): a reader sees the
old file, the new one or none, and after a crash the new name never holds short bytes. The
directory is not fsynced — a crash may lose the rename itself; :func:`fsync_dir` is there
for callers that must keep it.

On any failure — an ``OSError`` or an interruption (``KeyboardInterrupt``, a cancelled
task) — the temporary file is removed and ``target`` is left as it was. OS errors
(EACCES, EROFS, ENOSPC, ENOTDIR, ...) are raised as
:class:`~analysis.errors.FileWriteError`, one line naming the path and the reason in
lower case as Go words it: ``writing /x/go.mod: permission denied``.

Permissions: ``mode=None`` gives what writing the file in place would give — the permission
bits of an existing ``target``, else a new file's ``0o666`` less the umask (as ``open`` and
Go's ``os.WriteFile`` create files). An explicit ``mode`` is applied exactly.

A user's own files — go.mod and go.sum — are updated with :class:`FileUpdate` instead,
which changes them only the ways the go command's in-place write would: see its docstring.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from analysis.errors import FileWriteError

__all__ = [
    "FileUpdate",
    "flocked",
    "fsync_dir",
    "os_reason",
    "remove_stale_temps",
    "staged",
    "write_atomic",
    "writing",
]

_O_BINARY: int = getattr(os, "O_BINARY", 0)
_O_CLOEXEC: int = getattr(os, "O_CLOEXEC", 0)


def os_reason(exc: OSError) -> str:
    """The errno text as Go spells it, in lower case (``no such file or directory``)."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


class writing:
    """Report a failed write inside the block as ``OP PATH: REASON``.

    An ``OSError`` becomes a :class:`FileWriteError`; a :class:`FileWriteError` from a
    nested write is relabelled (keeping its reason), so the outermost block names what the
    user asked for: ``creating undo backup in /x/y: permission denied``. (A class, not a
    generator: a download enters thousands of these.)
    """

    __slots__ = ("op", "path")

    def __init__(self, path: str | os.PathLike[str], op: str = "writing") -> None:
        self.path = path
        self.op = op

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, FileWriteError):
            raise FileWriteError(self.op, os.fspath(self.path), exc.reason, exc.errno) from exc
        if isinstance(exc, OSError):
            raise FileWriteError(self.op, os.fspath(self.path), os_reason(exc), exc.errno) from exc


_DIRS: set[str] = set()
"""Directories this process made or found, whose ``mkdir`` is skipped (a write that then
finds one gone makes it again)."""


def ensure_dir(path: str) -> None:
    """``os.MkdirAll``: ``path`` and its parents (``0o777`` less the umask); a file where
    a directory should be is ``ENOTDIR``. Remembered: the next call costs nothing."""
    if path in _DIRS:
        return
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:  # a file where the directory should be: os.MkdirAll's ENOTDIR
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path) from None
    if os.path.isabs(path):  # a relative one would name another directory after a chdir
        _DIRS.add(path)


def forget_dir(path: str) -> bool:
    """Forget that ``path`` exists (it was found gone); whether it was remembered."""
    if path in _DIRS:
        _DIRS.discard(path)
        return True
    return False


def write_atomic(
    target: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int | None = None,
    durable: bool = True,
    parents: bool = True,
    keep_mode: bool = True,
) -> None:
    """Replace ``target`` with ``data`` atomically (see the module docstring).

    The new file has ``mode``, else the mode of the file it replaces (unless not
    ``keep_mode``: ``0o666`` less the umask, as go writes its module cache).
    ``parents`` creates missing parent directories (``0o777`` less the umask, like go's
    ``os.MkdirAll``). Raises :class:`FileWriteError`; nothing is left behind then.
    """
    path = os.fspath(target)
    with writing(path):
        tmp = _write_temp(path, data, mode, durable, parents, keep_mode)
        try:
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


@contextlib.contextmanager
def staged(
    target: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int | None = None,
    durable: bool = True,
    parents: bool = True,
) -> Iterator[Path]:
    """Write ``data`` to a temporary file beside ``target``, yield its path, and rename it
    over ``target`` when the block ends normally.

    For work that must happen between the two, as cmd/go's ``downloadZip`` writes the
    ``.ziphash`` while the zip waits in its temporary file. If the block raises (anything,
    ``KeyboardInterrupt`` included) the temporary file is removed, ``target`` is untouched,
    and the exception propagates unchanged. Failures of the write and of the rename raise
    :class:`FileWriteError`.
    """
    path = Path(target)
    with writing(path):
        tmp = Path(_write_temp(os.fspath(path), data, mode, durable, parents))
    renamed = False
    try:
        yield tmp
        with writing(path):
            os.replace(tmp, path)
        renamed = True
    finally:
        # Never after a rename: another writer may have created the same name since.
        if not renamed:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _write_temp(
    target: str,
    data: bytes,
    mode: int | None,
    durable: bool,
    parents: bool,
    keep_mode: bool = True,
) -> str:
    """A new ``<target><digits>.tmp`` holding ``data`` (cmd/go's ``tempFile``)."""
    parent = os.path.dirname(target)
    if parents:
        ensure_dir(parent or ".")
    if mode is None and keep_mode:
        with contextlib.suppress(OSError):  # absent (or unreadable: the write will say)
            mode = stat.S_IMODE(os.stat(target).st_mode) & 0o777
    for _ in range(10_000):
        tmp = f"{target}{random.randrange(1_000_000_000)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except FileExistsError:
            continue
        except FileNotFoundError:
            if parents and forget_dir(parent or "."):
                ensure_dir(parent or ".")  # removed since it was made: again
                continue
            raise
        try:
            try:
                if mode is not None:
                    os.chmod(tmp, mode)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return tmp
    raise FileExistsError(errno.EEXIST, "cannot create a temporary file", os.fspath(target))


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Make the renames and removals in directory ``path`` durable (best effort: some
    systems cannot fsync a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sync_filesystem(path: str | os.PathLike[str]) -> None:
    """Put on disk everything written to the file system that holds ``path`` (Linux's
    ``syncfs``; ``sync`` elsewhere). Best effort: for many files written without a
    ``fsync`` each, one flush at the end instead of one per file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        if sys.platform.startswith("linux"):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.syncfs(fd) == 0:
                return
        os.sync()
    except (OSError, AttributeError):
        pass
    finally:
        os.close(fd)


# -- locks ------------------------------------------------------------------------------------


def _flock(fd: int) -> None:
    """An exclusive ``flock`` on ``fd``, waiting for it (cmd/go's ``filelock.Lock``)."""
    if sys.platform != "win32":
        import fcntl

        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                return
            except InterruptedError:
                continue


@contextlib.contextmanager
def flocked(path: str | os.PathLike[str]) -> Iterator[int]:
    """Hold an exclusive ``flock`` on ``path`` — a file (created empty, ``0o666``, as
    cmd/go's ``lockedfile.MutexAt`` does) or a directory, locked through a read-only
    descriptor so that no lock file is needed. Yields the descriptor; ``OSError``
    propagates."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _O_CLOEXEC, 0o666)
    except IsADirectoryError:
        fd = os.open(path, os.O_RDONLY | _O_CLOEXEC)
    try:
        _flock(fd)
        yield fd
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# -- updating a user's file the way go does ---------------------------------------------------


_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
# A temporary file refused for these reasons can still be written in place.
_IN_PLACE_CAN = _FULL | {errno.EACCES, errno.EPERM}


class _NotHere(Exception):
    """Replacing by rename cannot keep the file what it was (or the directory refuses)."""


class FileUpdate:
    """Replace the bytes of one of the user's files — go.mod, go.sum — changing nothing
    else about it, the way the go command updates them, but atomically when that is
    possible.

    ::

        with FileUpdate(path) as up:    # opened for writing and locked, as lockedfile.Edit
            if up.old != expected: ...  # the bytes, read under the lock (None: no file)
            up.stage(data)              # the new bytes, waiting (None: remove the file)
            up.commit()                 # now they are the file's

    cmd/go writes go.mod and go.sum in place (``lockedfile.Transform``): it opens the file
    read-write — so a read-only file is refused with ``open PATH: permission denied`` even
    in a writable directory, and a writable file is updated in a directory the user cannot
    write — takes an exclusive ``flock`` on it, and overwrites it, which keeps its owner,
    group, mode, hard links, and a symlink (the target changes). ``FileUpdate`` opens and
    locks the same way, then stages the new bytes in a temporary file beside the real
    (symlink-resolved) file, with its mode and — when running as root — its owner and group,
    fsynced, and :meth:`commit` renames it over the file: readers see the old bytes or the
    new, never half. Where a rename cannot keep the file what it was — the directory is not
    writable (or full), the owner or group cannot be given to the new file, the file has
    other hard links — the update is made in place as ``lockedfile.Transform`` makes it: a
    growing file's tail is written first by :meth:`stage` (so a full disk is found before
    anything is overwritten), the rest by :meth:`commit`, then truncated and fsynced; a
    failure there writes the old bytes back.

    A new file (``old`` is ``None``) is created by rename, as ``0o666`` less the umask and
    owned by the caller, as go creates it; the directory must be writable.

    Leaving the block without :meth:`commit` — an exception, an interrupt — removes the
    temporary file, cuts a staged tail off again, and releases the lock: the file is as it
    was. OS errors are :class:`~analysis.errors.FileWriteError` whose ``op`` is what failed
    in go's words (``open``, ``write``, ``truncate``, ``rename``, ``remove``) and whose path
    is ``path`` as given: ``open /x/go.mod: permission denied``.
    """

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.path = Path(path)
        """The file as named (its error messages use this name)."""
        self.real = Path(os.path.realpath(self.path))
        """The file the bytes go to: ``path`` with symlinks resolved."""
        self.durable = durable
        self.old: bytes | None = None
        """The file's bytes when it was locked; ``None`` when there is no such file."""
        self.in_place = False
        """Whether the update is (being) made in place rather than by rename."""
        self._fd = -1
        self._st: os.stat_result | None = None
        self._staged = False
        self._data: bytes | None = None
        self._tmp: Path | None = None
        self._tail = False
        self._committed = False
        try:
            self._fd = os.open(self.real, os.O_RDWR | _O_BINARY | _O_CLOEXEC)
        except FileNotFoundError:
            self._check_dir("open")
            return
        except OSError as exc:
            raise self._error("open", exc) from None
        try:
            _flock(self._fd)
            self._st = os.fstat(self._fd)
            chunks = []
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
            self.old = b"".join(chunks)
        except OSError as exc:
            os.close(self._fd)
            raise self._error("read", exc) from None
        except BaseException:
            os.close(self._fd)
            raise

    def __enter__(self) -> FileUpdate:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _error(self, op: str, exc: OSError) -> FileWriteError:
        return FileWriteError(op, os.fspath(self.path), os_reason(exc), exc.errno)

    def _check_dir(self, op: str) -> None:
        """Raise the error creating (or removing) the file's name in its directory would
        give: the real file's directory, or for ``remove`` the named one's (the name goes,
        a symlink's target stays)."""
        parent = (self.path if op == "remove" else self.real).parent
        try:
            st = os.stat(parent)
            if not stat.S_ISDIR(st.st_mode):
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
            if sys.platform != "win32" and os.statvfs(parent).f_flag & os.ST_RDONLY:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS))
            if not os.access(parent, os.W_OK | os.X_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        except OSError as exc:
            raise self._error(op, exc) from None

    # -- staging --------------------------------------------------------------------------

    def stage(self, data: bytes | None) -> None:
        """Get ``data`` ready to become the file's bytes (``None``: the file is to go)."""
        if self._staged:
            raise RuntimeError("FileUpdate.stage called twice")
        self._staged = True
        self._data = data
        if data is None:
            if self.old is not None:
                self._check_dir("remove")
            return
        if self._st is None or self._st.st_nlink <= 1:
            try:
                self._tmp = self._temp(data)
                return
            except _NotHere:
                pass
        self.in_place = True
        old = self.old or b""
        if len(data) > len(old):
            # As Transform does: the tail first, so a full disk shows before any overwrite.
            self._tail = True
            try:
                self._pwrite(data[len(old) :], len(old))
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, len(old))
                self._tail = False
                raise self._error("write", exc) from None

    def _temp(self, data: bytes) -> Path:
        """``<real><digits>.tmp`` holding ``data`` with the file's mode, owner and group."""
        target = self.real
        for _ in range(10_000):
            tmp = target.with_name(f"{target.name}{random.randrange(1_000_000_000)}.tmp")
            try:
                fd = os.open(
                    tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY | _O_CLOEXEC, 0o666
                )
            except FileExistsError:
                continue
            except OSError as exc:
                if self._st is not None and exc.errno in _IN_PLACE_CAN:
                    raise _NotHere from None  # in place needs none of that
                raise self._error("open", exc) from None
            try:
                try:
                    self._keep_identity(fd, tmp)
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                    if self.durable:
                        os.fsync(fd)
                finally:
                    os.close(fd)
            except BaseException as exc:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                if isinstance(exc, OSError) and self._st is not None and exc.errno in _FULL:
                    raise _NotHere from None  # in place may need less room
                if isinstance(exc, OSError):
                    raise self._error("write", exc) from None
                raise
            return tmp
        raise self._error("open", FileExistsError(errno.EEXIST, "cannot create a temporary file"))

    def _keep_identity(self, fd: int, tmp: Path) -> None:
        """Give the temporary file the old file's owner, group and mode (:class:`_NotHere`
        when it cannot have them)."""
        st = self._st
        if st is None:
            return
        mine = os.fstat(fd)
        if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):
            try:
                # Root may give any owner; others only a group they belong to.
                os.fchown(fd, st.st_uid, st.st_gid)
            except PermissionError:
                raise _NotHere from None
        os.chmod(tmp, stat.S_IMODE(st.st_mode))  # after chown, which drops set-id bits

    def _pwrite(self, data: bytes, offset: int) -> None:
        view = memoryview(data)
        while view:
            if sys.platform == "win32":  # no pwrite
                os.lseek(self._fd, offset, os.SEEK_SET)
                n = os.write(self._fd, view)
            else:
                n = os.pwrite(self._fd, view, offset)
            view = view[n:]
            offset += n

    # -- committing -----------------------------------------------------------------------

    def commit(self) -> None:
        """Make the staged bytes the file's (remove it for ``None``)."""
        if not self._staged or self._committed:
            raise RuntimeError("FileUpdate.commit needs one stage first")
        data = self._data
        if data is None:
            if self.old is not None:
                try:
                    os.unlink(self.path)
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise self._error("remove", exc) from None
                if self.durable:
                    fsync_dir(self.path.parent)
        elif self._tmp is not None:
            try:
                os.replace(self._tmp, self.real)
            except OSError as exc:
                raise self._error("rename", exc) from None
            self._tmp = None
            if self.durable:
                fsync_dir(self.real.parent)
        else:
            self._overwrite(data)
        self._committed = True

    def _overwrite(self, data: bytes) -> None:
        """The rest of ``lockedfile.Transform``: the head, then a shrinking file's end."""
        old = self.old or b""
        op = "write"
        try:
            self._pwrite(data[: len(old)] if len(data) >= len(old) else data, 0)
            if len(data) < len(old):
                op = "truncate"
                os.ftruncate(self._fd, len(data))
            if self.durable:
                op = "write"
                os.fsync(self._fd)
        except BaseException as exc:
            # Put the old bytes back before letting go of the file, as Transform does.
            with contextlib.suppress(OSError):
                self._pwrite(old, 0)
                os.ftruncate(self._fd, len(old))
                self._tail = False
            if isinstance(exc, OSError):
                raise self._error(op, exc) from None
            raise

    def close(self) -> None:
        """Release the file; an update not committed is undone (see the class docstring)."""
        if not self._committed:
            if self._tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self._tmp)
                self._tmp = None
            if self._tail and self._fd >= 0:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, len(self.old or b""))
                self._tail = False
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def remove_stale_temps(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the ``<name><digits>.tmp`` files an interrupted write of ``path`` left beside
    it (only its writers make such names); returns what was removed."""
    target = Path(path)
    pattern = re.compile(re.escape(target.name) + r"[0-9]+\.tmp")
    removed: list[Path] = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        if pattern.fullmatch(name):
            with contextlib.suppress(OSError):
                os.unlink(target.parent / name)
                removed.append(target.parent / name)
    return removed
