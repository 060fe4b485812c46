"""Workspaces as the go command finds and loads them (``cmd/go/internal/modload``).

* :func:`find_workspace` — which go.work go uses from a directory, given ``GOWORK``;
* :func:`load_workfile` — read and check it as ``modload.LoadWorkFile`` does;
* :func:`use_dirs` — the ``use``\\d module roots, with go's errors for bad ones.

Errors are :class:`~analysis.errors.GomodxError` (:class:`~analysis.errors.ModfileError`
for a file that does not parse), worded as go words them, without the leading ``go: ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from analysis.errors import GomodxError

__all__ = [
    "find_workspace",
]


def find_workspace(directory: str | os.PathLike[str], env: Mapping[str, str]) -> Path | None:
    """The go.work go would use when run in ``directory`` (``modload.FindGoWork``).

    ``GOWORK=off`` means none; unset, empty or ``auto`` means the nearest ``go.work`` file in
    ``directory`` or a parent (never looking above ``GOROOT``, when ``env`` names it); any
    other value must be an absolute path and is used as is, existing or not.

    >>> find_workspace("/", {"GOWORK": "off"}) is None
    True
    """
    gowork = env.get("GOWORK", "")
    if gowork == "off":
        return None
    if gowork not in ("", "auto"):
        if not os.path.isabs(gowork):
            raise GomodxError("invalid GOWORK: not an absolute path")
        return Path(gowork)
    goroot = env.get("GOROOT", "")
    here = os.path.normpath(os.path.abspath(directory))
    while True:
        candidate = os.path.join(here, "go.work")
        if os.path.isfile(candidate):
            return Path(candidate)
        parent = os.path.dirname(here)
        if parent == here:
            return None
        if goroot and parent == goroot:
            # Go does not cross GOROOT: a go.work above it is most likely irrelevant.
            return None
        here = parent
