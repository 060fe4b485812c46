"""Write a Go vulnerability database (v1 layout) for tests: index/db.json,
index/modules.json and ID/<id>.json, each also as .json.gz."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

MODIFIED = "2026-01-02T03:04:05Z"


@dataclass
class Vuln:
    """One entry: ``ranges`` maps a module to its ranges, each a list of
    ``("introduced" | "fixed", version-without-v)`` events."""

    id: str
    ranges: dict[str, list[list[tuple[str, str]]]]
    aliases: list[str] = field(default_factory=list)
    summary: str = ""
    modified: str = MODIFIED

    def osv(self) -> dict[str, object]:
        return {
            "schema_version": "1.3.1",
            "id": self.id,
            "modified": self.modified,
            "published": self.modified,
            "aliases": self.aliases,
            "summary": self.summary,
            "details": f"details of {self.id}",
            "affected": [
                {
                    "package": {"name": module, "ecosystem": "Go"},
                    "ranges": [
                        {"type": "SEMVER", "events": [{k: v} for k, v in events]}
                        for events in ranges
                    ],
                }
                for module, ranges in self.ranges.items()
            ],
        }


def _write(path: Path, data: bytes, forms: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if "json" in forms:
        path.write_bytes(data)
    if "gz" in forms:
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, mtime=0))


def write_vulndb(
    root: Path,
    vulns: Sequence[Vuln],
    *,
    modified: str = MODIFIED,
    forms: Sequence[str] = ("json", "gz"),
) -> Path:
    """Write the database under ``root``; returns ``root``."""
    _write(root / "index" / "db.json", json.dumps({"modified": modified}).encode(), forms)
    modules: dict[str, list[dict[str, str]]] = {}
    for v in vulns:
        for module, ranges in v.ranges.items():
            fixed = [ver for events in ranges for kind, ver in events if kind == "fixed"]
            row = {"id": v.id, "modified": v.modified}
            if fixed:
                row["fixed"] = fixed[-1]
            modules.setdefault(module, []).append(row)
        _write(root / "ID" / f"{v.id}.json", json.dumps(v.osv(), indent=1).encode(), forms)
    index = [{"path": p, "vulns": rows} for p, rows in sorted(modules.items())]
    _write(root / "index" / "modules.json", json.dumps(index).encode(), forms)
    return root
