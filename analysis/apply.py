"""Applying a :class:`~analysis.plan.Plan` to go.mod and go.sum, and undoing it.

::

    plan = await plan_get(dir, source, "example.com/m@v1.2.0")
    result = apply_plan(plan)          # go.mod and go.sum rewritten, a backup kept
    undo(dir)                          # both files back, byte for byte

Safety rules:

* **No lost edits.** A plan remembers the exact bytes of go.mod and go.sum it was computed
  from. If either file differs on disk when the plan is applied, :func:`apply_plan` refuses
  (:class:`StaleFiles`) and names the file: preview again.
* **Atomic writes.** Each file is written to a temporary file in the same directory,
  flushed and fsynced, renamed over the original (keeping its permissions), and the
  directory is fsynced — a crash leaves the old file or the new one, never half of one.
* **Backup first.** Before anything is written, the original bytes (and whether go.sum
  existed) are saved, fsynced, under gomodx's state directory. :func:`undo` restores the
  most recent backup for a directory byte for byte — but only if the files are still
  what the apply wrote (otherwise :class:`StaleFiles`, unless ``force``).
* **All or nothing.** A write that fails (EACCES, EROFS, ENOSPC, ... — or an interrupt)
  puts back whatever the apply had already written and drops its backup, then raises;
  OS errors are :class:`~analysis.errors.FileWriteError`, one line naming the path:
  ``creating undo backup in /x/y: permission denied``, ``writing /m/go.sum: no space
  left on device``.
* ``go get`` for real: :func:`apply_with_go` runs the go command instead (same backup and
  staleness check) and reports every way the result differs from the preview.

go.sum gains the ``/go.mod`` hash lines of every go.mod ``go get`` reads that the final
module graph needs, and the zip hash lines of the modules it downloads that end up in the
build list (the argument's module and any module providing a prefix of its package path,
plus changed modules whose old version had a zip hash). Nothing is removed from go.sum —
``go get`` never trims it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis import fsio
from analysis.errors import GoCommandError, GomodxError, NothingToUndo, PlanError, StaleFiles
from analysis.plan import Plan

__all__ = [
    "ApplyResult",
    "UndoResult",
    "apply_plan",
    "apply_with_go",
    "default_backup_root",
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


def default_backup_root() -> Path:
    """Where backups live: ``$GOMODX_STATE/undo`` or the platform's user state directory."""
    override = os.environ.get("GOMODX_STATE")
    if override:
        return Path(override) / "undo"
    import platformdirs

    return Path(platformdirs.user_state_dir("gomodx", appauthor=False)) / "undo"


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _dir_key(main_dir: Path) -> str:
    return hashlib.sha256(os.fsencode(os.path.realpath(main_dir))).hexdigest()[:24]


def _write(target: Path, data: bytes) -> None:
    """Atomic, durable replacement of ``target`` keeping its permission bits."""
    fsio.write_atomic(target, data)
    fsio.fsync_dir(target.parent)


def _remove(target: Path) -> None:
    with fsio.writing(target, "removing"), contextlib.suppress(FileNotFoundError):
        target.unlink()
    fsio.fsync_dir(target.parent)


def _put_back(main_dir: Path, written: list[tuple[str, bytes | None]]) -> bool:
    """Best effort: restore files an interrupted apply wrote; whether all came back."""
    ok = True
    for name, before in reversed(written):
        try:
            if _read(main_dir / name) == before:
                continue  # the write never happened
            if before is None:
                _remove(main_dir / name)
            else:
                _write(main_dir / name, before)
        except (GomodxError, OSError):
            ok = False
    return ok


def _check_fresh(main_dir: Path, gomod: bytes | None, gosum: bytes | None, why: str) -> None:
    stale = []
    if _read(main_dir / "go.mod") != gomod:
        stale.append("go.mod")
    if _read(main_dir / "go.sum") != gosum:
        stale.append("go.sum")
    if stale:
        names = " and ".join(stale)
        verb = "have" if len(stale) > 1 else "has"
        raise StaleFiles(f"{main_dir}: {names} {verb} changed on disk since {why}", tuple(stale))


# -- backups --------------------------------------------------------------------------------


def _save_backup(
    root: Path,
    main_dir: Path,
    target: str,
    gomod_before: bytes,
    gosum_before: bytes | None,
    gomod_after: bytes | None,
    gosum_after: bytes | None,
) -> Path:
    """Write the original bytes and a manifest, durably, before anything changes.

    Raises :class:`~analysis.errors.FileWriteError` (``creating undo backup in DIR: ...``)
    and leaves no partial backup behind."""
    base = root / _dir_key(main_dir)
    with fsio.writing(base, "creating undo backup in"):
        base.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        n = 0
        while True:
            entry = base / f"{stamp}-{n:03d}"
            try:
                entry.mkdir()
                break
            except FileExistsError:
                n += 1
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


