"""What every command that reads a module shares: ``DIR``, ``--graph``, ``--source``, ``-v``,
``--offline``, ``--cache-dir`` and ``-j``.

Where the module graph comes from::

    --graph FILE     recorded `go mod graph` output (- = stdin); wins over --source
    --source go      run `go mod graph` in DIR
    --source proxy   build it without the go command: DIR/go.mod, then every go.mod the go
                     command would read, fetched through GOPROXY (analysis.loader)
    --source auto    go when it is installed, proxy otherwise (the default)

The proxy source honours the user's Go settings as ``go env`` reports them (GOPROXY,
GONOPROXY/GOPRIVATE, GOFLAGS, GOMODCACHE, .netrc) and checks every go.mod against DIR's
go.sum. GOFLAGS' ``-mod`` does not matter (``go mod graph`` ignores it too); ``-modfile``
and go.work workspaces are refused with a pointer to ``--source go``. ``-v`` prints one
line per request to stderr; ``--offline`` answers from the module caches (Go's, then
gomodx's own) and, with the go source, runs go with ``GOPROXY=off``.

Use from a command module::

    def register(subparsers):
        p = subparsers.add_parser("list")
        add_module_options(p)
        p.set_defaults(func=run)

    def run(args):
        loaded = load_module(args)          # GomodxError on any failure, worded like go
        ...

Nothing here imports Textual; the engine is imported lazily, so building the parser stays
cheap.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from analysis.errors import GomodxError
from analysis.module import ModuleVersion

if TYPE_CHECKING:
    from analysis.goenv import GoEnv
    from analysis.goproxy import FetchEvent
    from analysis.hashes import GoSum
    from analysis.loader import LoadedGraph
    from analysis.modfile import ModFile
    from analysis.modgraph import ModuleGraph
    from analysis.proxy import ProxyClient

__all__ = [
    "DEFAULT_JOBS",
    "SOURCES",
    "FetchLog",
    "LoadedModule",
    "add_module_options",
    "describe_event",
    "go_installed",
    "load_module",
    "load_module_async",
    "module_client",
    "module_env",
    "resolve_source",
    "run_async",
]

SOURCES = ("auto", "proxy", "go")

DEFAULT_JOBS = 64
"""Requests in flight at once (and idle keep-alive connections kept per proxy host)."""

_T = TypeVar("_T")


# -- options ----------------------------------------------------------------------------


def add_module_options(
    parser: argparse.ArgumentParser,
    *,
    directory: bool = True,
    graph: bool = True,
    dir_help: str = "the module directory (default: .)",
) -> None:
    """Add ``DIR`` (optional positional), ``--graph``, ``--source``, ``-v``, ``--offline``,
    ``--cache-dir`` and ``-j`` to ``parser``."""
    if directory:
        parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help=dir_help)
    if graph:
        parser.add_argument(
            "--graph",
            metavar="FILE",
            help="read recorded `go mod graph` output instead (- = stdin); wins over --source",
        )
    parser.add_argument(
        "--source",
        choices=SOURCES,
        default="auto",
        help=(
            "where the module graph comes from: `go` runs `go mod graph` in DIR, `proxy` "
            "fetches go.mod files through GOPROXY without the go command, `auto` uses go "
            "when it is installed (default: auto)"
        ),
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print every request to stderr (status, latency, bytes, attempt, cache, proxy)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="answer from the module caches only (go: GOPROXY=off)",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="gomodx's own download cache (default: $GOMODX_CACHE or the user cache)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=DEFAULT_JOBS,
        metavar="N",
        help=f"at most N requests at once with --source proxy (default: {DEFAULT_JOBS})",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def go_installed() -> str | None:
    """The go command on PATH, if any."""
    return shutil.which("go")


def resolve_source(args: argparse.Namespace) -> str:
    """``file`` (``--graph``), ``go`` or ``proxy``: what ``--source auto`` means here."""
    if getattr(args, "graph", None) is not None:
        return "file"
    source: str = getattr(args, "source", "auto") or "auto"
    if source == "auto":
        return "go" if go_installed() else "proxy"
    return source


# -- the environment and the client -----------------------------------------------------


def module_env(directory: Path, *, for_graph: bool = True) -> GoEnv:
    """Go's settings as the go command would use them in ``directory``.

    ``for_graph`` drops GOFLAGS' ``-mod``: ``go mod graph`` always runs as ``-mod=mod``
    (``-mod=vendor`` does not stop it from reading go.mod files through GOPROXY).
    """
    from analysis.goenv import load_goenv

    env = load_goenv(cwd=directory)
    if for_graph and env.mod:
        kept = [w for w in env.goflags.split() if not _is_flag(w, "mod")]
        env = dataclasses.replace(env, goflags=" ".join(kept))
    return env


def _is_flag(word: str, name: str) -> bool:
    flag, eq, _ = word.lstrip("-").partition("=")
    return bool(eq) and flag == name and word.startswith("-") and not word.startswith("---")


def _check_proxy_source(env: GoEnv, directory: Path) -> None:
    """Refuse, clearly, settings the loader cannot honour (go can)."""
    for word in env.goflags.split():
        if _is_flag(word, "modfile"):
            raise GomodxError(
                f"GOFLAGS={word}: --source proxy reads {directory / 'go.mod'} only;"
                " use --source go for an alternate go.mod"
            )
    if env.gowork not in ("", "off"):
        raise GomodxError(
            f"{directory}: in workspace mode (GOWORK={env.gowork}); --source proxy loads"
            " a single module: set GOWORK=off or use --source go"
        )


@dataclass
class FetchLog:
    """Counts what the client did; with ``verbose``, prints each event to ``stream``."""

    verbose: bool = False
    stream: Any = None
    outcomes: Counter[str] = field(default_factory=Counter)
    bytes: int = 0
    started: float = field(default_factory=time.monotonic)

    def __call__(self, event: FetchEvent) -> None:
        self.outcomes[event.outcome] += 1
        self.bytes += event.bytes
        if self.verbose:
            print(f"gomodx: {describe_event(event)}", file=self.stream or sys.stderr)

    def summary(self) -> str:
        parts = [f"{n} {outcome}" for outcome, n in sorted(self.outcomes.items())]
        took = time.monotonic() - self.started
        return f"{', '.join(parts) or 'no requests'}; {self.bytes} bytes in {took:.2f}s"


def describe_event(event: FetchEvent) -> str:
    """One line per request: outcome, what, status, latency, bytes, attempt, cache, proxy.

    URLs and errors arrive redacted and scrubbed from the client; nothing else here can
    hold a credential.
    """
    what = f"{event.module}@{event.version}" if event.version else event.module
    status = "-" if event.status is None else str(event.status)
    cache = event.cache or "-"
    line = (
        f"{event.outcome} {event.kind} {what} status={status}"
        f" {event.latency * 1000:.0f}ms {event.bytes}B attempt={event.attempt}"
        f" cache={cache} via {event.proxy}"
    )
    if event.stale:
        line += " stale"
    if event.url:
        line += f" {event.url}"
    if event.error:
        line += f" ({event.error.splitlines()[0]})"
    return line


def _read_gosum(directory: Path) -> GoSum:
    from analysis.hashes import GoSum

    path = directory / "go.sum"
    try:
        return GoSum.read(path)
    except OSError as exc:
        raise GomodxError(f"reading {path}: {exc.strerror or exc}") from None


@contextlib.asynccontextmanager
async def module_client(
    args: argparse.Namespace,
    env: GoEnv,
    directory: Path | None,
    log: FetchLog | None = None,
) -> AsyncIterator[ProxyClient]:
    """A :class:`~analysis.proxy.ProxyClient` for ``args``: Go's cache then gomodx's own,
    DIR's go.sum, ``--offline``, ``-j`` requests at once, ``-v`` events to stderr."""
    from analysis.cache import CacheStack
    from analysis.hashes import GoSum
    from analysis.proxy import ProxyClient

    gosum = _read_gosum(directory) if directory is not None else GoSum()
    own = Path(args.cache_dir) if getattr(args, "cache_dir", None) else None
    from analysis.transport import proxy_transport

    jobs: int = getattr(args, "jobs", DEFAULT_JOBS) or DEFAULT_JOBS
    transport = proxy_transport(jobs)
    client = ProxyClient(
        env,
        caches=CacheStack.for_env(env.gomodcache, own),
        gosum=gosum,
        offline=bool(getattr(args, "offline", False)),
        concurrency=jobs,
        transport=transport,
    )
    if log is not None:
        client.subscribe(log)
    try:
        async with client:
            yield client
    finally:
        await transport.aclose()


