"""Write analysis/std_packages.txt: the standard library's import paths (``go list std``).

Run after upgrading the go toolchain the tests use::

    python scripts/gen_std_packages.py
"""

from __future__ import annotations

import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "analysis" / "std_packages.txt"


def main() -> None:
    version = subprocess.run(
        ["go", "env", "GOVERSION"], capture_output=True, text=True, check=True
    ).stdout.strip()
    listed = subprocess.run(
        ["go", "list", "std"], capture_output=True, text=True, check=True
    ).stdout.split()
    paths = sorted(p for p in listed if not p.startswith("vendor/"))
    OUT.write_text(
        f"# go list std ({version}), vendor/ omitted\n" + "".join(p + "\n" for p in paths)
    )


if __name__ == "__main__":
    main()
