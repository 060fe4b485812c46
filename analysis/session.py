"""One Go module, opened with the user's Go settings: the seam every front end uses.

::

    options (CLI flags, app settings) ──► Session.open(directory, options)
                                              │  goenv, go.sum (strict), caches, transport,
                                              │  workspace and GOFLAGS policy, request log
                                              ▼
        load() · versions() · versions_all() · plan() · apply() · undo() · download()
        (graph exports are pure functions of the loaded graph: analysis.export, .render)

The command line turns its options into a :class:`SessionOptions` and opens a session;
the app holds one for its lifetime. Nothing else builds a
:class:`~analysis.proxy.ProxyClient` or reads go.sum, so a setting means the same thing
everywhere:

* **go.sum** is read once, strictly: a malformed go.sum is go's ``malformed go.sum``
  error for every operation (never an empty go.sum, which would verify nothing).
* **GOWORK**: workspaces are not modelled yet. Every operation works on the module alone,
  exactly as go does with ``GOWORK=off`` (the go command, when run, gets ``GOWORK=off``
  too), and :attr:`Session.notes` says so.
* **GOFLAGS**: ``-modfile`` is refused (gomodx reads DIR/go.mod); ``-mod`` is dropped, as
  ``go mod graph``, ``go get`` and ``go mod download`` ignore it.
* **Proxies**: HTTPS_PROXY/HTTP_PROXY/NO_PROXY and TLS settings apply to every request
  (:func:`analysis.transport.proxy_transport`).
* **Offline** answers from the module caches (and runs go with ``GOPROXY=off``).

Every failure is a :class:`~analysis.errors.GomodxError` with a go-shaped message.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analysis.errors import AuthRequired, GomodxError, ProxyUnavailable, causes
from analysis.fsio import os_reason
from analysis.memo import Memo
from analysis.module import ModuleVersion

if TYPE_CHECKING:
    import httpx

    from analysis.apply import ApplyResult, UndoResult
    from analysis.cache import CacheStack
    from analysis.download import DownloadSummary, ProgressCallback
    from analysis.goenv import GoEnv
    from analysis.goproxy import FetchEvent, NetLimits, RetryPolicy
    from analysis.hashes import GoSum
    from analysis.loader import LoadedGraph
    from analysis.modfile import ModFile
    from analysis.modgraph import ModuleGraph
    from analysis.plan import Plan, Target
    from analysis.proxy import ProxyClient
    from analysis.updates import ModuleUpdate
    from analysis.versions import MainModule, ModuleVersions

__all__ = [
    "DEFAULT_JOBS",
    "SOURCES",
    "LoadedModule",
    "RequestLog",
    "Session",
    "SessionOptions",
    "run_sync",
]

SOURCES = ("auto", "proxy", "go")

DEFAULT_JOBS = 64
"""Requests in flight at once (and idle keep-alive connections kept per proxy host)."""

_T = TypeVar("_T")


@dataclass(frozen=True)
class SessionOptions:
    """What a front end may choose; everything else comes from Go's own settings.

    ``source`` is where the module graph comes from: ``go`` (``go mod graph``), ``proxy``
    (go.mod files through GOPROXY, no go command), ``auto`` (go when installed), or — with
    ``graph_file`` — recorded ``go mod graph`` output (``-`` for standard input).
    ``cache_dir`` is gomodx's own download cache; ``state_dir`` where apply keeps its
    backups (default: the user state directory).
    """

    source: str = "auto"
    graph_file: str | None = None
    offline: bool = False
    jobs: int = DEFAULT_JOBS
    cache_dir: Path | None = None
    state_dir: Path | None = None
    use_go: bool = True
    """Whether the go command may be run (``go env``, ``go mod graph``) when installed."""
    limits: NetLimits | None = None
    """How long the network may take (:class:`~analysis.goproxy.NetLimits`: connect, read,
    per-request deadlines, too-slow bodies, a budget for the whole command); ``None``:
    the defaults."""
    retry: RetryPolicy | None = None
    """How often transient failures are retried (``None``: the default policy)."""


@dataclass
class LoadedModule:
    """The module graph an operation works on, and where it came from.

    ``main_file`` is DIR's parsed go.mod when it belongs to the graph's main module
    (``None`` otherwise); ``loaded`` is the loader's full result with the proxy source.
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

    @property
    def direct(self) -> frozenset[str]:
        """Paths the main go.mod requires without ``// indirect`` (excluded versions
        dropped, as go drops them)."""
        if self.main_file is None:
            return frozenset()
        excluded = self.excluded
        return frozenset(
            r.mod.path for r in self.main_file.require if not r.indirect and r.mod not in excluded
        )

    def build_list(self) -> list[ModuleVersion]:
        """``go list -m all``: the main module, then the selected version of each path."""
        from analysis.modgraph import build_list

        return build_list(self.graph)

    def replacement(self, m: ModuleVersion) -> ModuleVersion | None:
        """What the main module replaces ``m`` with (exact version first), or None."""
        if self.loaded is not None:
            return self.loaded.replacement(m)
        if self.main_file is None:
            return None
        by_version = {r.old: r.new for r in self.main_file.replace}
        return by_version.get(m) or by_version.get(ModuleVersion(m.path, ""))


