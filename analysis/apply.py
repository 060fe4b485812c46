"""Applying a :class:`~analysis.plan.Plan` to go.mod and go.sum, and undoing it.

::

    plan = await plan_get(dir, source, "example.com/m@v1.2.0")
    result = apply_plan(plan)          # go.mod and go.sum rewritten, a backup kept
    undo(dir)                          # both files back, byte for byte
    recover(dir)                       # an apply or undo that was killed: finished or undone

Safety rules:

* **No lost edits.** A plan remembers the exact bytes of go.mod and go.sum it was computed
  from. If either file differs on disk when the plan is applied, :func:`apply_plan` refuses
  (:class:`StaleFiles`) and names the file: preview again.
* **go's refusals.** go.mod and go.sum are opened for writing first, as ``go get`` opens
  them, so a read-only go.mod (or go.sum, when it must change) is refused in go's words —
  ``go: updating go.mod: open /x/go.mod: permission denied`` — before anything is written,
  the backup included.
* **The files stay the user's.** :class:`~analysis.fsio.FileUpdate` writes under go's
  ``flock`` on the file, keeps its owner, group, mode and hard links, and writes through a
  symlink, as go's in-place write does: by an fsynced rename when that keeps all of it (a
  reader sees the old file or the new, never half), else in place like go — so a writable
  go.mod in a directory the user cannot write is updated, as ``go get`` updates it.
* **Backup first.** Before anything is written, the original bytes (and whether go.sum
  existed) are saved, fsynced, under gomodx's state directory. :func:`undo` restores the
  most recent backup for a directory byte for byte — but only if the files are still
  what the apply wrote (otherwise :class:`StaleFiles`, unless ``force``).
* **All or nothing, even when killed.** Before go.mod or go.sum changes, a journal — the
  files and their bytes before and after — is fsynced beside the backups. Both files are
  staged before either is committed, so a full disk shows before anything is overwritten.
  A write that fails (EACCES, EROFS, ENOSPC, ... — or an interrupt) puts back what was
  already written and drops the backup, then raises. A process killed in the middle leaves
  the journal, and :func:`recover` — run by :meth:`Session.open
  <analysis.session.Session.open>`, :func:`apply_plan` and :func:`undo` — completes the
  apply if both files were written and rolls it back otherwise (an interrupted undo is
  completed), and removes stray temporary files. A file changed by someone else since
  (neither the old bytes, the new, nor a mix of both as an in-place write leaves) is left
  as found, and the backup stays for ``undo``.
* **One line per failure.** go.mod and go.sum failures are
  :class:`~analysis.errors.GoUpdateError` in go's words (``go: updating go.sum: write
  /m/go.sum: no space left on device``); backup failures are
  :class:`~analysis.errors.FileWriteError` (``creating undo backup in /x/y: permission
  denied``).
* ``go get`` for real: :func:`apply_with_go` runs the go command instead (same backup and
  staleness check) and reports every way the result differs from the preview.

One gomodx process at a time changes a module's files and backups: each holds an
exclusive ``flock`` on the module's backup directory (``<backups>/<dir key>``) meanwhile.

go.sum gains the ``/go.mod`` hash lines of every go.mod ``go get`` reads that the final
module graph needs, and the zip hash lines of the modules it downloads that end up in the
build list (the argument's module and any module providing a prefix of its package path,
plus changed modules whose old version had a zip hash). Nothing is removed from go.sum —
``go get`` never trims it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import fsio
from analysis.errors import (
    FileWriteError,
    GoCommandError,
    GomodxError,
    GoUpdateError,
    NothingToUndo,
    PlanError,
    StaleFiles,
)
from analysis.journal import JOURNAL, default_backup_root, dir_key, journal_file, pending

if TYPE_CHECKING:
    from analysis.plan import Plan

__all__ = [
    "ApplyResult",
    "FileEdit",
    "FilesResult",
    "Recovery",
    "StaleFiles",
    "UndoResult",
    "apply_files",
    "apply_plan",
    "apply_with_go",
    "default_backup_root",
    "journal_file",
    "recover",
    "undo",
]


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did: which files it wrote and where the backup is.

    ``differences`` is empty unless the go command applied the plan (:func:`apply_with_go`)
    and its result differs from the preview; then each entry describes one difference.
    """

    main_dir: str
    gomod_written: bool
    gosum_written: bool
    backup: str = ""
    via_go: bool = False
    differences: tuple[str, ...] = ()
    go_stderr: str = ""

    @property
    def changed(self) -> bool:
        return self.gomod_written or self.gosum_written


