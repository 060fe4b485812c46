"""``module.Version``: the (path, version) pair every part of the engine passes around."""

from __future__ import annotations

from dataclasses import dataclass

NONE = "none"
"""The version MVS uses for "not in the build list"."""


@dataclass(frozen=True, order=True)
class ModuleVersion:
    """A module path at a version; the main module has version ``""``.

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