class Session:
    """A module directory with Go's settings, its go.sum, caches and one proxy client.

    Build it with :meth:`open` (a real module), :meth:`with_file_proxy` (a temporary copy
    read through a ``file://`` GOPROXY: the demo, tests, screenshots) or the constructor
    (everything injected). The proxy client is created on first use inside the running
    event loop and closed by :meth:`aclose`; :func:`run_sync` does both for synchronous
    callers.
    """

    def __init__(
        self,
        directory: Path,
        env: GoEnv,
        gosum: GoSum,
        *,
        options: SessionOptions | None = None,
        caches: CacheStack | None = None,
        transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
        label: str = "",
        notes: Sequence[str] = (),
        scratch: Path | None = None,
        demo: bool = False,
        use_go_client: bool = True,
    ) -> None:
        self.directory = directory
        self.env = env
        self.gosum = gosum
        self.options = options or SessionOptions()
        self._caches = caches
        self._transport_factory = transport_factory
        self.notes: tuple[str, ...] = tuple(notes)
        """Warnings every front end shows (e.g. a workspace that is not modelled)."""
        self.scratch = scratch
        """A temporary directory this session owns and deletes on :meth:`aclose`."""
        self.demo = demo
        self._use_go_client = use_go_client
        self._client: ProxyClient | None = None
        self._transport: httpx.AsyncBaseTransport | None = None
        self.on_note: Callable[[str], None] | None = None
        """Told what the session is about to do that takes time (``-v``)."""
        self.requests = RequestLog()
        """Every request and cache hit of this session, counted (and kept for the app's
        network log)."""
        self._subscribers: list[Callable[[FetchEvent], None]] = [self.requests]
        self._versions = Memo()
        self._main_module: MainModule | None = None
        self.label = label or (
            "offline (module caches)" if self.offline else f"GOPROXY={env.goproxy}"
        )

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        directory: str | os.PathLike[str],
        options: SessionOptions | None = None,
        *,
        environ: dict[str, str] | None = None,
        require_module: bool = True,
    ) -> Session:
        """Open the module in ``directory`` with the user's Go settings.

        Raises :class:`GomodxError` with go's wording for a missing directory or go.mod
        (with ``require_module``), a malformed go.sum, or settings gomodx cannot honour.
        """
        from analysis.apply import recover
        from analysis.cache import CacheStack
        from analysis.goenv import load_goenv
        from analysis.hashes import GoSum

        options = options or SessionOptions()
        d = Path(directory)
        if (options.graph_file is None or require_module) and not d.is_dir():
            # go -C DIR's wording.
            reason = "not a directory" if d.exists() else "no such file or directory"
            raise GomodxError(f"go: chdir {directory}: {reason}")
        has_mod = (d / "go.mod").is_file()
        if require_module and not has_mod and options.graph_file is None:
            raise GomodxError(
                "go: go.mod file not found in current directory or any parent directory;"
                " see 'go help modules'" + ("" if str(directory) == "." else f" (in {directory})")
            )
        # An apply or undo that was killed is put right before anything reads the files.
        recovered = recover(d, backup_root=options.state_dir) if has_mod else None
        env = load_goenv(environ, use_go=options.use_go, cwd=d if d.is_dir() else None)
        env, notes = _module_mode(env, d)
        if recovered is not None:
            notes.append(recovered.note)
        gosum = GoSum.read(d / "go.sum") if has_mod else GoSum()
        caches = CacheStack.for_env(env.gomodcache, options.cache_dir)
        jobs = options.jobs

        def transport() -> httpx.AsyncBaseTransport:
            from analysis.transport import proxy_transport

            return proxy_transport(jobs)

        return cls(
            d,
            env,
            gosum,
            options=options,
            caches=caches,
            transport_factory=transport,
            notes=notes,
        )

    @classmethod
    def with_file_proxy(
        cls,
        project: Path,
        proxy: Path,
        *,
        offline: bool = False,
        demo: bool = False,
        label: str = "",
    ) -> Session:
        """A temporary copy of ``project`` read through the GOPROXY directory ``proxy``.

        Nothing outside the copy is read or written: no module cache, no go command, no
        network, and backups stay inside the copy. This is how the demo, the tests and
        the screenshots run.
        """
        from analysis.cache import CacheStack
        from analysis.goenv import GoEnv
        from analysis.hashes import GoSum

        scratch = Path(tempfile.mkdtemp(prefix="gomodx-"))
        work = scratch / project.name
        shutil.copytree(project, work)
        env = GoEnv(
            goproxy="off" if offline else proxy.resolve().as_uri(),
            gosumdb="off",
            gomodcache="",
            gopath="",
            goauth="off",
            source="file-proxy",
        )
        if not label:
            label = "demo proxy (file://, bundled)" if demo else f"GOPROXY={env.goproxy}"
        return cls(
            work,
            env,
            GoSum.read(work / "go.sum"),
            options=SessionOptions(
                source="proxy", offline=offline, state_dir=scratch / "undo", use_go=False
            ),
            caches=CacheStack(None, None),
            label=label,
            scratch=scratch,
            demo=demo,
            use_go_client=False,
        )

    # -- the client -------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        """Whether answers come from the module caches only (``--offline``, GOPROXY=off)."""
        if self._client is not None:
            return self._client.offline
        return self.options.offline or self.env.goproxy.strip() == "off"

    @property
    def client(self) -> ProxyClient:
        """The one proxy client of this session (created on first use)."""
        if self._client is None:
            self._client = self._new_client(self._caches)
        return self._client

    def _new_client(self, caches: CacheStack | None) -> ProxyClient:
        """A client with the session's settings, transport and subscribers."""
        from analysis.cache import CacheStack
        from analysis.proxy import ProxyClient

        if self._transport is None and self._transport_factory is not None:
            self._transport = self._transport_factory()
        client = ProxyClient(
            self.env,
            caches=caches if caches is not None else CacheStack(),
            gosum=self.gosum,
            offline=self.options.offline,
            concurrency=self.options.jobs,
            transport=self._transport,
            use_go=self._use_go_client,
            limits=self.options.limits,
            retry=self.options.retry,
        )
        for callback in self._subscribers:
            client.subscribe(callback)
        return client

    def subscribe(self, callback: Callable[[FetchEvent], None]) -> Callable[[], None]:
        """Call ``callback`` with every request and cache hit; returns an unsubscribe."""
        self._subscribers.append(callback)
        inner = self._client.subscribe(callback) if self._client is not None else None

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)
            if inner is not None:
                inner()

        return unsubscribe

    @property
    def local_go(self) -> str:
        """The Go version gomodx answers for: the installed go's, else a stated default."""
        from analysis.source import LOCAL_GO_VERSION

        return self.env.goversion.removeprefix("go").split(" ")[0] or LOCAL_GO_VERSION

    async def aclose(self) -> None:
        """Close the client (a later use opens a new one); forget memoised answers."""
        self.forget()
        client, self._client = self._client, None
        transport, self._transport = self._transport, None
        if client is not None:
            await client.aclose()
        if transport is not None:
            await transport.aclose()

    def remove_scratch(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    async def close(self) -> None:
        """:meth:`aclose`, and delete the scratch copy (the app's shutdown)."""
        await self.aclose()
        self.remove_scratch()

    # -- the graph --------------------------------------------------------------------

    @property
    def source(self) -> str:
        """``file``, ``go`` or ``proxy``: what ``auto`` means here."""
        if self.options.graph_file is not None:
            return "file"
        if self.options.source == "auto":
            return "go" if self.options.use_go and _go_binary(self.env) else "proxy"
        return self.options.source

    async def load(self) -> LoadedModule:
        """The module graph ``go mod graph`` prints (or the recorded one)."""
        source = self.source
        if source == "proxy":
            from analysis.loader import load_module_graph
            from analysis.snapshot import load_snapshot, save_snapshot, snapshot_key
            from analysis.source import ProxySource

            own = self._caches.own if self._caches is not None else None
            # Offline is GOPROXY=off: a setting like any other (then the caches answer).
            settings = f"{self.env!r} offline={self.offline}"
            key = snapshot_key(self.directory, settings) if own is not None else None
            if own is not None and key is not None:
                hit = load_snapshot(own.root, self.directory, key)
                if hit is not None:
                    return LoadedModule(hit.graph, hit.main, self.directory, "proxy", hit)
            try:
                loaded = await load_module_graph(
                    self.directory, ProxySource(self.client), concurrency=self.options.jobs
                )
            except FileNotFoundError as exc:  # go.mod vanished since open
                raise GomodxError(f"go: {exc.filename}: {os_reason(exc)}") from None
            except GomodxError as exc:
                # Only a proxy that could not be reached (or wanted credentials) is a reason
                # to suggest go: a module or version that does not exist fails with go too.
                network = any(isinstance(e, (ProxyUnavailable, AuthRequired)) for e in causes(exc))
                if network and self.options.source == "auto" and not exc.hint:
                    # The user asked for nothing in particular: say why go was not used.
                    exc.hint = (
                        "the go command is not installed, so gomodx read go.mod files through"
                        " GOPROXY; install Go, or run `go mod graph > graph.txt` where it is"
                        " installed and pass --graph graph.txt"
                    )
                if not exc.hint:
                    # The loader wraps the fetch's error; its advice still applies.
                    exc.hint = _first_hint(exc)
                raise
            if own is not None and key is not None:
                save_snapshot(own.root, self.directory, key, loaded)
            return LoadedModule(loaded.graph, loaded.main, self.directory, "proxy", loaded)
        import anyio

        graph = await anyio.to_thread.run_sync(self._load_without_client, source)
        return self._finish(graph, source)

    def _load_without_client(self, source: str) -> ModuleGraph:
        from analysis.modgraph import parse_graph, read_graph, run_go_mod_graph

        if source == "file":
            assert self.options.graph_file is not None
            return read_graph(self.options.graph_file)
        # DIR's go.mod first, as the proxy source reads it: a syntax error is the same
        # ModfileError whichever source is used, not go's failure with a hint about go.
        self.main_file()
        if self.on_note is not None:
            off = " with GOPROXY=off" if self.offline else ""
            self.on_note(f"running `go mod graph` in {self.directory}{off}")
        return parse_graph(run_go_mod_graph(self.directory, env=self.go_environ()), "go mod graph")

    def go_environ(self) -> dict[str, str]:
        """The environment the go command runs in: the user's, with the session's policy
        (``GOWORK=off``; ``GOPROXY=off`` when offline)."""
        environ = dict(os.environ)
        environ["GOWORK"] = "off"
        if self.offline:
            environ["GOPROXY"] = "off"
        return environ

    def _finish(self, g: ModuleGraph, source: str) -> LoadedModule:
        """Attach DIR's go.mod when it belongs to the graph's main module."""
        main_file = self.main_file()
        if main_file is not None:
            mod_path = main_file.module.mod.path if main_file.module is not None else ""
            if not g.mains and mod_path:
                g.add_node(ModuleVersion(mod_path, ""))
            elif not any(m.path == mod_path for m in g.mains):
                main_file = None  # a graph recorded elsewhere: this go.mod says nothing of it
        return LoadedModule(g, main_file, self.directory, source)

    def main_file(self) -> ModFile | None:
        """DIR's go.mod, parsed (``None`` when there is none); syntax errors raise."""
        from analysis import modfile

        path = self.directory / "go.mod"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise GomodxError(f"go: reading {path}: {os_reason(exc)}") from None
        return modfile.parse(str(path), data)

    def main_module(self) -> MainModule:
        """The main module's replacements and exclusions (empty without a go.mod); read
        once until :meth:`forget` (every version list needs it)."""
        from analysis.versions import MainModule

        if self._main_module is None:
            gomod = self.directory / "go.mod"
            self._main_module = MainModule.load(self.directory) if gomod.is_file() else MainModule()
        return self._main_module

    # -- versions ---------------------------------------------------------------------

    async def versions(
        self, path: str, loaded: LoadedModule | None = None, *, majors: bool = True
    ) -> ModuleVersions:
        """``path``'s versions, annotated; with ``loaded``, the selected one and who asks
        for which. Fetched once per path until :meth:`forget` (the go.mod changed);
        concurrent callers share one fetch."""
        return await self._versions.get(path, lambda: self._fetch_versions(path, loaded, majors))

    async def _fetch_versions(
        self, path: str, loaded: LoadedModule | None, majors: bool
    ) -> ModuleVersions:
        from analysis.versions import module_versions

        selected = ""
        requested: dict[str, list[str]] = {}
        if loaded is not None:
            g = loaded.graph
            selected = g.selected().get(path, "")
            for v in g.versions(path):
                who = g.requirers(ModuleVersion(path, v))
                if who:
                    requested[v] = [str(w) for w in who]
        return await module_versions(
            self.client,
            path,
            main=self.main_module(),
            selected=selected,
            requested_by=requested,
            majors=majors,
        )

    async def versions_all(
        self, loaded: LoadedModule | None = None, *, majors: bool = True
    ) -> list[ModuleUpdate]:
        """``go list -m -u all``: every build-list module with its update, retraction and
        deprecation (``loaded`` defaults to :meth:`load`)."""
        from analysis.updates import list_updates

        if loaded is None:
            loaded = await self.load()
        return await list_updates(
            self.client, loaded.graph, loaded.main_file, loaded.dir, majors=majors
        )

    def cached_versions(self, path: str) -> ModuleVersions | None:
        """``path``'s versions when they have been fetched already (never fetches)."""
        from analysis.versions import ModuleVersions

        found, value = self._versions.peek(path)
        return value if found and isinstance(value, ModuleVersions) else None

    def forget(self) -> None:
        """Drop memoised version lists and the main module's go.mod (it changed:
        selections, replacements and excludes moved)."""
        self._versions.clear()
        self._main_module = None

    # -- changes ----------------------------------------------------------------------

    async def plan(
        self, targets: str | Target | Sequence[str | Target], *, suggest: bool = True
    ) -> Plan:
        """What ``go get TARGET...`` would do here (a refusal is a plan whose ``error``
        is set)."""
        from analysis.plan import plan_get
        from analysis.source import ProxySource

        return await plan_get(
            self.directory,
            ProxySource(self.client),
            targets,
            local_go=self.local_go,
            suggest=suggest,
            gosum=self.gosum,
            gomodcache=self.env.gomodcache,
            goroot=self.env.goroot,
        )

    def apply(self, plan: Plan, *, use_go: bool = False) -> ApplyResult:
        """Write the plan (backup first; refuses if go.mod or go.sum changed since).
        With ``use_go``, the real ``go get`` writes it and differences are reported."""
        from analysis.apply import apply_plan, apply_with_go

        if use_go:
            go = _go_binary(self.env)
            if go is None:
                raise GomodxError("--use-go: the go command is not installed")
            return apply_with_go(plan, go, backup_root=self.options.state_dir)
        return apply_plan(plan, backup_root=self.options.state_dir)

    def undo(self, *, force: bool = False) -> UndoResult:
        """Restore the files the last apply replaced (refuses if edited since)."""
        from analysis.apply import undo

        return undo(self.directory, backup_root=self.options.state_dir, force=force)

    # -- downloads --------------------------------------------------------------------

    async def download(
        self,
        modules: Sequence[str] = (),
        *,
        on_progress: ProgressCallback | None = None,
    ) -> DownloadSummary:
        """Fill Go's module cache with what the build needs (or ``modules``), verified."""
        from analysis.cache import CacheStack
        from analysis.download import download

        # No cache layers: the downloader checks Go's cache itself (and more strictly), so
        # its client goes straight to GOPROXY and writes nowhere else.
        client = self._new_client(CacheStack())
        try:
            return await download(
                self.directory,
                self.env,
                modules,
                client=client,
                gosum=self.gosum,
                on_progress=on_progress,
                concurrency=self.options.jobs,
            )
        finally:
            await client.aclose()


@dataclass
class RequestLog:
    """What the proxy client did: every event, counted by outcome."""

    events: list[FetchEvent] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    bytes: int = 0
    started: float = field(default_factory=time.monotonic)

    def __call__(self, event: FetchEvent) -> None:
        self.events.append(event)
        self.outcomes[event.outcome] += 1
        self.bytes += event.bytes

    def summary(self) -> str:
        """``12 ok, 3 cache_hit; 40960 bytes in 0.52s``."""
        parts = [f"{n} {outcome}" for outcome, n in sorted(self.outcomes.items())]
        took = time.monotonic() - self.started
        return f"{', '.join(parts) or 'no requests'}; {self.bytes} bytes in {took:.2f}s"


def run_sync(session: Session, factory: Callable[[], Awaitable[_T]]) -> _T:
    """Run ``factory()`` in a new event loop, then close the session's client there.

    Ctrl+C (SIGINT) cancels ``factory()``; the client is closed, files being written to
    the caches are finished (their writes are not cancellable), and KeyboardInterrupt is
    raised without waiting for DNS lookups (:func:`analysis.eventloop.new_event_loop`).
    """
    import anyio

    result: list[_T] = []

    async def main() -> None:
        try:
            result.append(await factory())
        finally:
            await session.aclose()

    from analysis.eventloop import new_event_loop

    # The answer is kept out of the main task: asyncio.Runner formats the task's repr
    # (its result included) when it restores the SIGINT handler, and the repr of a
    # loaded graph costs a good part of a second.
    anyio.run(main, backend_options={"loop_factory": new_event_loop})
    return result[0]


def _module_mode(env: GoEnv, directory: Path) -> tuple[GoEnv, list[str]]:
    """The session's policy for GOWORK and GOFLAGS (see the module docstring)."""
    from analysis.goenv import flag_value, without_flag

    notes: list[str] = []
    modfile = flag_value(env.goflags, "modfile")
    if modfile is not None:
        raise GomodxError(
            f"GOFLAGS=-modfile={modfile}: gomodx reads {directory / 'go.mod'} only; unset"
            " -modfile (e.g. GOFLAGS= gomodx ...)"
        )
    env = dataclasses.replace(env, goflags=without_flag(env.goflags, "mod"))
    if env.gowork not in ("", "off"):
        notes.append(
            f"workspace mode (GOWORK={env.gowork}) is not modelled yet: gomodx works on"
            f" {directory} alone, as go does with GOWORK=off"
        )
        env = dataclasses.replace(env, gowork="off")
    return env, notes


def _go_binary(env: GoEnv) -> str | None:
    return env.go or shutil.which("go")


def _first_hint(exc: BaseException) -> str:
    """The first advice among ``exc`` and the failures beneath it."""
    for e in causes(exc):
        if isinstance(e, GomodxError) and e.hint:
            return e.hint
    return ""
