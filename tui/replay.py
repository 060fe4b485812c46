"""Replayed answers: a read-only command whose answer depends only on files and settings
prints what it printed last time, when none of them changed — before the engine, or even
argparse, is imported.

The ``gomodx`` command starts here (:func:`main`). After a successful run of such a
command (exit status 0, nothing on stderr, not ``-v``), its exact stdout is kept in
``<gomodx cache>/replay/<key>`` together with the inputs it depended on, each with its
state::

    ("file", "/m/go.mod", "<sha256 of its bytes>")      "-": the file was absent
    ("exists", "/go.work", "0")                         a go.work the search could find
    ("stat", "/usr/local/go/VERSION", "<mtime_ns> <size>")
    ("which", "go", "-")                                what PATH resolves the name to

The key names the exact arguments, the working directory, the whole environment (less
shell noise), the Python executable and its stdout encoding, whether stdout is a
terminal and this file's own stamp. The next run with the same key checks every input
(a few reads and ``stat`` calls, however big the graph) and, when nothing differs,
writes the stored bytes and exits 0.
Anything else — another state, an entry that is missing, truncated or of another format,
any error while checking — runs the command as usual, which stores a new entry.

Which commands take part: those that print nothing but what they compute from the
module graph — ``graph`` to stdout as text, DOT, Mermaid or JSON (not images: Graphviz's
plugins and fonts are no inputs gomodx knows of), plain ``list``, ``why`` without
``--imports``, ``conflicts`` — call :func:`declare` (through
:func:`tui.commands.common.load_module`) with what
:meth:`analysis.session.Session.replay_inputs` reports: inputs only when the graph is a
module's (not a workspace's), read through the proxy walk and its warm-start snapshot or
by ``go mod graph`` — sources whose answer the files and settings of the snapshot key
name in full. Nothing is stored without a declaration (workspaces, version lists from
the network, writes). Besides those inputs, every entry stamps gomodx's own source files
and the directory its dependencies are installed in, so an edited or upgraded gomodx
never replays an old answer. ``GOMODX_NO_REPLAY=1`` turns replays (and their storing) off.

This module imports nothing but ``os``, ``sys``, ``hashlib`` and ``marshal`` until it
stores an entry.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs a replay milliseconds
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import IO, Any

__all__ = ["DISABLE", "declare", "exit_now", "lookup", "main"]

FORMAT = "gomodx-replay-1"
DISABLE = "GOMODX_NO_REPLAY"
"""Set to a non-empty value: never replay, never store."""
MAX_ENTRIES = 300
"""Entries kept; beyond that the oldest are removed when one is stored."""

SHELL_NOISE = frozenset({"_", "SHLVL", "OLDPWD"})
"""Variables a shell changes from one command to the next, which gomodx never reads
(the same set as :data:`analysis.goenv._SHELL_NOISE`; a test keeps them equal)."""

if TYPE_CHECKING:
    Input = tuple[str, str, str]


COMMANDS = frozenset({"graph", "list", "why", "conflicts"})
"""The commands that may declare their answer replayable (see above); any other
command line (the app above all) is neither looked up nor recorded."""


NO_CYCLE_GC = frozenset(
    {"graph", "conflicts", "list", "why", "versions", "outdated", "modjson", "workjson"}
)
"""Commands the ``gomodx`` process runs without the cycle collector: they read go.mod
files, version lists and ``.info`` files, never a zip. In a cold 400-module graph its
every pass over the young objects found nothing to free: 5% of the CPU, none of the
memory (the cycles left at exit, some 60,000 small objects, add nothing to peak RSS).
Commands that read zips keep it, so that a failed attempt's cycle cannot hold a zip's
bytes until the end, and so does the app, which runs for as long as the user likes.
Decided here, for the process, and never turned back on: the young objects of the
whole command would all be examined at once (callers of :func:`tui.cli.main` in their
own process keep their collector as it was)."""


def main() -> int:
    """The ``gomodx`` command: a replay when one is good, else the command line (which
    stores its answer when the command declares it replayable). Leaves the process
    through :func:`exit_now` when it can."""
    if _command(sys.argv[1:]) in NO_CYCLE_GC:
        import gc

        gc.disable()
    code = _run(sys.argv[1:])
    exit_now(code)
    return code


def exit_now(code: int) -> None:
    """End the process with ``code`` at once, when nothing but the interpreter's own
    teardown is left to do; return (to the normal exit) otherwise.

    Tearing the interpreter down frees every object one by one: after a 400-module
    graph, 70-100 ms, longer than printing the answer. What an exit must still do is
    done here first: stdout and stderr are flushed, and the exit functions run (the
    cache database's last rows, temporary directories). Nothing is skipped that could
    matter: with a thread still running that is not a daemon (which the interpreter
    would wait for), or when a flush fails (a closed pipe: the normal exit reports it
    as it always did), this returns and the interpreter exits as usual.
    """
    threading = sys.modules.get("threading")  # never imported: no thread was started
    if threading is not None and any(
        t is not threading.main_thread() and not t.daemon and t.is_alive()
        for t in threading.enumerate()
    ):
        return
    if not _flushed():
        return
    import atexit

    atexit._run_exitfuncs()
    _flushed()  # what an exit function printed
    os._exit(code)


def _flushed() -> bool:
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:
        return False
    return True


def _run(argv: list[str]) -> int:
    replayable = _command(argv) in COMMANDS
    code = lookup(argv) if replayable else None
    if code is not None:
        return code
    recorder = _Recorder.start(argv) if replayable else None
    from tui.cli import main as cli_main

    if recorder is None:
        return cli_main(argv)
    global _active
    _active = recorder
    code = None
    try:
        code = cli_main(argv)
    finally:
        _active = None
        recorder.finish(code)
    return code


def _command(argv: Sequence[str]) -> str | None:
    """The command's name, as :func:`tui.cli._first_word` finds it: the first argument
    that is not an option nor the app's ``--graph FILE``."""
    for i, a in enumerate(argv):
        if not a.startswith("-") and (i == 0 or argv[i - 1] != "--graph"):
            return a
    return None


# -- the fast path ------------------------------------------------------------------------


def lookup(argv: Sequence[str]) -> int | None:
    """Write the stored answer for ``argv`` and return its exit status (0), or ``None``
    when there is none that is good (nothing written then). Never raises before it
    starts writing."""
    try:
        key = _key(argv)
        path = _entry_path(key)
        if path is None:
            return None
        out = _read_entry(path, key)
        if out is None:
            return None
    except Exception:  # a damaged entry, an unreadable input: the normal path decides
        return None
    return _write_stdout(out)


def _key(argv: Sequence[str]) -> str:
    import hashlib

    environ = sorted((k, v) for k, v in os.environ.items() if k not in SHELL_NOISE)
    own = os.stat(__file__)
    out = sys.stdout
    material = (
        FORMAT,
        sys.executable,
        f"{own.st_mtime_ns} {own.st_size}",
        os.getcwd(),
        os.isatty(1),
        # How text becomes bytes (-X utf8 is in no argument gomodx sees).
        None if out is None else (out.encoding, out.errors),
        sys.flags.utf8_mode,
        tuple(argv),
        environ,
    )
    blob = repr(material).encode("utf-8", "surrogateescape")
    return hashlib.sha256(blob).hexdigest()


def _root() -> str | None:
    """gomodx's own cache directory, as :func:`analysis.cache.default_cache_dir` names
    it (``None`` where that takes more than the environment to know: no replays)."""
    override = os.environ.get("GOMODX_CACHE")
    if override:
        return override
    from analysis.userdirs import plain_user_dir

    base = plain_user_dir("cache")  # (platformdirs itself is too dear to load here)
    return None if base is None else os.path.join(base, "download")


def _entry_path(key: str) -> str | None:
    if os.environ.get(DISABLE):
        return None
    root = _root()
    return None if root is None else os.path.join(root, "replay", key[:40])


def _read_entry(path: str, key: str) -> bytes | None:
    """The stdout stored at ``path`` for ``key`` when every input it lists is as it was."""
    import hashlib
    import marshal

    with open(path, "rb") as f:
        data = f.read()
    body = data[32:]
    if len(data) < 32 or hashlib.sha256(body).digest() != data[:32]:
        return None
    fmt, saved_key, inputs, out = marshal.loads(body)
    if fmt != FORMAT or saved_key != key or not isinstance(out, bytes):
        return None
    for kind, where, state in inputs:
        if state_of(kind, where) != state:
            return None
    return out


def _write_stdout(out: bytes) -> int:
    """Write ``out`` to stdout as the command would have (a closed pipe is no error)."""
    view = memoryview(out)
    try:
        while view:
            view = view[os.write(1, view) :]
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        return 0
    except OSError as exc:
        sys.stderr.write(f"gomodx: internal error: {type(exc).__name__}: {exc}\n")
        return 2
    return 0


def state_of(kind: str, path: str) -> str:
    """The state of one input now (see the module docstring). Raises :class:`OSError`
    when it cannot be known (then nothing is replayed, nor stored)."""
    if kind == "file":
        import hashlib

        try:
            with open(path, "rb") as f:
                return hashlib.sha256(f.read()).hexdigest()
        except FileNotFoundError:
            return "-"
    if kind == "exists":
        return "1" if os.path.exists(path) else "0"
    if kind == "stat":
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return "-"
        return f"{st.st_mtime_ns} {st.st_size}"
    if kind == "which":
        found = which(path)
        if found is None:
            return "-"
        st = os.stat(found)
        return f"{found} {st.st_mtime_ns} {st.st_size}"
    raise OSError(f"unknown input kind {kind!r}")


def which(name: str) -> str | None:
    """What :func:`shutil.which` answers for a bare ``name`` with this process's PATH
    (POSIX; elsewhere the answer is not known: :class:`OSError`)."""
    if sys.platform == "win32" or os.path.dirname(name):
        raise OSError("which: not known here")
    path = os.environ.get("PATH")
    if path is None:
        try:
            path = os.confstr("CS_PATH")
        except (AttributeError, ValueError):
            path = os.defpath
    if not path:
        return None
    seen = set()
    for d in os.fsdecode(path).split(os.pathsep):
        norm = os.path.normcase(d)
        if norm in seen:
            continue
        seen.add(norm)
        candidate = os.path.join(d, name)
        if (
            os.path.exists(candidate)
            and os.access(candidate, os.F_OK | os.X_OK)
            and not os.path.isdir(candidate)
        ):
            return candidate
    return None


# -- storing --------------------------------------------------------------------------------

_active: _Recorder | None = None


def declare(inputs: Iterable[Input] | None) -> None:
    """Say that the running command's answer depends on ``inputs`` only, as
    ``(kind, path, seen)``: ``seen`` is the state the engine read (``""``: not known),
    and an input that is no longer in it makes the answer not worth keeping. ``None``:
    this answer must not be replayed. Does nothing outside :func:`main`."""
    if _active is not None:
        _active.declare(inputs)


class _Recorder:
    """Copies what the command writes to stdout, watches stderr, and stores the answer
    when the command succeeded and declared its inputs."""

    def __init__(self, path: str, key: str) -> None:
        self.path = path
        self.key = key
        self.inputs: dict[tuple[str, str], str] | None = None
        self.refused = False
        self.stdout: list[bytes] = []
        self.stderr: list[bytes] = []
        self._saved: tuple[IO[str], IO[str]] | None = None
        self._tees: list[_Tee] = []

    @classmethod
    def start(cls, argv: Sequence[str]) -> _Recorder | None:
        try:
            key = _key(argv)
            path = _entry_path(key)
        except Exception:
            return None
        if path is None:
            return None
        recorder = cls(path, key)
        recorder._wrap()
        return recorder

    def _wrap(self) -> None:
        import io

        out, err = sys.stdout, sys.stderr
        self._saved = (out, err)
        for name, stream, sink in (("stdout", out, self.stdout), ("stderr", err, self.stderr)):
            buffer = getattr(stream, "buffer", None)
            if buffer is None:
                self.refused = True
                continue
            tee = _Tee(buffer, sink)
            self._tees.append(tee)
            wrapper = io.TextIOWrapper(
                tee,
                encoding=stream.encoding,
                errors=stream.errors,
                line_buffering=bool(getattr(stream, "line_buffering", False)),
                write_through=True,
            )
            setattr(sys, name, wrapper)

    def _unwrap(self) -> None:
        if self._saved is None:
            return
        for name, saved in zip(("stdout", "stderr"), self._saved, strict=True):
            current = getattr(sys, name)
            if current is not saved:
                try:
                    current.flush()
                    current.detach()
                except Exception:
                    self.refused = True
                setattr(sys, name, saved)
        self._saved = None

    def declare(self, inputs: Iterable[Input] | None) -> None:
        if inputs is None:
            self.refused = True
            return
        if self.inputs is None:
            self.inputs = {}
        try:
            for kind, where, seen in inputs:
                state = state_of(kind, where)
                if seen and seen != state:
                    self.refused = True  # changed since the engine read it
                self.inputs[(kind, where)] = state
        except Exception:
            self.refused = True

    def finish(self, code: int | None) -> None:
        self._unwrap()
        try:
            if (
                code == 0
                and self.inputs is not None
                and not self.refused
                and not any(self.stderr)
                and not any(t.failed for t in self._tees)
            ):
                self._store()
        except Exception:
            return  # not kept: the next run computes the answer again

    def _store(self) -> None:
        import hashlib
        import marshal

        from analysis.fsio import write_atomic

        assert self.inputs is not None
        inputs = dict(self.inputs)
        for kind, where in _code_inputs():
            inputs[(kind, where)] = state_of(kind, where)
        # The command's inputs again: one that changed during the run makes the answer
        # one that no state names.
        for (kind, where), state in self.inputs.items():
            if state_of(kind, where) != state:
                return
        listed = tuple((k, w, s) for (k, w), s in inputs.items())
        body = marshal.dumps((FORMAT, self.key, listed, b"".join(self.stdout)))
        write_atomic(self.path, hashlib.sha256(body).digest() + body, durable=False)
        _evict(os.path.dirname(self.path))


class _Tee:
    """A binary stream that passes writes on to ``raw`` and keeps a copy."""

    def __init__(self, raw: Any, sink: list[bytes]) -> None:
        self._raw = raw
        self._sink = sink
        self.failed = False
        self.closed = False

    def write(self, data: Any) -> int:
        try:
            n: int = self._raw.write(data)
        except BaseException:
            self.failed = True
            raise
        self._sink.append(bytes(data))
        return n

    def flush(self) -> None:
        try:
            self._raw.flush()
        except BaseException:
            self.failed = True
            raise

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def fileno(self) -> int:
        fd: int = self._raw.fileno()
        return fd

    def isatty(self) -> bool:
        tty: bool = self._raw.isatty()
        return tty

    def close(self) -> None:
        self.closed = True  # never the real stream's

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _code_inputs() -> list[tuple[str, str]]:
    """gomodx's own code: every source file's stamp, their directories' (a file added
    or removed), and the directory its dependencies are installed in (an upgrade)."""
    import sysconfig

    import analysis
    import tui

    found: list[tuple[str, str]] = []
    for package in (analysis, tui):
        top = os.path.dirname(os.path.abspath(package.__file__ or ""))
        for d, dirs, files in os.walk(top):
            dirs[:] = sorted(x for x in dirs if x not in ("__pycache__", "demo"))
            found.append(("stat", d))
            found += [
                ("stat", os.path.join(d, f)) for f in sorted(files) if f.endswith((".py", ".txt"))
            ]
    found.append(("stat", sysconfig.get_paths()["purelib"]))
    return found


def _evict(directory: str) -> None:
    """Keep the newest :data:`MAX_ENTRIES` entries."""
    names = os.listdir(directory)
    if len(names) <= MAX_ENTRIES:
        return
    aged = []
    for name in names:
        path = os.path.join(directory, name)
        try:
            aged.append((os.stat(path).st_mtime_ns, path))
        except OSError:
            continue
    aged.sort()
    for _, path in aged[: len(aged) - MAX_ENTRIES]:
        try:
            os.remove(path)
        except OSError:
            continue
