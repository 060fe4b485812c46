"""Go's settings, resolved the way the go command resolves them.

With the go command installed, :func:`load_goenv` asks it (``go env -json``), so the answer is
the one go itself would use. Without it (or with ``use_go=False``), the same precedence is
reproduced by hand:

1. the process environment (a variable set to the empty string counts as unset),
2. the GOENV file that ``go env -w`` writes (``$GOENV``; else ``os.UserConfigDir()/go/env``;
   ``GOENV=off`` disables it),
3. ``$GOROOT/go.env`` when GOROOT is known, else the defaults Go ships in that file
   (``GOPROXY=https://proxy.golang.org,direct``, ``GOSUMDB=sum.golang.org``),
4. derived defaults: GONOPROXY and GONOSUMDB default to GOPRIVATE, GOPATH to ``$HOME/go``,
   GOMODCACHE to ``<first GOPATH entry>/pkg/mod``.

>>> env = load_goenv({"HOME": "/h", "GOENV": "off", "GOPRIVATE": "corp.example"}, use_go=False)
>>> env.goproxy, env.gonoproxy, env.gomodcache
('https://proxy.golang.org,direct', 'corp.example', '/h/go/pkg/mod')
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import GoCommandError
from analysis.workspace import find_workspace

__all__ = [
    "DEFAULT_GOPROXY",
    "DEFAULT_GOSUMDB",
    "GoEnv",
    "env_file",
    "load_goenv",
    "mod_flag",
    "netrc_path",
    "read_env_file",
    "settings_inputs",
    "toolchain_stamp",
]

DEFAULT_GOPROXY = "https://proxy.golang.org,direct"
DEFAULT_GOSUMDB = "sum.golang.org"

# The variables gomodx reads, as `go env -json` names them.
_VARS = (
    "GOPROXY",
    "GONOPROXY",
    "GOPRIVATE",
    "GONOSUMDB",
    "GOINSECURE",
    "GOSUMDB",
    "GOFLAGS",
    "GOMODCACHE",
    "GOPATH",
    "GOWORK",
    "GOAUTH",
    "GOENV",
    "GOROOT",
    "GOVERSION",
)


@dataclass(frozen=True)
class GoEnv:
    """The Go settings that decide how modules are fetched and verified.

    ``source`` says where the values came from: ``"go"`` (``go env -json``) or
    ``"environment"`` (resolved without the go command).
    """

    goproxy: str = DEFAULT_GOPROXY
    gonoproxy: str = ""
    goprivate: str = ""
    gonosumdb: str = ""
    goinsecure: str = ""
    gosumdb: str = DEFAULT_GOSUMDB
    goflags: str = ""
    gomodcache: str = ""
    gopath: str = ""
    gowork: str = ""
    netrc: str = ""
    goauth: str = "netrc"
    goenv: str = ""
    goroot: str = ""
    goversion: str = ""
    gotoolchain: str = ""
    """``GOTOOLCHAIN`` as go reads it (the environment, then the go env file, then
    ``$GOROOT/go.env``), not as ``go env`` reports it: gomodx asks go with ``local``."""
    source: str = "environment"
    go: str | None = field(default=None, compare=False)
    """The go binary that answered (or that is available), if any."""

    @property
    def mod(self) -> str:
        """The ``-mod`` value GOFLAGS sets (``""`` when it sets none)."""
        return mod_flag(self.goflags)

    @property
    def download_dir(self) -> Path | None:
        """``$GOMODCACHE/cache/download``: the cache that is laid out like a proxy."""
        if not self.gomodcache or not os.path.isabs(self.gomodcache):
            return None
        return Path(self.gomodcache) / "cache" / "download"


def mod_flag(goflags: str) -> str:
    """The value of the last ``-mod=``/``--mod=`` flag in a GOFLAGS string.

    GOFLAGS is split on white space; each word is its own flag, so ``-mod vendor`` sets nothing.

    >>> mod_flag("-x -mod=vendor --mod=mod")
    'mod'
    """
    return flag_value(goflags, "mod") or ""


def flag_value(goflags: str, name: str) -> str | None:
    """The last ``-NAME=VALUE`` word of a GOFLAGS string (``None`` when there is none)."""
    value = None
    for word in goflags.split():
        if _flag_name(word) == name:
            value = word.partition("=")[2]
    return value


def without_flag(goflags: str, name: str) -> str:
    """GOFLAGS without its ``-NAME=VALUE`` words.

    >>> without_flag("-x -mod=vendor -trimpath", "mod")
    '-x -trimpath'
    """
    return " ".join(w for w in goflags.split() if _flag_name(w) != name)


def _flag_name(word: str) -> str:
    """``mod`` for ``-mod=x`` or ``--mod=x``; ``""`` for anything that is not such a flag."""
    name, eq, _ = word.lstrip("-").partition("=")
    return name if eq and word.startswith("-") and not word.startswith("---") else ""


def netrc_path(environ: Mapping[str, str]) -> str:
    """The .netrc go reads: ``$NETRC``, else ``~/.netrc`` (``_netrc`` preferred on Windows)."""
    if environ.get("NETRC"):
        return environ["NETRC"]
    home = _home(environ)
    if not home:
        return ""
    if sys.platform == "win32":
        legacy = os.path.join(home, "_netrc")
        if os.path.exists(legacy):
            return legacy
    return os.path.join(home, ".netrc")


def env_file(environ: Mapping[str, str]) -> str:
    """Where ``go env -w`` writes: ``$GOENV``, else ``UserConfigDir()/go/env``.

    Returns ``""`` when GOENV is ``off`` or no config directory can be determined, which is
    what ``go env GOENV`` prints in those cases.
    """
    explicit = environ.get("GOENV", "")
    if explicit:
        return "" if explicit == "off" else explicit
    config = _user_config_dir(environ)
    return os.path.join(config, "go", "env") if config else ""


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Parse a go/env (or ``$GOROOT/go.env``) file as go does.

    Lines without ``=`` or not starting with an uppercase ASCII letter (comments, blank lines,
    indented lines) are ignored; later lines win; values are taken verbatim. A missing or
    unreadable file is empty.
    """
    try:
        data = Path(path).read_bytes()
    except OSError:
        return {}
    values: dict[str, str] = {}
    for raw in data.split(b"\n"):
        key, eq, val = raw.partition(b"=")
        if not eq or not raw or not (65 <= raw[0] <= 90):
            continue
        values[key.decode("utf-8", "surrogateescape")] = val.decode("utf-8", "surrogateescape")
    return values