@dataclass(frozen=True)
class UndoResult:
    """What :func:`undo` restored."""

    main_dir: str
    backup: str
    target: str
    gomod_restored: bool
    gosum_restored: bool
    gosum_removed: bool
    restored: tuple[str, ...] = ()
    """For a change across several files (:func:`apply_files`): the files given back their
    bytes, relative to ``main_dir``."""
    removed: tuple[str, ...] = ()
    """... and the files removed because they did not exist before."""


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` did about an apply or undo that was interrupted.

    ``outcome`` is ``"completed"`` or ``"rolled back"``; ``kept`` names files changed
    by someone else since, which were left as found (the backup stays for ``undo`` then).
    """

    main_dir: str
    op: str
    target: str
    outcome: str
    kept: tuple[str, ...] = ()
    temps_removed: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """One line for the user: what happened to their files."""
        what = f"an interrupted {'undo of' if self.op == 'undo' else 'apply of'}"
        text = f"{what} {_command(self.target)} in {self.main_dir} was {self.outcome}"
        if self.kept:
            names = " and ".join(self.kept)
            verb = "were" if len(self.kept) > 1 else "was"
            text += (
                f"; {names} {verb} changed since and left as found"
                f" (gomodx undo {self.main_dir} restores the files from before the apply)"
            )
        elif self.op == "apply" and self.outcome == "completed":
            text += f" (undo with: gomodx undo {self.main_dir})"
        return text


def _command(target: str) -> str:
    """What an apply ran, for messages: ``go get M@V``, or a whole command (``go work
    sync``) for a change across several files."""
    return target if target.startswith("go ") else f"go get {target}"


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _check_fresh(main_dir: Path, gomod: bytes | None, gosum: bytes | None, why: str) -> None:
    stale = []
    if _read(main_dir / "go.mod") != gomod:
        stale.append("go.mod")
    if _read(main_dir / "go.sum") != gosum:
        stale.append("go.sum")
    if stale:
        raise _stale(main_dir, stale, f"changed on disk since {why}")


def _stale(main_dir: Path, names: Sequence[str], what: str) -> StaleFiles:
    verb = "have" if len(names) > 1 else "has"
    return StaleFiles(f"{main_dir}: {' and '.join(names)} {verb} {what}", tuple(names))


# -- writing go.mod and go.sum ----------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    """One file an apply or undo changes: its bytes before and after (``None``: absent)."""

    name: str
    real: str  # the file written, symlinks resolved (where stray temporary files would be)
    old: bytes | None
    new: bytes | None

    @classmethod
    def of(cls, main_dir: Path, name: str, old: bytes | None, new: bytes | None) -> _Change:
        return cls(name, os.path.realpath(main_dir / name), old, new)

    def reversed(self) -> _Change:
        return _Change(self.name, self.real, self.new, self.old)


@contextlib.contextmanager
def _as_go(name: str) -> Iterator[None]:
    """Word a failed write of go.mod or go.sum as go does: ``go: updating go.mod: ...``."""
    try:
        yield
    except GoUpdateError:
        raise
    except FileWriteError as exc:
        raise GoUpdateError(name, exc.op, exc.path, exc.reason, exc.errno) from exc


def _restore(base: Path, entry: Path, ad: Path, target: str, changes: list[_Change]) -> None:
    """Undo's transaction: write ``changes`` (the backup's bytes) under the journal, all
    or nothing, then drop the backup ``entry`` it came from."""
    _preflight(ad, changes)
    if changes:
        _begin(base, "undo", entry, ad, target, changes)
        done: list[_Change] = []
        try:
            _update(ad, changes, done, "changed on disk during undo")
        except BaseException:
            if _put_back(ad, done):
                with contextlib.suppress(OSError, GomodxError):
                    _end(base)
            raise
    with fsio.writing(entry, "removing undo backup"):
        _drop_backup(entry)
    with contextlib.suppress(OSError, GomodxError):
        _end(base)  # if it stays, the next run finds the undo done


def _preflight(main_dir: Path, changes: Sequence[_Change]) -> None:
    """Open each file for writing as go would (and check a file to be removed can be):
    go's refusal, with nothing written yet."""
    for c in changes:
        with _as_go(c.name), fsio.FileUpdate(main_dir / c.name, durable=False) as up:
            if c.new is None:
                up.stage(None)  # only checks the directory


def _update(main_dir: Path, changes: Sequence[_Change], done: list[_Change], why: str) -> None:
    """Give each file its ``new`` bytes: each locked and checked to hold ``old``, all staged
    before any is committed. ``done`` gets each change once it is committed."""
    with contextlib.ExitStack() as stack:
        ups = []
        for c in changes:
            with _as_go(c.name):
                ups.append(stack.enter_context(fsio.FileUpdate(main_dir / c.name)))
        stale = [c.name for c, up in zip(changes, ups, strict=True) if up.old != c.old]
        if stale:
            raise _stale(main_dir, stale, why)
        for c, up in zip(changes, ups, strict=True):
            with _as_go(c.name):
                up.stage(c.new)
        for c, up in zip(changes, ups, strict=True):
            with _as_go(c.name):
                up.commit()
            done.append(c)


def _put_back(main_dir: Path, done: Sequence[_Change]) -> bool:
    """Best effort: undo the changes an interrupted write committed; whether all came back."""
    try:
        _update(main_dir, [c.reversed() for c in reversed(done)], [], "changed meanwhile")
    except (GomodxError, OSError):
        return False
    return True


@contextlib.contextmanager
def _locked(base: Path, op: str = "creating undo backup in") -> Iterator[None]:
    """Hold gomodx's lock for one module directory: one writer of its files and backups."""
    with contextlib.ExitStack() as stack:
        with fsio.writing(base, op):
            base.mkdir(parents=True, exist_ok=True)
            stack.enter_context(fsio.flocked(base))
        yield


# -- the journal ------------------------------------------------------------------------------


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError("file bytes must be base64 text")
    return base64.b64decode(text, validate=True)


def _begin(
    base: Path, op: str, entry: Path, main_dir: Path, target: str, changes: Sequence[_Change]
) -> None:
    """Make the intent durable before the first byte of go.mod or go.sum changes.

    Written in place, not renamed into place: a journal cut short (killed while writing
    it) does not parse, and then nothing else has happened yet — :func:`recover` drops
    it. So no temporary file can be left beside the backups."""
    doc = {
        "Op": op,
        "Dir": os.path.realpath(main_dir),
        "Entry": entry.name,
        "Target": target,
        "Files": [
            {"Name": c.name, "Path": c.real, "Old": _b64(c.old), "New": _b64(c.new)}
            for c in changes
        ],
    }
    label = "creating undo backup in" if op == "apply" else "writing undo journal in"
    data = (json.dumps(doc, indent=1) + "\n").encode()
    with fsio.writing(base, label):
        fd = os.open(base / JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(base / JOURNAL)
            raise
        fsio.fsync_dir(base)


def _end(base: Path) -> None:
    with fsio.writing(base / JOURNAL, "removing"), contextlib.suppress(FileNotFoundError):
        (base / JOURNAL).unlink()
    fsio.fsync_dir(base)


def _mixed(data: bytes, a: bytes, b: bytes) -> bool:
    """Whether ``data`` can be what an in-place write from ``a`` to ``b`` (or back) left
    when it stopped: every byte ``a``'s or ``b``'s at its offset, the length between."""
    if not min(len(a), len(b)) <= len(data) <= max(len(a), len(b)):
        return False
    for i, byte in enumerate(data):
        if not ((i < len(a) and a[i] == byte) or (i < len(b) and b[i] == byte)):
            return False
    return True


def _ours(current: bytes | None, c: _Change) -> bool:
    """Whether ``current`` is a state gomodx's writes can leave the file in."""
    if current == c.old or current == c.new:
        return True
    return current is not None and _mixed(current, c.old or b"", c.new or b"")


def recover(
    main_dir: str | os.PathLike[str], *, backup_root: Path | None = None
) -> Recovery | None:
    """Put right an apply or undo in ``main_dir`` that was interrupted (killed, a power
    cut): an apply that had written every file is completed, any other rolled back; an
    undo is completed; stray temporary files are removed. ``None`` when there was nothing
    to do — one ``stat`` of the journal, so every command can afford to call this first.

    Raises :class:`~analysis.errors.GomodxError` when the files cannot be put right (the
    journal then stays for the next run).
    """
    d = Path(os.path.abspath(main_dir))
    base = (backup_root or default_backup_root()) / dir_key(d)
    if not pending(d, backup_root):
        return None
    with _locked(base, "recovering an interrupted apply in"):
        return _recover_locked(base, d)


def _recover_locked(base: Path, main_dir: Path) -> Recovery | None:
    path = base / JOURNAL
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise GomodxError(f"reading {path}: {fsio.os_reason(exc)}") from None
    try:
        doc = json.loads(text)
    except ValueError:
        # Cut short while it was written, before anything else happened: void.
        _end(base)
        return None
    try:
        op = str(doc["Op"])
        entry = base / str(doc["Entry"])
        target = str(doc.get("Target", ""))
        changes = [
            _Change(str(f["Name"]), str(f["Path"]), _unb64(f["Old"]), _unb64(f["New"]))
            for f in doc["Files"]
        ]
        if op not in ("apply", "undo") or entry.parent != base:
            raise ValueError(f"unknown operation {op!r} on {entry.name!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise GomodxError(f"{path}: malformed journal ({exc}); move it away") from None
    temps = tuple(str(p) for c in changes for p in fsio.remove_stale_temps(c.real))
    fsio.remove_stale_temps(entry / "manifest.json")  # a manifest rewrite cut short
    current = {c.name: _read(main_dir / c.name) for c in changes}
    kept = tuple(c.name for c in changes if not _ours(current[c.name], c))
    with fsio.writing(entry, "finishing undo backup in"):
        if op == "apply" and all(current[c.name] == c.new for c in changes):
            outcome = "completed"
            _finish_entry(entry, main_dir)
        else:
            outcome = "rolled back" if op == "apply" else "completed"
            fixes = []
            for c in changes:
                goal = c.old if op == "apply" else c.new
                if c.name not in kept and current[c.name] != goal:
                    fixes.append(_Change(c.name, c.real, current[c.name], goal))
            try:
                _update(main_dir, fixes, [], "changed during recovery")
            except GomodxError as exc:
                verb = "roll back" if op == "apply" else "complete"
                raise GomodxError(
                    f"{main_dir}: cannot {verb} an interrupted {op} of {_command(target)}: {exc}"
                ) from exc
            if kept and (entry / "manifest.json").is_file():
                # The user's edit wins; undo can still bring back the files before the apply.
                _finish_entry(entry, main_dir)
            else:
                _drop_backup(entry)
    _end(base)
    return Recovery(str(main_dir), op, target, outcome, kept, temps)


# -- backups --------------------------------------------------------------------------------


def _new_entry(base: Path) -> Path:
    """A fresh backup entry name under ``base`` (the lock is held: nobody else adds one)."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    n = 0
    while (base / f"{stamp}-{n:03d}").exists():
        n += 1
    return base / f"{stamp}-{n:03d}"


def _save_backup(
    entry: Path,
    main_dir: Path,
    target: str,
    gomod_before: bytes,
    gosum_before: bytes | None,
    gomod_after: bytes | None,
    gosum_after: bytes | None,
) -> Path:
    """Write the original bytes and a manifest into ``entry``, durably, before anything
    changes.

    Raises :class:`~analysis.errors.FileWriteError` (``creating undo backup in DIR: ...``)
    and leaves no partial backup behind."""
    base = entry.parent
    with fsio.writing(base, "creating undo backup in"):
        entry.mkdir()
        try:
            fsio.write_atomic(entry / "go.mod", gomod_before)
            if gosum_before is not None:
                fsio.write_atomic(entry / "go.sum", gosum_before)
            manifest = {
                "Dir": os.path.realpath(main_dir),
                "Target": target,
                "GoModBefore": _digest(gomod_before),
                "GoSumBefore": _digest(gosum_before),
                "GoModAfter": _digest(gomod_after),
                "GoSumAfter": _digest(gosum_after),
                "Complete": False,
            }
            _write_manifest(entry, manifest)
        except BaseException:
            with contextlib.suppress(OSError):  # the first error is the one to report
                _drop_backup(entry)
            raise
        fsio.fsync_dir(base)
    return entry


def _write_manifest(entry: Path, manifest: Mapping[str, object]) -> None:
    fsio.write_atomic(entry / "manifest.json", (json.dumps(manifest, indent=1) + "\n").encode())
    fsio.fsync_dir(entry)


def _finish_backup(entry: Path, gomod_after: bytes | None, gosum_after: bytes | None) -> None:
    with fsio.writing(entry, "finishing undo backup in"):
        manifest = json.loads((entry / "manifest.json").read_text())
        manifest["GoModAfter"] = _digest(gomod_after)
        manifest["GoSumAfter"] = _digest(gosum_after)
        manifest["Complete"] = True
        _write_manifest(entry, manifest)


def _finish_entry(entry: Path, main_dir: Path) -> None:
    """Mark a backup complete with the files as they are now (a single module's go.mod
    and go.sum, or every file a multi-file change named)."""
    manifest = json.loads((entry / "manifest.json").read_text())
    if "Files" not in manifest:
        _finish_backup(entry, _read(main_dir / "go.mod"), _read(main_dir / "go.sum"))
        return
    with fsio.writing(entry, "finishing undo backup in"):
        for f in manifest["Files"]:
            f["After"] = _digest(_read(main_dir / f["Name"]))
        manifest["Complete"] = True
        _write_manifest(entry, manifest)


def _drop_backup(entry: Path) -> None:
    """Remove a backup entry; the manifest goes first, so a half-removed entry is no
    backup. Raises ``OSError`` for anything but an entry already gone."""
    with contextlib.suppress(FileNotFoundError):
        (entry / "manifest.json").unlink()
    try:
        names = os.listdir(entry)
    except FileNotFoundError:
        return
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            (entry / name).unlink()
    with contextlib.suppress(OSError):
        entry.rmdir()


def _latest_backup(root: Path, main_dir: Path) -> Path | None:
    base = root / dir_key(main_dir)
    try:
        entries = sorted(p for p in base.iterdir() if (p / "manifest.json").is_file())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise GomodxError(f"reading undo backups in {base}: {fsio.os_reason(exc)}") from None
    return entries[-1] if entries else None


# -- applying ---------------------------------------------------------------------------------


def apply_plan(plan: Plan, *, backup_root: Path | None = None) -> ApplyResult:
    """Write the plan's go.mod and go.sum into :attr:`Plan.main_dir`.

    Raises :class:`PlanError` for a refused plan and :class:`StaleFiles` when go.mod or
    go.sum changed since the plan read them, :class:`~analysis.errors.GoUpdateError` when
    go would not be able to write them either (nothing is written then), and
    :class:`~analysis.errors.FileWriteError` when the backup cannot be made.
    """
    if not plan.ok:
        raise PlanError(f"cannot apply a refused plan:\n{plan.error}")
    main_dir = Path(plan.main_dir)
    d = Path(os.path.abspath(main_dir))
    if plan.other_files:
        return _apply_with_others(plan, d, backup_root)
    why = "the plan read them"
    _check_fresh(main_dir, plan.gomod_before, plan.gosum_before, why)
    new_gomod = plan.gomod_after
    new_gosum = plan.gosum_after()
    write_mod = new_gomod != plan.gomod_before
    write_sum = new_gosum is not None and new_gosum != plan.gosum_before
    if not (write_mod or write_sum):
        return ApplyResult(str(main_dir), False, False)
    final_sum = new_gosum if write_sum else plan.gosum_before
    changes = []
    if write_mod:
        changes.append(_Change.of(d, "go.mod", plan.gomod_before, new_gomod))
    if write_sum:
        changes.append(_Change.of(d, "go.sum", plan.gosum_before, new_gosum))
    _preflight(d, changes)
    base = (backup_root or default_backup_root()) / dir_key(main_dir)
    with _locked(base):
        _recover_locked(base, d)
        _check_fresh(main_dir, plan.gomod_before, plan.gosum_before, why)
        entry = _new_entry(base)
        _begin(base, "apply", entry, d, plan.command, changes)
        done: list[_Change] = []
        try:
            _save_backup(
                entry,
                main_dir,
                plan.command,
                plan.gomod_before,
                plan.gosum_before,
                new_gomod,
                final_sum,
            )
            # Check again right before writing: the backup took a moment.
            _check_fresh(main_dir, plan.gomod_before, plan.gosum_before, why)
            _update(d, changes, done, f"changed on disk since {why}")
            _finish_backup(entry, new_gomod, final_sum)
        except BaseException:
            # All or nothing. When what was written cannot be put back, the journal and
            # the backup stay: the next run (or undo) rolls the apply back.
            if _put_back(d, done):
                with contextlib.suppress(OSError, GomodxError):
                    _drop_backup(entry)
                    _end(base)
            raise
        with contextlib.suppress(OSError, GomodxError):
            _end(base)  # if it stays, the next run finds both files written: complete
    return ApplyResult(str(main_dir), write_mod, write_sum, str(entry))


def _apply_with_others(plan: Plan, d: Path, backup_root: Path | None) -> ApplyResult:
    """A plan that also rewrites other files (go.work, in a workspace): every file in one
    transaction (:func:`apply_files`, rooted at the module directory, so :func:`undo`
    there puts every file back)."""
    new_sum = plan.gosum_after()
    edits = [FileEdit("go.mod", plan.gomod_before, plan.gomod_after)]
    if new_sum is not None:
        edits.append(FileEdit("go.sum", plan.gosum_before, new_sum))
    edits += [FileEdit(name, old, new) for name, old, new in plan.other_files]
    result = apply_files(d, edits, target=plan.target.raw, backup_root=backup_root)
    return ApplyResult(
        str(plan.main_dir),
        "go.mod" in result.written,
        "go.sum" in result.written,
        result.backup,
    )


def apply_with_go(
    plan: Plan,
    go: str,
    *,
    env: Mapping[str, str] | None = None,
    backup_root: Path | None = None,
    timeout: float = 600,
) -> ApplyResult:
    """Run the real ``go get TARGET`` in the plan's directory and compare with the preview.

    The same staleness check and backup as :func:`apply_plan` come first. The result's
    ``differences`` lists every way go's go.mod, go.sum or verdict differs from the plan.
    Raises :class:`~analysis.errors.GoCommandError` when go cannot be run.
    """
    main_dir = Path(plan.main_dir)
    _check_fresh(main_dir, plan.gomod_before, plan.gosum_before, "the plan read them")
    base = (backup_root or default_backup_root()) / dir_key(main_dir)
    with _locked(base):
        _recover_locked(base, Path(os.path.abspath(main_dir)))
        _check_fresh(main_dir, plan.gomod_before, plan.gosum_before, "the plan read them")
        entry = _save_backup(
            _new_entry(base),
            main_dir,
            plan.command,
            plan.gomod_before,
            plan.gosum_before,
            None,
            None,
        )
    try:
        proc = subprocess.run(
            [go, "get", *plan.arguments],
            cwd=main_dir,
            env=dict(env) if env is not None else None,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise GoCommandError(f"running go get: {exc}") from exc
    gomod = _read(main_dir / "go.mod")
    gosum = _read(main_dir / "go.sum")
    _finish_backup(entry, gomod, gosum)
    differences: list[str] = []
    if (proc.returncode == 0) != plan.ok:
        verdict = "succeeded" if proc.returncode == 0 else "refused"
        differences.append(f"go {verdict} but the preview {'did not' if plan.ok else 'did'}")
    if gomod != plan.gomod_after:
        differences.append("go.mod differs from the preview")
    expected_sum = plan.gosum_after() if plan.ok else plan.gosum_before
    if gosum != expected_sum:
        differences.append("go.sum differs from the preview")
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("go: downloading ")]
    want = [line for w in plan.warnings for line in w.splitlines()] + plan.go_lines()
    if lines != want:
        differences.append("go's messages differ from the preview")
    written_mod = gomod != plan.gomod_before
    written_sum = gosum != plan.gosum_before
    if not (written_mod or written_sum):
        # Nothing changed on disk: the backup is not needed.
        _drop_backup(entry)
        backup = ""
    else:
        backup = str(entry)
    return ApplyResult(
        str(main_dir),
        written_mod,
        written_sum,
        backup,
        via_go=True,
        differences=tuple(differences),
        go_stderr="\n".join(lines),
    )


# -- undo -------------------------------------------------------------------------------------


def undo(
    main_dir: str | os.PathLike[str], *, backup_root: Path | None = None, force: bool = False
) -> UndoResult:
    """Restore go.mod and go.sum from the most recent apply in ``main_dir``.

    Refuses (:class:`StaleFiles`) when the files are no longer what that apply wrote,
    unless ``force``. Raises :class:`GomodxError` when there is nothing to undo. Each undo
    consumes its backup, so repeated calls walk back through earlier applies. All or
    nothing, like :func:`apply_plan`: a failed undo changes nothing and keeps its backup.
    """
    d = Path(main_dir)
    ad = Path(os.path.abspath(d))
    root = backup_root or default_backup_root()
    base = root / dir_key(d)
    if _latest_backup(root, d) is None and not os.path.lexists(base / JOURNAL):
        raise NothingToUndo(f"{d}: nothing to undo")
    with _locked(base, "undoing in"):
        _recover_locked(base, ad)
        entry = _latest_backup(root, d)
        if entry is None:
            raise NothingToUndo(f"{d}: nothing to undo")
        return _undo_locked(base, entry, d, ad, force)


def _undo_locked(base: Path, entry: Path, d: Path, ad: Path, force: bool) -> UndoResult:
    manifest = json.loads((entry / "manifest.json").read_text())
    if "Files" in manifest:
        return _undo_files_locked(base, entry, manifest, d, ad, force)
    gomod_before = _read(entry / "go.mod")
    if gomod_before is None:
        raise GomodxError(f"{entry}: backup is incomplete (no go.mod)")
    gosum_before = _read(entry / "go.sum")
    if _digest(gomod_before) != manifest.get("GoModBefore") or _digest(
        gosum_before
    ) != manifest.get("GoSumBefore"):
        raise GomodxError(f"{entry}: backup does not match its manifest; not restoring")
    target = str(manifest.get("Target", ""))
    current_mod = _read(d / "go.mod")
    current_sum = _read(d / "go.sum")
    if not force and manifest.get("Complete"):
        stale = []
        if _digest(current_mod) != manifest.get("GoModAfter"):
            stale.append("go.mod")
        if _digest(current_sum) != manifest.get("GoSumAfter"):
            stale.append("go.sum")
        if stale:
            raise _stale(
                d,
                stale,
                f"changed since gomodx applied {target or 'the plan'}; use --force to"
                " restore anyway",
            )
    changes = []
    if current_mod != gomod_before:
        changes.append(_Change.of(ad, "go.mod", current_mod, gomod_before))
    if current_sum != gosum_before:
        changes.append(_Change.of(ad, "go.sum", current_sum, gosum_before))
    _restore(base, entry, ad, target, changes)
    restored = {c.name: c for c in changes}
    mod_restored = "go.mod" in restored
    sum_removed = "go.sum" in restored and gosum_before is None
    sum_restored = "go.sum" in restored and gosum_before is not None
    return UndoResult(str(d), str(entry), target, mod_restored, sum_restored, sum_removed)


# -- changes across several files -------------------------------------------------------------


@dataclass(frozen=True)
class FileEdit:
    """One file of a change across several files (``go work sync`` rewrites the go.mod
    and go.sum of every module of a workspace, and go.work): its path relative to the
    change's root and its bytes before and after (``None``: absent)."""

    name: str
    old: bytes | None
    new: bytes | None


@dataclass(frozen=True)
class FilesResult:
    """What :func:`apply_files` wrote (names relative to ``root``) and where the backup is."""

    root: str
    written: tuple[str, ...]
    backup: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.written)


def _check_fresh_files(root: Path, edits: Sequence[FileEdit], why: str) -> None:
    stale = [e.name for e in edits if _read(root / e.name) != e.old]
    if stale:
        raise _stale(root, stale, f"changed on disk since {why}")


def _save_files_backup(entry: Path, root: Path, target: str, edits: Sequence[FileEdit]) -> None:
    """The files' bytes before, and a manifest naming them, durably in ``entry``; like
    :func:`_save_backup`, nothing is left behind when this fails."""
    base = entry.parent
    with fsio.writing(base, "creating undo backup in"):
        entry.mkdir()
        try:
            files = []
            for i, e in enumerate(edits):
                store = None
                if e.old is not None:
                    store = f"file{i:03d}"
                    fsio.write_atomic(entry / store, e.old)
                files.append(
                    {
                        "Name": e.name,
                        "Store": store,
                        "Before": _digest(e.old),
                        "After": _digest(e.new),
                    }
                )
            manifest = {
                "Dir": os.path.realpath(root),
                "Target": target,
                "Files": files,
                "Complete": False,
            }
            _write_manifest(entry, manifest)
        except BaseException:
            with contextlib.suppress(OSError):
                _drop_backup(entry)
            raise
        fsio.fsync_dir(base)


def apply_files(
    root: str | os.PathLike[str],
    edits: Sequence[FileEdit],
    *,
    target: str,
    backup_root: Path | None = None,
) -> FilesResult:
    """Give several files under ``root`` their new bytes as one change: all or nothing,
    with the same rules as :func:`apply_plan` — each file checked to still hold the bytes
    the preview read (:class:`StaleFiles` names the ones that do not), go's refusal for a
    file go could not write either, a backup of every file first, one journal for all of
    them (:func:`recover` completes or rolls back a change that was killed), and
    :func:`undo` of ``root`` restoring every file at once. ``target`` says what ran
    (``go work sync``). Edits whose bytes do not change are skipped."""
    d = Path(os.path.abspath(root))
    edits = [e for e in edits if e.old != e.new]
    why = "the preview read them"
    _check_fresh_files(d, edits, why)
    if not edits:
        return FilesResult(str(root), ())
    changes = [_Change.of(d, e.name, e.old, e.new) for e in edits]
    _preflight(d, changes)
    base = (backup_root or default_backup_root()) / dir_key(d)
    with _locked(base):
        _recover_locked(base, d)
        _check_fresh_files(d, edits, why)
        entry = _new_entry(base)
        _begin(base, "apply", entry, d, target, changes)
        done: list[_Change] = []
        try:
            _save_files_backup(entry, d, target, edits)
            _check_fresh_files(d, edits, why)
            _update(d, changes, done, f"changed on disk since {why}")
            _finish_entry(entry, d)
        except BaseException:
            if _put_back(d, done):
                with contextlib.suppress(OSError, GomodxError):
                    _drop_backup(entry)
                    _end(base)
            raise
        with contextlib.suppress(OSError, GomodxError):
            _end(base)
    return FilesResult(str(root), tuple(e.name for e in edits), str(entry))


def _undo_files_locked(
    base: Path, entry: Path, manifest: Mapping[str, object], d: Path, ad: Path, force: bool
) -> UndoResult:
    """:func:`undo` of a change :func:`apply_files` made: every file back at once."""
    target = str(manifest.get("Target", ""))
    files = manifest.get("Files")
    if not isinstance(files, list):
        raise GomodxError(f"{entry}: malformed backup manifest; not restoring")
    befores: list[tuple[str, bytes | None]] = []
    stale: list[str] = []
    for f in files:
        name = str(f["Name"])
        store = f.get("Store")
        before = None if store is None else _read(entry / str(store))
        if _digest(before) != f.get("Before"):
            raise GomodxError(f"{entry}: backup does not match its manifest; not restoring")
        if not force and manifest.get("Complete") and _digest(_read(ad / name)) != f.get("After"):
            stale.append(name)
        befores.append((name, before))
    if stale:
        raise _stale(
            d,
            stale,
            f"changed since gomodx applied {target or 'the change'}; use --force to restore anyway",
        )
    changes = []
    for name, before in befores:
        current = _read(ad / name)
        if current != before:
            changes.append(_Change.of(ad, name, current, before))
    _restore(base, entry, ad, target, changes)
    restored = tuple(c.name for c in changes if c.new is not None)
    removed = tuple(c.name for c in changes if c.new is None)
    return UndoResult(
        str(d),
        str(entry),
        target,
        "go.mod" in restored,
        "go.sum" in restored,
        "go.sum" in removed,
        restored,
        removed,
    )