def run_async(factory: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine from synchronous command code."""
    import anyio

    return anyio.run(factory)


# -- loading the graph ------------------------------------------------------------------


@dataclass
class LoadedModule:
    """The module graph a command works on, and where it came from.

    ``main_file`` is DIR's parsed go.mod when it belongs to the graph's main module
    (``None`` otherwise); ``loaded`` is the loader's full result with ``--source proxy``.
    """

    graph: ModuleGraph
    main_file: ModFile | None
    dir: Path
    source: str
    loaded: LoadedGraph | None = None

    @property
    def excluded(self) -> frozenset[ModuleVersion]:
        if self.main_file is None:
            return frozenset()
        return frozenset(e.mod for e in self.main_file.exclude)


def load_module(args: argparse.Namespace) -> LoadedModule:
    """The graph for ``args`` (``--graph``, or ``--source``), or a :class:`GomodxError`."""
    source = resolve_source(args)
    directory = Path(args.dir)
    if source != "file" and not directory.is_dir():
        raise GomodxError(f"{directory}: not a directory")
    if source != "proxy":
        return _finish(_load_without_client(args, source, directory), directory, source)
    env = module_env(directory)
    log = FetchLog(verbose=bool(getattr(args, "verbose", False)))

    async def go() -> LoadedModule:
        async with module_client(args, env, directory, log) as client:
            return await load_module_async(args, client, env=env)

    loaded = run_async(go)
    if log.verbose:
        print(f"gomodx: {log.summary()}", file=sys.stderr)
    return loaded


async def load_module_async(
    args: argparse.Namespace, client: ProxyClient | None, *, env: GoEnv | None = None
) -> LoadedModule:
    """:func:`load_module` inside an event loop; ``client`` serves ``--source proxy``
    (and may be shared with other work, e.g. ``versions --all``)."""
    import anyio

    source = resolve_source(args)
    directory = Path(args.dir)
    if source != "file" and not directory.is_dir():
        raise GomodxError(f"{directory}: not a directory")
    if source != "proxy":
        g = await anyio.to_thread.run_sync(lambda: _load_without_client(args, source, directory))
        return _finish(g, directory, source)
    if client is None:
        raise GomodxError("--source proxy needs a proxy client")  # a programming error
    from analysis.loader import load_module_graph
    from analysis.source import ProxySource

    jobs: int = getattr(args, "jobs", DEFAULT_JOBS) or DEFAULT_JOBS
    try:
        _check_proxy_source(env or client.env, directory)
        loaded = await load_module_graph(directory, ProxySource(client), concurrency=jobs)
    except GomodxError as exc:
        if getattr(args, "source", "auto") != "auto":
            raise
        # The user asked for nothing in particular: say why go was not used.
        raise GomodxError(
            f"{exc}\n(the go command is not installed, so gomodx read go.mod files through"
            " GOPROXY; install Go, or run `go mod graph > graph.txt` where it is installed"
            " and pass --graph graph.txt)"
        ) from exc
    return LoadedModule(loaded.graph, loaded.main, directory, "proxy", loaded)


def _load_without_client(args: argparse.Namespace, source: str, directory: Path) -> ModuleGraph:
    from analysis.modgraph import parse_graph, read_graph, run_go_mod_graph

    if source == "file":
        return read_graph(args.graph)
    environ: dict[str, str] | None = None
    if getattr(args, "offline", False):
        environ = dict(os.environ)
        environ["GOPROXY"] = "off"
        environ["GOFLAGS"] = (environ.get("GOFLAGS", "") + " -mod=mod").strip()
    if getattr(args, "verbose", False):
        note = " with GOPROXY=off" if environ is not None else ""
        print(f"gomodx: running `go mod graph` in {directory}{note}", file=sys.stderr)
    return parse_graph(run_go_mod_graph(directory, env=environ), "go mod graph")


def _finish(g: ModuleGraph, directory: Path, source: str) -> LoadedModule:
    """Attach DIR's go.mod when it belongs to the graph's main module."""
    main_file = _read_main_go_mod(directory)
    if main_file is not None:
        mod_path = main_file.module.mod.path if main_file.module is not None else ""
        if not g.mains and mod_path:
            g.add_node(ModuleVersion(mod_path, ""))
        elif not any(m.path == mod_path for m in g.mains):
            main_file = None  # a graph recorded elsewhere: this go.mod says nothing about it
    return LoadedModule(g, main_file, directory, source)


def _read_main_go_mod(directory: Path) -> ModFile | None:
    path = directory / "go.mod"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    from analysis import modfile

    return modfile.parse(str(path), data)