def load_goenv(
    environ: Mapping[str, str] | None = None,
    *,
    use_go: bool = True,
    go: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
    cache_dir: Path | None = None,
) -> GoEnv:
    """Resolve Go's settings for ``environ`` (default: this process's environment).

    With ``cache_dir``, go's answer is kept there and reused while nothing it depends on
    has changed (see :class:`_GoEnvCache`).

    With ``use_go`` and a go binary (``go`` or the one on PATH), runs ``go env -json`` in
    ``cwd``; otherwise resolves by hand (see the module docstring). Raises
    :class:`GoCommandError` when go runs and fails, and :class:`GomodxError` for settings go
    itself would reject (a relative GOWORK).
    """
    env = dict(os.environ if environ is None else environ)
    binary = go or (shutil.which("go", path=env.get("PATH")) if use_go else None)
    if use_go and binary:
        return _from_go(binary, env, cwd, timeout, cache_dir)
    return _from_environment(env, cwd, binary)


def _from_go(
    binary: str,
    env: dict[str, str],
    cwd: str | os.PathLike[str] | None,
    timeout: float,
    cache_dir: Path | None = None,
) -> GoEnv:
    cache = _GoEnvCache(cache_dir, binary, env, cwd) if cache_dir is not None else None
    values = cache.read() if cache is not None else None
    if values is None:
        values = _run_go_env(binary, env, cwd, timeout)
        if cache is not None:
            cache.write(values)

    def get(name: str) -> str:
        value = values.get(name, "")
        return value if isinstance(value, str) else ""

    return GoEnv(
        goproxy=get("GOPROXY"),
        gonoproxy=get("GONOPROXY"),
        goprivate=get("GOPRIVATE"),
        gonosumdb=get("GONOSUMDB"),
        goinsecure=get("GOINSECURE"),
        gosumdb=get("GOSUMDB"),
        goflags=get("GOFLAGS"),
        gomodcache=get("GOMODCACHE"),
        gopath=get("GOPATH"),
        gowork=get("GOWORK"),
        netrc=netrc_path(env),
        goauth=get("GOAUTH"),
        goenv=get("GOENV"),
        goroot=get("GOROOT"),
        goversion=get("GOVERSION"),
        gotoolchain=_gotoolchain(env, get("GOROOT")),
        source="go",
        go=binary,
    )


