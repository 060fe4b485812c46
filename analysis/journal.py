"""Where an apply or undo keeps its journal, told without importing :mod:`analysis.apply`.

Every command first checks that no apply or undo was interrupted in its directory (one
``stat`` of the journal); only when a journal is there does it load the code that puts
the files right (:func:`analysis.apply.recover`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["default_backup_root", "dir_key", "journal_file", "pending"]

JOURNAL = "journal.json"


def default_backup_root() -> Path:
    """Where backups live: ``$GOMODX_STATE/undo`` or the platform's user state directory."""
    override = os.environ.get("GOMODX_STATE")
    if override:
        return Path(override) / "undo"
    from analysis.userdirs import user_dir

    return Path(user_dir("state")) / "undo"


def dir_key(main_dir: str | os.PathLike[str]) -> str:
    """The name of ``main_dir``'s backups and journal under the backup root."""
    return hashlib.sha256(os.fsencode(os.path.realpath(main_dir))).hexdigest()[:24]


def journal_file(main_dir: str | os.PathLike[str], backup_root: Path | None = None) -> Path:
    """The journal of an apply or undo under way in ``main_dir`` (while it exists, the
    next command puts the files right first: see :func:`analysis.apply.recover`)."""
    d = Path(os.path.abspath(main_dir))
    return (backup_root or default_backup_root()) / dir_key(d) / JOURNAL


def pending(main_dir: str | os.PathLike[str], backup_root: Path | None = None) -> bool:
    """Whether an apply or undo in ``main_dir`` left a journal: one ``stat``. No access
    counts as none (an apply or undo there will say what is wrong)."""
    try:
        os.stat(journal_file(main_dir, backup_root))
    except OSError:
        return False
    return True
