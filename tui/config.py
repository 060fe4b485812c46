"""The app's settings that outlive a run: for now, the theme chosen in the command palette.

They live in ``config.json`` in the user configuration directory
(``platformdirs.user_config_dir("gomodx")``: ``~/.config/gomodx/config.json`` on Linux,
``$XDG_CONFIG_HOME/gomodx`` when that is set)::

    {"theme": "nord"}

A settings file must never stop the app: one that cannot be read (not JSON, not an
object, a directory, no permission) is ignored, and one that cannot be written leaves the
choice for this run only; either way :attr:`UserConfig.problem` says why, and the app
says it once. A file that cannot be read is never written over: it may be the user's
own edit with a typo in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis.errors import FileWriteError
from analysis.fsio import os_reason, write_atomic

__all__ = ["CONFIG_NAME", "UserConfig", "default_config_path"]

CONFIG_NAME = "config.json"


def default_config_path() -> Path:
    """``config.json`` in the user configuration directory."""
    from analysis.userdirs import user_dir

    return Path(user_dir("config")) / CONFIG_NAME


class UserConfig:
    """The settings file at ``path`` (``None``: settings are not kept at all)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.problem = ""
        """Why the file is ignored or was not written (``""`` while all is well)."""
        self._data: dict[str, Any] = {}
        self._readable = True
        self._load()

    def _load(self) -> None:
        if self.path is None:
            return
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return  # nothing saved yet
        except OSError as exc:
            self._ignore(f"cannot read {self.path}: {os_reason(exc)}")
            return
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
            self._ignore(f"{self.path} is not valid JSON{where}")
            return
        if not isinstance(data, dict):
            self._ignore(f"{self.path} is not a JSON object")
            return
        self._data = data

    def _ignore(self, problem: str) -> None:
        self.problem = f"{problem}: ignored"
        self._readable = False

    @property
    def theme(self) -> str:
        """The saved theme's name (``""``: none saved, or not a string)."""
        value = self._data.get("theme", "")
        return value if isinstance(value, str) else ""

    def set_theme(self, name: str) -> bool:
        """Remember ``name``; whether it is now in the file."""
        if self.path is None or not self._readable:
            return False
        if self._data.get("theme") == name:
            return True
        data = {**self._data, "theme": name}
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        try:
            write_atomic(self.path, text.encode("utf-8"))
        except FileWriteError as exc:
            self.problem = f"{exc}: the theme is kept for this run only"
            return False
        self._data = data
        return True