_SHELL_NOISE = frozenset({"_", "SHLVL", "OLDPWD"})
"""Variables a shell changes from one command to the next, which go never reads."""


class _GoEnvCache:
    """``go env -json``'s answer kept on disk, keyed by everything it depends on.

    Running go costs tens of milliseconds on every start, more than a warm ``gomodx
    graph`` needs for everything else. What go prints for the variables gomodx reads
    depends only on the go binary and its GOROOT, the whole environment, the GOENV
    file and (for GOWORK) which directories from ``cwd`` upward hold a go.work; the key
    covers all of them, and a hit is used only while the binary, ``$GOROOT/bin/go``,
    ``$GOROOT/go.env`` and ``$GOROOT/VERSION`` still have the size and modification
    time they had when go answered. Anything unreadable is a miss (go is asked again).
    """

    FORMAT = "gomodx-goenv-1"

    def __init__(
        self,
        root: Path,
        binary: str,
        env: Mapping[str, str],
        cwd: str | os.PathLike[str] | None,
    ) -> None:
        import hashlib

        here = os.path.abspath(cwd if cwd is not None else os.getcwd())
        material = {
            "format": self.FORMAT,
            "binary": os.path.abspath(binary),
            "env": sorted((k, v) for k, v in env.items() if k not in _SHELL_NOISE),
            "cwd": here,
            "gowork": _go_work_files(here),
            "goenv": _file_digest(env_file(env)),
            "vars": list(_VARS),
        }
        blob = json.dumps(material, sort_keys=True).encode("utf-8", "surrogateescape")
        self.path = root / "goenv" / (hashlib.sha256(blob).hexdigest()[:40] + ".json")
        self.binary = binary

    def read(self) -> dict[str, object] | None:
        try:
            doc = json.loads(self.path.read_bytes())
            values, stamps = doc["values"], doc["stamps"]
            if not isinstance(values, dict) or stamps != self._stamps(values):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return values

    def write(self, values: dict[str, object]) -> None:
        from analysis.errors import FileWriteError
        from analysis.fsio import write_atomic

        doc = {"values": values, "stamps": self._stamps(values)}
        # Not kept when it cannot be written: go is asked again next time.
        with contextlib.suppress(FileWriteError, OSError):
            write_atomic(self.path, json.dumps(doc).encode(), durable=False)

    def _stamps(self, values: Mapping[str, object]) -> list[object]:
        goroot = values.get("GOROOT")
        files = _go_files(self.binary, goroot if isinstance(goroot, str) else "")
        return [[f, *_stamp(f)] for f in files]


def _go_files(binary: str, goroot: str) -> list[str]:
    """The files whose size and modification time stand for the go toolchain: the
    binary, and ``$GOROOT``'s ``bin/go``, ``go.env`` and ``VERSION``."""
    files = [binary]
    if goroot:
        files += [os.path.join(goroot, *p) for p in (("bin", "go"), ("go.env",), ("VERSION",))]
    return files


