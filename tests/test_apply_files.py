"""One change across several files (``gomodx worksync``): all or nothing, with undo.

:func:`analysis.apply.apply_files` writes the go.mod and go.sum of several modules and the
go.work as one transaction. Random file sets (seeded: which files exist before, which are
created, which change) are applied, undone, refused when stale, and killed at every step
of an apply and of an undo — after the next run (:func:`recover`) every file is all old
or all new, never a mix, with no temporary file left.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from crashpoint import run_killed

from analysis.apply import FileEdit, apply_files, recover, undo
from analysis.errors import NothingToUndo, StaleFiles

DIRS = ["main", "w0", "w1", "main/sub0"]


def random_edits(seed: int) -> list[FileEdit]:
    """A workspace's files before and after a ``go work sync``-like change: some go.mod
    files change, some go.sum files appear or grow, go.work is rewritten."""
    rng = random.Random(seed)
    edits: list[FileEdit] = []
    for d in rng.sample(DIRS, rng.randint(1, len(DIRS))):
        old = f"module example.com/{d}\n\ngo 1.2{rng.randint(0, 3)}\n".encode()
        new = (
            old + f"\nrequire example.com/m{rng.randint(0, 9)} v1.0.{rng.randint(0, 9)}\n".encode()
        )
        edits.append(FileEdit(f"{d}/go.mod", old, new if rng.random() < 0.8 else old))
        r = rng.random()
        if r < 0.3:
            edits.append(FileEdit(f"{d}/go.sum", None, b"example.com/m1 v1.0.0/go.mod h1:x=\n"))
        elif r < 0.6:
            sums = b"example.com/m2 v1.0.0/go.mod h1:y=\n"
            edits.append(FileEdit(f"{d}/go.sum", sums, sums + b"example.com/m3 v1.0.0 h1:z=\n"))
    edits.append(FileEdit("go.work", b"go 1.21\n\nuse ./main\n", b"go 1.23\n\nuse ./main\n"))
    return edits


def write(root: Path, edits: list[FileEdit], which: str) -> None:
    for e in edits:
        path = root / e.name
        data = e.old if which == "old" else e.new
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(data)


def state(root: Path, edits: list[FileEdit]) -> str:
    """``old``, ``new``, or ``mixed``."""
    now = [(root / e.name).read_bytes() if (root / e.name).exists() else None for e in edits]
    if now == [e.old for e in edits]:
        return "old"
    if now == [e.new for e in edits]:
        return "new"
    return "mixed"


def temps(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*.tmp"))


@pytest.mark.parametrize("seed", range(6))
def test_apply_and_undo_every_file(tmp_path: Path, seed: int) -> None:
    edits = random_edits(seed)
    root, backups = tmp_path / "ws", tmp_path / "backups"
    write(root, edits, "old")
    result = apply_files(root, edits, target="go work sync", backup_root=backups)
    assert state(root, edits) == "new"
    assert sorted(result.written) == sorted(e.name for e in edits if e.old != e.new)
    back = undo(root, backup_root=backups)
    assert state(root, edits) == "old"
    assert back.target == "go work sync"
    assert sorted(back.restored + back.removed) == sorted(result.written)
    assert sorted(back.removed) == sorted(e.name for e in edits if e.old is None)
    with pytest.raises(NothingToUndo):
        undo(root, backup_root=backups)


@pytest.mark.parametrize("seed", range(3))
def test_stale_files_refuse_and_change_nothing(tmp_path: Path, seed: int) -> None:
    edits = random_edits(seed)
    root, backups = tmp_path / "ws", tmp_path / "backups"
    write(root, edits, "old")
    victim = random.Random(seed).choice([e for e in edits if e.old is not None])
    (root / victim.name).write_bytes(b"// edited by the user\n")
    with pytest.raises(StaleFiles) as info:
        apply_files(root, edits, target="go work sync", backup_root=backups)
    assert victim.name in str(info.value)
    assert (root / victim.name).read_bytes() == b"// edited by the user\n"
    others = [e for e in edits if e is not victim]
    assert state(root, others) == "old"
    assert not backups.exists() or not any(backups.rglob("manifest.json"))


def test_undo_refuses_a_file_edited_since(tmp_path: Path) -> None:
    edits = random_edits(1)
    root, backups = tmp_path / "ws", tmp_path / "backups"
    write(root, edits, "old")
    apply_files(root, edits, target="go work sync", backup_root=backups)
    (root / "go.work").write_bytes(b"go 1.24\n")
    with pytest.raises(StaleFiles) as info:
        undo(root, backup_root=backups)
    assert "go.work" in str(info.value)
    assert (root / "go.work").read_bytes() == b"go 1.24\n"
    undo(root, backup_root=backups, force=True)
    assert state(root, edits) == "old"


def sweep(
    tmp_path: Path,
    reset: Callable[[], None],
    work: Callable[[], object],
    check: Callable[[int], None],
) -> int:
    n = 0
    while True:
        n += 1
        reset()
        killed = run_killed(n, [tmp_path], work)
        check(n)
        if not killed:
            return n
        assert n < 1000, "the sweep does not end"


@pytest.mark.parametrize("seed", [0, 3])
def test_apply_killed_at_every_step(tmp_path: Path, seed: int) -> None:
    edits = random_edits(seed)
    root, backups = tmp_path / "ws", tmp_path / "backups"
    outcomes: set[str] = set()

    def reset() -> None:
        import shutil

        shutil.rmtree(backups, ignore_errors=True)
        write(root, edits, "old")

    def work() -> None:
        apply_files(root, edits, target="go work sync", backup_root=backups)

    def check(n: int) -> None:
        recover(root, backup_root=backups)
        now = state(root, edits)
        assert now != "mixed", f"killed at step {n}: a mix of old and new"
        assert temps(root) == [] and temps(backups) == [], f"killed at step {n}"
        assert not any(backups.glob("*/journal.json")), f"killed at step {n}"
        outcomes.add(now)
        if now == "new":
            undo(root, backup_root=backups)
            assert state(root, edits) == "old"
        else:
            with pytest.raises(NothingToUndo):
                undo(root, backup_root=backups)

    steps = sweep(tmp_path, reset, work, check)
    assert outcomes == {"old", "new"} and steps > 20


def test_undo_killed_at_every_step(tmp_path: Path) -> None:
    edits = random_edits(2)
    root, backups = tmp_path / "ws", tmp_path / "backups"
    outcomes: set[str] = set()

    def reset() -> None:
        import shutil

        shutil.rmtree(backups, ignore_errors=True)
        write(root, edits, "old")
        apply_files(root, edits, target="go work sync", backup_root=backups)

    def work() -> None:
        undo(root, backup_root=backups)

    def check(n: int) -> None:
        recovered = recover(root, backup_root=backups)
        now = state(root, edits)
        assert now != "mixed", f"killed at step {n}: a mix of old and new"
        assert temps(root) == [] and temps(backups) == [], f"killed at step {n}"
        outcomes.add(now)
        if now == "new":
            undo(root, backup_root=backups)  # the backup survived: undo still works
            assert state(root, edits) == "old"
        if recovered is not None:
            assert "go work sync" in recovered.note

    steps = sweep(tmp_path, reset, work, check)
    assert outcomes == {"old", "new"} and steps > 10
