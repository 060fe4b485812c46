"""What every command that reads a module shares: ``DIR``, ``--graph``, ``--source``, ``-v``,
``--offline``, ``--cache-dir`` and ``-j``.

Where the module graph comes from::

    --graph FILE     recorded `go mod graph` output (- = stdin); wins over --source
    --source go      run `go mod graph` in DIR
    --source proxy   build it without the go command: DIR/go.mod, then every go.mod the go
                     command would read, fetched through GOPROXY (analysis.loader)
    --source auto    go when it is installed, proxy otherwise (the default)

The options become one :class:`analysis.session.Session` (:func:`open_session`): every
command, like the app, reads Go's settings, go.sum, GOWORK and GOFLAGS through it, so they
mean the same thing everywhere (see that module). ``-v`` prints one line per request to
stderr; ``--offline`` answers from the module caches (Go's, then gomodx's own) and, with
the go source, runs go with ``GOPROXY=off``.

Use from a command module::

    def register(subparsers):
        p = subparsers.add_parser("list")
        add_module_options(p)
        p.set_defaults(func=run)

    def run(args):
        loaded = load_module(args)          # GomodxError on any failure, worded like go
        ...
    # or, for more than the graph:
        session = open_session(args)
        result = run_session(session, lambda: session.plan(...))

Nothing here imports Textual; the engine is imported lazily, so building the parser stays
cheap.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analysis.session import DEFAULT_JOBS, SOURCES, LoadedModule, Session, SessionOptions

if TYPE_CHECKING:
    from analysis.goproxy import FetchEvent

__all__ = [
    "DEFAULT_JOBS",
    "SOURCES",
    "LoadedModule",
    "add_module_options",
    "describe_event",
    "load_module",
    "open_session",
    "print_event",
    "run_session",
    "session_options",
]

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
    add_fetch_options(parser)


def add_fetch_options(parser: argparse.ArgumentParser, *, jobs_default: int = DEFAULT_JOBS) -> None:
    """``-v``, ``--offline``, ``--cache-dir`` and ``-j``: how a command fetches."""
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
        "--concurrency",
        dest="jobs",
        type=_positive_int,
        default=jobs_default,
        metavar="N",
        help=f"at most N requests at once (default: {jobs_default}; fewer while a proxy"
        " answers 429 or 503)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def session_options(args: argparse.Namespace) -> SessionOptions:
    """The session options ``args`` ask for (absent options keep their defaults)."""
    cache_dir = getattr(args, "cache_dir", None)
    return SessionOptions(
        source=getattr(args, "source", "auto") or "auto",
        graph_file=getattr(args, "graph", None),
        offline=bool(getattr(args, "offline", False)),
        jobs=getattr(args, "jobs", DEFAULT_JOBS) or DEFAULT_JOBS,
        cache_dir=Path(cache_dir) if cache_dir else None,
        # The request log is read only by -v's summary (the app keeps its own).
        log_requests=bool(getattr(args, "verbose", False)),
    )


def open_session(
    args: argparse.Namespace,
    directory: str | Path | None = None,
    *,
    require_module: bool = True,
    print_requests: bool = True,
    workspace: bool = True,
    work_command: bool = False,
    get_command: bool = False,
) -> Session:
    """The engine session for ``args`` on ``directory`` (default ``args.dir``).

    Its notes (e.g. a workspace this command does not model: ``workspace=False``) go to
    stderr as warnings, and with ``-v`` every request is printed there too.
    """
    where = directory if directory is not None else getattr(args, "dir", None) or "."
    session = Session.open(
        where,
        session_options(args),
        require_module=require_module,
        workspace=workspace,
        work_command=work_command,
        get_command=get_command,
    )
    for note in session.notes:
        print(f"gomodx: warning: {note}", file=sys.stderr)
    if get_command and session.plans_alone:
        print(f"gomodx: warning: workspace mode: {session.workspace_note}", file=sys.stderr)
    if getattr(args, "verbose", False):
        session.on_note = lambda text: print(f"gomodx: {text}", file=sys.stderr)
        if print_requests:
            session.subscribe(print_event)
    return session


def run_session(
    args: argparse.Namespace, session: Session, factory: Callable[[], Awaitable[_T]]
) -> _T:
    """Run ``factory()`` in an event loop, close the session's client, and with ``-v``
    print the request summary."""
    from analysis.session import run_sync

    try:
        return run_sync(session, factory)
    finally:
        if getattr(args, "verbose", False):
            print(f"gomodx: {session.requests.summary()}", file=sys.stderr)


def load_module(
    args: argparse.Namespace, *, go_list: bool = False, replay: bool = False
) -> LoadedModule:
    """The graph for ``args`` (``--graph``, or ``--source``), or a :class:`GomodxError`.

    ``go_list``: the command answers for ``go list``, which refuses flags in a workspace
    that ``go mod graph`` ignores. ``replay``: the command prints nothing but what it
    computes from this graph, so its answer may be replayed while the graph's inputs
    stay as they are (:mod:`tui.replay`; never with ``-v``)."""
    session = open_session(args, require_module=getattr(args, "graph", None) is None)
    if go_list:
        session.check_go_list_flags()
    cached = session.load_cached(go_list=go_list)  # a warm start needs no event loop
    if cached is None:
        loaded = run_session(args, session, lambda: session.load(go_list=go_list))
    else:
        loaded = cached
    if replay and not getattr(args, "verbose", False):
        from tui.replay import declare

        declare(session.replay_inputs())
    return loaded


def print_event(event: FetchEvent) -> None:
    """``-v``: one line per request on stderr."""
    print(f"gomodx: {describe_event(event)}", file=sys.stderr)


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