def toolchain_stamp(env: GoEnv) -> str:
    """The go that ``env`` was read from, as text that changes when that go does: its
    binary and ``$GOROOT``'s ``bin/go``, ``go.env`` and ``VERSION``, each with its size
    and modification time (``""`` when go is not the source of the settings)."""
    if env.source != "go" or not env.go:
        return ""
    return " ".join(f"{f}:{_stamp(f)}" for f in _go_files(env.go, env.goroot))


def settings_inputs(
    environ: Mapping[str, str], cwd: str | os.PathLike[str] | None, env: GoEnv
) -> list[tuple[str, str]]:
    """What the settings :func:`load_goenv` resolved as ``env`` depend on besides the
    environment itself, as ``(kind, path)`` pairs: ``("which", "go")`` the go that PATH
    finds (none, or which one, and its stamp), ``("exists", p)`` every go.work the
    GOWORK search could find from ``cwd`` upward, ``("file", p)`` the GOENV file's bytes,
    and for the toolchain ``("stat", p)`` (go answered: see :class:`_GoEnvCache`) or
    ``("file", "$GOROOT/go.env")`` (resolved by hand). A replayed answer
    (:mod:`tui.replay`) is good while none of them changed."""
    here = os.path.abspath(cwd if cwd is not None else os.getcwd())
    found: list[tuple[str, str]] = [("which", "go")]
    found += [("exists", p) for p in _go_work_candidates(here)]
    user_file = env_file(environ)
    if user_file:
        found.append(("file", user_file))
    if env.source == "go" and env.go:
        found += [("stat", f) for f in _go_files(env.go, env.goroot)]
    elif env.goroot:
        found.append(("file", os.path.join(env.goroot, "go.env")))
    return found


def _stamp(path: str) -> list[int]:
    try:
        st = os.stat(path)
    except OSError:
        return [-1, -1]
    return [st.st_mtime_ns, st.st_size]


def _file_digest(path: str) -> str:
    """A digest of the file's bytes (``""`` when there is none)."""
    import hashlib

    if not path:
        return ""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def _go_work_files(directory: str) -> list[str]:
    """The go.work files from ``directory`` upward (what GOWORK's search could find)."""
    return [p for p in _go_work_candidates(directory) if os.path.exists(p)]


def _go_work_candidates(directory: str) -> list[str]:
    """``go.work`` in ``directory`` and in each directory above it."""
    found = []
    d = directory
    while True:
        found.append(os.path.join(d, "go.work"))
        parent = os.path.dirname(d)
        if parent == d:
            return found
        d = parent


