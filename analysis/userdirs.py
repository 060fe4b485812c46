"""gomodx's per-user directories (cache, state, configuration), as platformdirs names them.

Every command asks for one (the state directory, to see whether an apply was
interrupted; the cache directory, unless ``GOMODX_CACHE`` is set), and importing
platformdirs costs a command about 4 ms. On Linux in the plain case — the XDG variable
unset or empty and ``HOME`` absolute, or the XDG variable an absolute path — the answer
is the XDG rule itself, the same in every platformdirs release gomodx accepts (4.0 on);
everywhere else (macOS, Windows, Android, a relative ``HOME`` or XDG value, an XDG
value with spaces around it) platformdirs answers. A test compares both on many environments.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

__all__ = ["plain_user_dir", "user_dir"]

_KINDS = {
    "cache": ("XDG_CACHE_HOME", ".cache"),
    "state": ("XDG_STATE_HOME", ".local/state"),
    "config": ("XDG_CONFIG_HOME", ".config"),
}

APP = "gomodx"


def user_dir(kind: Literal["cache", "state", "config"]) -> str:
    """``platformdirs.user_<kind>_dir("gomodx", appauthor=False)``."""
    plain = plain_user_dir(kind)
    if plain is not None:
        return plain
    import platformdirs

    if kind == "cache":
        return platformdirs.user_cache_dir(APP, appauthor=False)
    if kind == "state":
        return platformdirs.user_state_dir(APP, appauthor=False)
    return platformdirs.user_config_dir(APP, appauthor=False)


def plain_user_dir(kind: Literal["cache", "state", "config"]) -> str | None:
    """:func:`user_dir` where the XDG rule alone gives it, without platformdirs; else
    ``None``."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel"):
        return None
    variable, default = _KINDS[kind]
    value = os.environ.get(variable, "")
    if value.strip() == "":
        home = os.environ.get("HOME", "")
        if not home.startswith("/"):
            return None  # no HOME, or a relative one: platformdirs has rules of its own
        return os.path.join(home, default, APP)
    if value.startswith("/") and value == value.strip():
        return os.path.join(value, APP)
    return None
