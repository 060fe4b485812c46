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
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import stat
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import FileWriteError

__all__ = [
    "fsync_dir",
    "os_reason",
    "staged",
    "write_atomic",
    "writing",
]

_O_BINARY: int = getattr(os, "O_BINARY", 0)


def os_reason(exc: OSError) -> str:
    """The errno text as Go spells it, in lower case (``no such file or directory``)."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


@contextlib.contextmanager
def writing(path: str | os.PathLike[str], op: str = "writing") -> Iterator[None]:
    """Report a failed write inside the block as ``OP PATH: REASON``.

    An ``OSError`` becomes a :class:`FileWriteError`; a :class:`FileWriteError` from a
    nested write is relabelled (keeping its reason), so the outermost block names what the
    user asked for: ``creating undo backup in /x/y: permission denied``.
    """
    try:
        yield
    except FileWriteError as exc:
        raise FileWriteError(op, os.fspath(path), exc.reason, exc.errno) from exc
    except OSError as exc:
        raise FileWriteError(op, os.fspath(path), os_reason(exc), exc.errno) from exc


def write_atomic(
    target: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int | None = None,
    durable: bool = True,
    parents: bool = True,
) -> None:
    """Replace ``target`` with ``data`` atomically (see the module docstring).

    ``parents`` creates missing parent directories (``0o777`` less the umask, like go's
    ``os.MkdirAll``). Raises :class:`FileWriteError`; nothing is left behind then.
    """
    with staged(target, data, mode=mode, durable=durable, parents=parents):
        pass


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
        tmp = _write_temp(path, data, mode, durable, parents)
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


def _write_temp(target: Path, data: bytes, mode: int | None, durable: bool, parents: bool) -> Path:
    """A new ``<target><digits>.tmp`` holding ``data`` (cmd/go's ``tempFile``)."""
    if parents:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file where the directory should be: os.MkdirAll's ENOTDIR
            raise NotADirectoryError(
                errno.ENOTDIR, os.strerror(errno.ENOTDIR), os.fspath(target.parent)
            ) from None
    if mode is None:
        with contextlib.suppress(OSError):  # absent (or unreadable: the write will say)
            mode = stat.S_IMODE(os.stat(target).st_mode) & 0o777
    for _ in range(10_000):
        tmp = target.with_name(f"{target.name}{random.randrange(1_000_000_000)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except FileExistsError:
            continue
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