def _run_go_env(
    binary: str, env: dict[str, str], cwd: str | os.PathLike[str] | None, timeout: float
) -> dict[str, object]:
    child = dict(env)
    # `go env` must never try to download a toolchain named by a go.mod near cwd.
    child["GOTOOLCHAIN"] = "local"
    try:
        proc = subprocess.run(
            [binary, "env", "-json", *_VARS],
            env=child,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GoCommandError(f"running go env: {exc}") from exc
    if proc.returncode != 0:
        raise GoCommandError(proc.stderr.strip() or "go env failed", proc.stderr)
    try:
        values = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise GoCommandError(f"go env -json printed invalid JSON: {exc}", proc.stderr) from exc
    if not isinstance(values, dict):
        raise GoCommandError("go env -json printed no object", proc.stderr)
    return values


def _gotoolchain(env: Mapping[str, str], goroot: str) -> str:
    """``cfg.Getenv("GOTOOLCHAIN")``: the environment, the go env file, ``$GOROOT/go.env``."""
    if env.get("GOTOOLCHAIN"):
        return env["GOTOOLCHAIN"]
    user_file = env_file(dict(env))
    user = read_env_file(user_file) if user_file else {}
    if "GOTOOLCHAIN" in user:
        return user["GOTOOLCHAIN"]
    return read_env_file(os.path.join(goroot, "go.env")).get("GOTOOLCHAIN", "") if goroot else ""


def _from_environment(
    env: dict[str, str], cwd: str | os.PathLike[str] | None, binary: str | None
) -> GoEnv:
    user_file = env_file(env)
    user = read_env_file(user_file) if user_file else {}
    goroot = env.get("GOROOT") or user.get("GOROOT", "")
    shipped: dict[str, str] = {"GOPROXY": DEFAULT_GOPROXY, "GOSUMDB": DEFAULT_GOSUMDB}
    if goroot:
        from_goroot = read_env_file(os.path.join(goroot, "go.env"))
        if from_goroot:
            shipped = from_goroot

    def getenv(name: str) -> str:
        # cfg.Getenv: a non-empty OS value, else the user file, else $GOROOT/go.env.
        value = env.get(name, "")
        if value:
            return value
        if name in user:
            return user[name]
        return shipped.get(name, "")

    def or_default(name: str, default: str) -> str:
        return getenv(name) or default

    goprivate = getenv("GOPRIVATE")
    gopath = or_default("GOPATH", _default_gopath(env, goroot))
    first = gopath.split(os.pathsep)[0] if gopath else ""
    gomodcache = or_default("GOMODCACHE", os.path.join(first, "pkg", "mod") if first else "")
    return GoEnv(
        goproxy=getenv("GOPROXY"),
        gonoproxy=or_default("GONOPROXY", goprivate),
        goprivate=goprivate,
        gonosumdb=or_default("GONOSUMDB", goprivate),
        goinsecure=getenv("GOINSECURE"),
        gosumdb=getenv("GOSUMDB"),
        goflags=getenv("GOFLAGS"),
        gomodcache=gomodcache,
        gopath=gopath,
        gowork=_gowork(getenv("GOWORK"), cwd, goroot),
        netrc=netrc_path(env),
        goauth=or_default("GOAUTH", "netrc"),
        goenv=user_file,
        goroot=goroot,
        goversion="",
        gotoolchain=getenv("GOTOOLCHAIN"),
        source="environment",
        go=binary,
    )


def _home(env: Mapping[str, str]) -> str:
    if sys.platform == "win32":
        return env.get("USERPROFILE", "")
    if sys.platform.startswith("plan9"):
        return env.get("home", "")
    return env.get("HOME", "")


def _user_config_dir(env: Mapping[str, str]) -> str:
    """``os.UserConfigDir``: ``""`` where Go returns an error."""
    if sys.platform == "win32":
        return env.get("AppData", "") or env.get("APPDATA", "")
    if sys.platform == "darwin":
        home = env.get("HOME", "")
        return os.path.join(home, "Library", "Application Support") if home else ""
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg:
        return xdg if os.path.isabs(xdg) else ""
    home = env.get("HOME", "")
    return os.path.join(home, ".config") if home else ""


def _default_gopath(env: Mapping[str, str], goroot: str) -> str:
    """go/build's default GOPATH: ``$HOME/go`` unless that is GOROOT."""
    home = _home(env)
    if not home:
        return ""
    gopath = os.path.join(home, "go")
    if goroot and os.path.normpath(gopath) == os.path.normpath(goroot):
        return ""
    return gopath


def _gowork(setting: str, cwd: str | os.PathLike[str] | None, goroot: str = "") -> str:
    """The workspace file go would use, as ``go env GOWORK`` reports it (``"off"`` for off,
    ``""`` for none); the search is :func:`analysis.workspace.find_workspace`'s."""
    if setting == "off":
        return "off"
    found = find_workspace(
        cwd if cwd is not None else os.getcwd(), {"GOWORK": setting, "GOROOT": goroot}
    )
    return str(found) if found is not None else ""
