"""The gomodx terminal app: browse conflicts, see why, fetch versions, change versions, export.

::

    Session (main dir, ProxyClient) ──► GomodxApp ──► MainScreen (table, details)
          load / versions / plan            │          ├── TreeScreen (dependents, deps)
                                            │          ├── PlanScreen (preview, apply)
         FetchEvents ──► network log ◄──────┘          ├── PrefetchScreen, NetworkLogScreen
                                                       ├── ExportScreen, HelpScreen
                                                       └── command palette (bindings, modules)

The app is built by a factory with its inputs injected (:func:`make_app`, or
``GomodxApp(session)``), so tests, the screenshot script and ``gomodx --demo`` build it on
their own project and proxy. Everything slow runs in a worker with its own group; engine
errors become notifications, never tracebacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive

from analysis import modfile
from analysis.apply import ApplyResult, UndoResult, apply_plan
from analysis.apply import undo as undo_apply
from analysis.cache import CacheStack
from analysis.errors import GomodxError
from analysis.goenv import GoEnv, load_goenv
from analysis.goproxy import FetchEvent
from analysis.hashes import GoSum
from analysis.loader import LoadedGraph, load_module_graph
from analysis.module import ModuleVersion
from analysis.plan import Plan, plan_get
from analysis.proxy import DEFAULT_CONCURRENCY, ProxyClient
from analysis.source import ProxySource
from analysis.transport import proxy_transport
from analysis.versions import MainModule, ModuleVersions, module_versions
from tui.screens.palette import BindingCommands, ModuleCommands
from tui.widgets.rows import GraphFacts, build_facts
from tui.widgets.styles import APP_CSS

__all__ = [
    "DEMO_DIR",
    "GomodxApp",
    "NetState",
    "Session",
    "make_app",
    "run_app",
]

DEMO_DIR = Path(__file__).resolve().parent / "demo"
"""The bundled example: ``project/`` (a Go module) and ``proxy/`` (its GOPROXY)."""


# -- the session: inputs and engine calls, no widgets -------------------------------------


@dataclass
class Session:
    """One Go module and the proxy client the app reads it through.

    ``label`` says where modules come from (shown in the status bar). ``scratch`` is a
    temporary directory the session owns and deletes on :meth:`close` (the demo's copy).
    """

    main_dir: Path
    client: ProxyClient
    label: str
    demo: bool = False
    scratch: Path | None = None
    _versions: dict[str, asyncio.Future[ModuleVersions]] = field(default_factory=dict)

    @classmethod
    def for_directory(cls, directory: str | os.PathLike[str], *, offline: bool = False) -> Session:
        """A session on a real module: Go's settings, go.sum and caches, as ``go`` would."""
        d = Path(directory).resolve()
        if not d.is_dir():
            raise GomodxError(
                f"{directory}: no such directory (nor a gomodx command: see gomodx --help)"
            )
        if not (d / "go.mod").is_file():
            raise GomodxError(f"{d}: no go.mod here (run gomodx in a Go module, or --demo)")
        env = load_goenv(cwd=d)
        # The CLI's transport: lean keep-alive HTTP/1.1, httpx where that cannot do the job.
        client = ProxyClient(
            env,
            gosum=GoSum.read(d / "go.sum"),
            offline=offline,
            transport=proxy_transport(DEFAULT_CONCURRENCY),
        )
        label = "offline (module caches)" if client.offline else f"GOPROXY={env.goproxy}"
        return cls(d, client, label)

    @classmethod
    def for_demo(cls, *, offline: bool = False) -> Session:
        """The bundled example on a temporary copy (changes never touch the package)."""
        return cls.with_file_proxy(
            DEMO_DIR / "project", DEMO_DIR / "proxy", offline=offline, demo=True
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
        network. This is how the demo, the tests and the screenshots run.
        """
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
        client = ProxyClient(
            env,
            caches=CacheStack(None, None),
            gosum=GoSum.read(work / "go.sum"),
            use_go=False,
            offline=offline,
        )
        if not label:
            label = "demo proxy (file://, bundled)" if demo else f"GOPROXY={env.goproxy}"
        return cls(work, client, label, demo=demo, scratch=scratch)

    async def load(self) -> LoadedGraph:
        """The module graph ``go mod graph`` would print, through the proxy client."""
        return await load_module_graph(self.main_dir, ProxySource(self.client))

    async def versions(self, path: str, loaded: LoadedGraph | None) -> ModuleVersions:
        """``path``'s annotated versions, fetched once per graph (see :meth:`forget`).

        The fetch runs as its own task, so a caller that gives up (a cancelled worker)
        does not throw away an answer another caller, or the next highlight, will want.
        """
        task = self._versions.get(path)
        if task is None:
            task = asyncio.ensure_future(self._fetch_versions(path, loaded))
            self._versions[path] = task
            task.add_done_callback(lambda t: self._drop_failed(path, t))
        return await asyncio.shield(task)

    def _drop_failed(self, path: str, task: asyncio.Future[ModuleVersions]) -> None:
        if (task.cancelled() or task.exception() is not None) and self._versions.get(path) is task:
            del self._versions[path]

    async def _fetch_versions(self, path: str, loaded: LoadedGraph | None) -> ModuleVersions:
        selected = ""
        requested: dict[str, list[str]] = {}
        if loaded is not None:
            g = loaded.graph
            selected = g.selected().get(path, "")
            for v in g.versions(path):
                who = g.requirers(ModuleVersion(path, v))
                if who:
                    requested[v] = [str(w) for w in who]
        main = MainModule.load(self.main_dir)
        return await module_versions(
            self.client, path, main=main, selected=selected, requested_by=requested
        )

    async def plan(self, path: str, version: str) -> Plan:
        """What ``go get path@version`` would do (refusals are plans with ``ok`` false)."""
        return await plan_get(self.main_dir, ProxySource(self.client), f"{path}@{version}")

    async def refusal_chain(self, plan: Plan, depth: int = 6) -> list[ModuleVersion]:
        """The requirements that lead from the requested version to the one go insists on.

        go words a refusal as ``A@v (indirectly) requires B@w, not B@u``; this walks the
        go.mod files from ``A@v`` (breadth first, through the proxy client) to ``B@w`` and
        returns the chain, or ``[]`` when the text has another shape.
        """
        m = _REFUSAL.search(plan.error)
        if m is None:
            return []
        start = ModuleVersion.parse(m.group("from"))
        goal = ModuleVersion.parse(m.group("needs"))
        source = ProxySource(self.client)
        prev: dict[ModuleVersion, ModuleVersion | None] = {start: None}
        frontier = [start]
        for _ in range(depth):
            nxt: list[ModuleVersion] = []
            for node in frontier:
                if node == goal:
                    chain = [node]
                    while (p := prev[chain[-1]]) is not None:
                        chain.append(p)
                    return chain[::-1]
                try:
                    f = modfile.parse_lax("go.mod", await source.go_mod(node))
                except GomodxError:
                    continue
                for r in f.require:
                    if r.mod not in prev:
                        prev[r.mod] = node
                        nxt.append(r.mod)
            frontier = nxt
        return [start, goal] if goal in prev else []

    @property
    def backup_root(self) -> Path | None:
        """Where apply keeps its backups: inside the scratch copy for the demo and tests,
        gomodx's state directory (the engine's default) for a real module."""
        return self.scratch / "undo" if self.scratch is not None else None

    def apply(self, plan: Plan) -> ApplyResult:
        """Write the plan (backup first; refuses if go.mod or go.sum changed since)."""
        return apply_plan(plan, backup_root=self.backup_root)

    def undo(self) -> UndoResult:
        """Restore the files the last apply replaced (refuses if edited since)."""
        return undo_apply(self.main_dir, backup_root=self.backup_root)

    def cached_versions(self, path: str) -> ModuleVersions | None:
        fut = self._versions.get(path)
        if fut is not None and fut.done() and not fut.cancelled() and fut.exception() is None:
            return fut.result()
        return None

    def forget(self) -> None:
        """Drop memoised version lists (the go.mod changed: selections and excludes moved)."""
        for task in self._versions.values():
            task.cancel()
        self._versions.clear()

    async def close(self) -> None:
        self.forget()
        await self.client.aclose()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


_REFUSAL = re.compile(
    r"go: (?P<from>\S+@\S+) (?:indirectly )?requires (?P<needs>\S+@\S+), not \S+@\S+"
)


@dataclass(frozen=True)
class NetState:
    """How the proxy is doing, from the fetch events seen so far."""

    level: str = "idle"  # idle | online | degraded | offline
    requests: int = 0
    errors: int = 0
    retries: int = 0
    cache_hits: int = 0
    stale: int = 0

    def text(self) -> str:
        glyph = {"idle": "○", "online": "●", "degraded": "◐", "offline": "⊘"}[self.level]
        extra = []
        if self.errors:
            extra.append(f"{self.errors} errors")
        if self.retries:
            extra.append(f"{self.retries} retries")
        if self.stale:
            extra.append(f"{self.stale} stale")
        tail = f" ({', '.join(extra)})" if extra else ""
        return f"{glyph} {self.level}{tail}"


# -- the app ------------------------------------------------------------------------------


class GomodxApp(App[None]):
    """gomodx's Textual app; build it with :func:`make_app` or ``GomodxApp(session)``."""

    CSS = APP_CSS
    COMMANDS = App.COMMANDS | {BindingCommands, ModuleCommands}
    TITLE = "gomodx"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
        Binding("n", "network_log", "Network log", show=False, id="app.network-log"),
    ]

    @dataclass
    class GraphReady(Message, bubble=False):
        """A graph finished loading and its rows are computed (or it failed: ``error``)."""

        generation: int
        facts: GraphFacts | None
        error: str = ""

    @dataclass
    class VersionsReady(Message, bubble=False):
        """A module's version list arrived (``error`` set when the fetch failed)."""

        path: str
        versions: ModuleVersions | None
        error: str = ""

    @dataclass
    class FetchLogged(Message, bubble=False):
        """The proxy client reported a request or cache hit."""

        event: FetchEvent

    net: reactive[NetState] = reactive(NetState, always_update=True)

    def __init__(
        self,
        session: Session,
        *,
        prefetch: bool = False,
        animations: bool = True,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.prefetch_on_load = prefetch
        if not animations:
            self.animation_level = "none"
        if theme:
            self.theme = theme
        self.loaded: LoadedGraph | None = None
        self.facts: GraphFacts | None = None
        self.generation = 0
        self.fetch_log: list[FetchEvent] = []
        self.timings: dict[str, float] = {}
        self.filter_latencies: list[float] = []
        self.undo_stack: list[Plan] = []
        """Plans applied in this session, most recent last (undo takes them back)."""
        self._before_change: dict[str, str] | None = None
        self.known: dict[str, ModuleVersions] = {}
        """The last version list seen per module: retractions and deprecations outlive a
        reload (the session's per-graph memo does not)."""
        self.highlight_changes: Mapping[str, str] = {}
        """``path -> version before`` for modules the last apply or undo moved."""
        self._unsubscribe: Callable[[], None] | None = None
        self._counts = {"requests": 0, "errors": 0, "retries": 0, "cache": 0, "stale": 0}

    # -- lifecycle ------------------------------------------------------------------

    def on_mount(self) -> None:
        from tui.screens.main import MainScreen

        self._unsubscribe = self.session.client.subscribe(self._fetch_event)
        self._update_net()
        self.sub_title = str(self.session.main_dir.name)
        self.push_screen(MainScreen())
        self.reload()

    async def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        await self.session.close()

    # -- the graph ------------------------------------------------------------------

    def reload(self, *, highlight: bool = False) -> None:
        """Load (or reload) the module graph in a worker.

        With ``highlight``, modules whose selected version differs after the reload are
        marked in the list (old → new).
        """
        if highlight and self.loaded is not None:
            self._before_change = dict(self.loaded.graph.selected())
        self.generation += 1
        self.session.forget()
        self.load_graph(self.generation)

    @work(exclusive=True, group="graph", exit_on_error=False)
    async def load_graph(self, generation: int) -> None:
        start = time.perf_counter()
        try:
            loaded = await self.session.load()
            self.timings["loaded"] = time.perf_counter()
            self.timings["load"] = self.timings["loaded"] - start
            facts = build_facts(loaded, self._retractions(loaded))
        except GomodxError as exc:
            self.post_message(self.GraphReady(generation, None, str(exc)))
            return
        except OSError as exc:
            self.post_message(self.GraphReady(generation, None, f"{exc}"))
            return
        self.timings["facts"] = time.perf_counter() - self.timings["loaded"]
        if generation == self.generation:
            self.loaded = loaded
            self.facts = facts
        self.post_message(self.GraphReady(generation, facts))

    def _retractions(self, loaded: LoadedGraph | None = None) -> dict[str, str]:
        """``path -> rationale`` for every selected version known to be retracted."""
        out: dict[str, str] = {}
        loaded = loaded or self.loaded
        if loaded is None:
            return out
        sel = loaded.graph.selected()
        for path, v in sel.items():
            mv = self.known.get(path)
            entry = mv.entry(v) if mv is not None else None
            if entry is not None and entry.retracted:
                out[path] = "; ".join(entry.rationale)
        return out

    def on_gomodx_app_graph_ready(self, message: GraphReady) -> None:
        if message.generation != self.generation:
            return  # a reload overtook this one
        if self._before_change is not None and message.facts is not None:
            before, self._before_change = self._before_change, None
            self.highlight_changes = {
                r.path: before.get(r.path, "")
                for r in message.facts.rows
                if before.get(r.path) != r.version
            }
        if message.error:
            self.notify(message.error, title="Cannot load the module graph", severity="error")
        elif self.prefetch_on_load and message.facts is not None:
            self.prefetch_on_load = False
            self.prefetch_all()
        self._forward(message)

    def _forward(self, message: Message) -> None:
        """Hand an app-level message to the main screen (wherever it is in the stack)."""
        from tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.post_message(message)

    # -- versions ---------------------------------------------------------------------

    async def fetch_versions(self, path: str) -> ModuleVersions:
        """Fetch (or reuse) ``path``'s versions and tell the main screen."""
        try:
            mv = await self.session.versions(path, self.loaded)
        except (GomodxError, OSError) as exc:
            self._update_net()
            self._forward(self.VersionsReady(path, None, str(exc)))
            raise
        self._update_net()
        self.known[path] = mv
        self._forward(self.VersionsReady(path, mv))
        entry = mv.entry(mv.selected) if mv.selected else None
        if entry is not None and entry.retracted and self.facts is not None:
            row = next((r for r in self.facts.rows if r.path == path), None)
            if row is not None and not row.retracted:
                self.refresh_facts()
        return mv

    @work(group="facts", exclusive=True, exit_on_error=False)
    async def refresh_facts(self) -> None:
        """Recompute rows and risks once retractions are known (debounced: many arrive
        together during a prefetch)."""
        await asyncio.sleep(0.25)
        loaded, generation = self.loaded, self.generation
        if loaded is None:
            return
        facts = await asyncio.to_thread(build_facts, loaded, self._retractions())
        if generation == self.generation:
            self.facts = facts
            self._forward(self.GraphReady(generation, facts))

    @work(group="prefetch", exclusive=True, exit_on_error=False)
    async def prefetch_all(self) -> None:
        """Fetch every build-list module's versions in the background (no screen)."""
        facts = self.facts
        if facts is None:
            return
        limit = asyncio.Semaphore(8)

        async def one(path: str) -> None:
            async with limit:
                with contextlib.suppress(GomodxError, OSError):
                    await self.fetch_versions(path)

        await asyncio.gather(*(one(r.path) for r in facts.rows if not r.main))

    # -- the network log ----------------------------------------------------------------

    def _fetch_event(self, event: FetchEvent) -> None:
        self.fetch_log.append(event)
        c = self._counts
        if event.outcome == "cache_hit":
            c["cache"] += 1
        else:
            c["requests"] += 1
        if event.outcome in ("error", "fallthrough"):
            c["errors"] += 1
        if event.outcome == "retry":
            c["retries"] += 1
        if event.stale:
            c["stale"] += 1
        self._update_net()
        self.post_message(self.FetchLogged(event))

    def _update_net(self) -> None:
        c = self._counts
        if self.session.client.offline:
            level = "offline"
        elif c["errors"] or c["retries"] or c["stale"]:
            level = "degraded"
        elif c["requests"] or c["cache"]:
            level = "online"
        else:
            level = "idle"
        net = NetState(level, c["requests"], c["errors"], c["retries"], c["cache"], c["stale"])
        if net != self.net:
            self.net = net

    def on_gomodx_app_fetch_logged(self, message: FetchLogged) -> None:
        from tui.screens.fetch import NetworkLogScreen

        stack = self.screen_stack  # empty while the app shuts down
        if stack and isinstance(stack[-1], NetworkLogScreen):
            stack[-1].add_event(message.event)

    # -- changing versions ------------------------------------------------------------

    def preview_change(self, path: str, version: str) -> None:
        """Open the preview of ``go get path@version``."""
        from tui.screens.plan import PlanScreen

        if self.loaded is None:
            self.notify("The graph is still loading", severity="warning")
            return
        current = self.loaded.graph.selected().get(path, "")
        self.push_screen(PlanScreen(path, version, current))

    async def apply_plan(self, plan: Plan) -> None:
        """Write the plan, remember it for undo, reload and highlight what moved."""
        result = await asyncio.to_thread(self.session.apply, plan)
        if not result.changed:
            self.notify("go.mod and go.sum already say this; nothing was written.")
            return
        self.undo_stack.append(plan)
        removed = [c.path for c in plan.changes if c.to == "none"]
        detail = f" Removed: {', '.join(removed)}." if removed else ""
        self.notify(
            f"{len(plan.changes)} module(s) changed.{detail} Press u to undo.",
            title=f"Applied go get {plan.target.raw}",
        )
        self.reload(highlight=True)

    def undo_change(self) -> None:
        """Undo the last apply (also one made by an earlier run: backups are on disk)."""
        self.run_undo()

    @work(group="apply", exclusive=True, exit_on_error=False)
    async def run_undo(self) -> None:
        try:
            result = await asyncio.to_thread(self.session.undo)
        except (GomodxError, OSError) as exc:
            self.notify(str(exc), title="Not undone", severity="error")
            return
        if self.undo_stack:
            self.undo_stack.pop()
        self.notify(f"go.mod restored (undid go get {result.target})", title="Undone")
        self.reload(highlight=True)

    def go_to_module(self, path: str) -> None:
        """Show ``path`` in the main list (from the command palette)."""
        from tui.screens.main import MainScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, MainScreen):
            self.pop_screen()
        if isinstance(self.screen, MainScreen):
            self.screen.select_module(path)

    # -- actions ------------------------------------------------------------------------

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_network_log(self) -> None:
        from tui.screens.fetch import NetworkLogScreen

        if not isinstance(self.screen, NetworkLogScreen):
            self.push_screen(NetworkLogScreen())


def make_app(
    directory: str | os.PathLike[str] | None = None,
    *,
    demo: bool = False,
    offline: bool = False,
    prefetch: bool | None = None,
    animations: bool = True,
    theme: str | None = None,
) -> GomodxApp:
    """The app on ``directory`` (a Go module), or on the bundled demo."""
    if demo:
        session = Session.for_demo(offline=offline)
    else:
        session = Session.for_directory(directory or ".", offline=offline)
    return GomodxApp(
        session,
        prefetch=demo if prefetch is None else prefetch,
        animations=animations,
        theme=theme,
    )


def run_app(directory: str | None, *, demo: bool = False, offline: bool = False) -> int:
    """Open the app (the ``gomodx [DIR]`` / ``gomodx --demo`` entry point)."""
    app = make_app(directory, demo=demo, offline=offline)
    app.run()
    return 0
