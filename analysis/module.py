"""``module.Version``: the (path, version) pair every part of the engine passes around."""

from __future__ import annotations

from typing import NamedTuple

NONE = "none"
"""The version MVS uses for "not in the build list"."""


class ModuleVersion(NamedTuple):
    """A module path at a version; the main module has version ``""``.

    A named tuple rather than a dataclass: the engine hashes and compares these pairs
    hundreds of thousands of times per ``go get`` preview, and a tuple does that in C.

    >>> str(ModuleVersion("example.com/a", "v1.2.0"))
    'example.com/a@v1.2.0'
    >>> str(ModuleVersion("example.com/main", ""))
    'example.com/main'
    """

    path: str
    version: str = ""

    def __str__(self) -> str:
        return f"{self.path}@{self.version}" if self.version else self.path

    @classmethod
    def parse(cls, text: str) -> ModuleVersion:
        """Split ``path@version`` (or a bare path) at the last ``@``."""
        path, sep, version = text.rpartition("@")
        if not sep:
            return cls(text, "")
        return cls(path, version)