def _latest_backup(root: Path, main_dir: Path) -> Path | None:
    base = root / _dir_key(main_dir)
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
    go.sum changed since the plan read them (nothing is written then).
    """
    if not plan.ok:
        raise PlanError(f"cannot apply a refused plan:\n{plan.error}")
    main_dir = Path(plan.main_dir)
    _check_fresh(main_dir, plan.gomod_before, plan.gosum_before, "the plan read them")
    new_gomod = plan.gomod_after
    new_gosum = plan.gosum_after()
    write_mod = new_gomod != plan.gomod_before
    write_sum = new_gosum is not None and new_gosum != plan.gosum_before
    if not (write_mod or write_sum):
        return ApplyResult(str(main_dir), False, False)
    root = backup_root or default_backup_root()
    entry = _save_backup(
        root,
        main_dir,
        plan.target.raw,
        plan.gomod_before,
        plan.gosum_before,
        new_gomod,
        new_gosum if write_sum else plan.gosum_before,
    )
    written: list[tuple[str, bytes | None]] = []  # (file, its bytes before)
    try:
        # Check again right before writing: the backup took a moment.
        _check_fresh(main_dir, plan.gomod_before, plan.gosum_before, "the plan read them")
        if write_mod:
            written.append(("go.mod", plan.gomod_before))
            _write(main_dir / "go.mod", new_gomod)
        if write_sum:
            assert new_gosum is not None
            written.append(("go.sum", plan.gosum_before))
            _write(main_dir / "go.sum", new_gosum)
        _finish_backup(entry, new_gomod, new_gosum if write_sum else plan.gosum_before)
    except BaseException:
        # All or nothing. A backup that could not be put back stays for undo (its manifest
        # is incomplete, so undo restores it whatever the files hold now).
        if _put_back(main_dir, written):
            with contextlib.suppress(OSError):
                _drop_backup(entry)
        raise
    return ApplyResult(str(main_dir), write_mod, write_sum, str(entry))


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
    root = backup_root or default_backup_root()
    entry = _save_backup(
        root, main_dir, plan.target.raw, plan.gomod_before, plan.gosum_before, None, None
    )
    try:
        proc = subprocess.run(
            [go, "get", plan.target.raw],
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


def _drop_backup(entry: Path) -> None:
    for name in ("go.mod", "go.sum", "manifest.json"):
        with contextlib.suppress(FileNotFoundError):
            (entry / name).unlink()
    with contextlib.suppress(OSError):
        entry.rmdir()


# -- undo -------------------------------------------------------------------------------------


def undo(
    main_dir: str | os.PathLike[str], *, backup_root: Path | None = None, force: bool = False
) -> UndoResult:
    """Restore go.mod and go.sum from the most recent apply in ``main_dir``.

    Refuses (:class:`StaleFiles`) when the files are no longer what that apply wrote,
    unless ``force``. Raises :class:`GomodxError` when there is nothing to undo. Each undo
    consumes its backup, so repeated calls walk back through earlier applies.
    """
    d = Path(main_dir)
    root = backup_root or default_backup_root()
    entry = _latest_backup(root, d)
    if entry is None:
        raise NothingToUndo(f"{d}: nothing to undo")
    manifest = json.loads((entry / "manifest.json").read_text())
    gomod_before = _read(entry / "go.mod")
    if gomod_before is None:
        raise GomodxError(f"{entry}: backup is incomplete (no go.mod)")
    gosum_before = _read(entry / "go.sum")
    if _digest(gomod_before) != manifest.get("GoModBefore") or _digest(
        gosum_before
    ) != manifest.get("GoSumBefore"):
        raise GomodxError(f"{entry}: backup does not match its manifest; not restoring")
    current_mod = _read(d / "go.mod")
    current_sum = _read(d / "go.sum")
    if not force and manifest.get("Complete"):
        stale = []
        if _digest(current_mod) != manifest.get("GoModAfter"):
            stale.append("go.mod")
        if _digest(current_sum) != manifest.get("GoSumAfter"):
            stale.append("go.sum")
        if stale:
            names = " and ".join(stale)
            verb = "have" if len(stale) > 1 else "has"
            raise StaleFiles(
                f"{d}: {names} {verb} changed since gomodx applied"
                f" {manifest.get('Target', 'the plan')}; use --force to restore anyway",
                tuple(stale),
            )
    mod_restored = current_mod != gomod_before
    if mod_restored:
        _write(d / "go.mod", gomod_before)
    sum_restored = False
    sum_removed = False
    if gosum_before is None:
        if current_sum is not None:
            _remove(d / "go.sum")
            sum_removed = True
    elif current_sum != gosum_before:
        _write(d / "go.sum", gosum_before)
        sum_restored = True
    _drop_backup(entry)
    return UndoResult(
        str(d), str(entry), str(manifest.get("Target", "")), mod_restored, sum_restored, sum_removed
    )
