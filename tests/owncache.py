"""What gomodx's own cache holds, whatever the storage: small files (``.mod``, ``.info``,
lists) in its database (analysis.pack), zips and anything older as files."""

from __future__ import annotations

from pathlib import Path

from analysis.pack import SmallFiles


def own_files(own: Path) -> dict[str, bytes]:
    """Every cached file of the cache at ``own``, by its name in the GOPROXY layout."""
    found: dict[str, bytes] = {}
    if own.is_dir():
        for f in own.rglob("*"):
            rel = f.relative_to(own).as_posix()
            if f.is_file() and rel.split("/")[0] not in (SmallFiles.DIR, "snapshot", "goenv"):
                found[rel] = f.read_bytes()
    db = SmallFiles(own)
    try:
        for name in db.names(""):
            data = db.get(name)
            if data is not None:
                found[name] = data
    finally:
        db.close()
    return found
