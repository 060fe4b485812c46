"""The gomodx terminal app: browse conflicts, see why, fetch versions, change versions, export.

::

    analysis.session.Session ──► GomodxApp ──► MainScreen (table, details)
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
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive

from analysis.errors import GomodxError
from analysis.plan import Plan
from analysis.proxy import FetchEvent
from analysis.session import LoadedModule, Session, SessionOptions
from analysis.versions import ModuleVersions
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


def demo_session(*, offline: bool = False) -> Session:
    """The bundled example on a temporary copy (changes never touch the package)."""
    return Session.with_file_proxy(
        DEMO_DIR / "project", DEMO_DIR / "proxy", offline=offline, demo=True
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
        self.loaded: LoadedModule | None = None
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

        self._unsubscribe = self.session.subscribe(self._fetch_event)
        for note in self.session.notes:
            self.notify(note, title="Note", severity="warning", timeout=10)
        self._update_net()
        self.sub_title = str(self.session.directory.name)
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

    def _retractions(self, loaded: LoadedModule | None = None) -> dict[str, str]:
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
        if self.session.offline:
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
    graph: str | None = None,
) -> GomodxApp:
    """The app on ``directory`` (a Go module), or on the bundled demo; with ``graph``,
    on that recorded ``go mod graph`` output."""
    if demo:
        session = demo_session(offline=offline)
    else:
        session = Session.open(directory or ".", SessionOptions(offline=offline, graph_file=graph))
    return GomodxApp(
        session,
        prefetch=demo if prefetch is None else prefetch,
        animations=animations,
        theme=theme,
    )


def run_app(
    directory: str | None, *, demo: bool = False, offline: bool = False, graph: str | None = None
) -> int:
    """Open the app (the ``gomodx [DIR]`` / ``gomodx --demo`` entry point)."""
    app = make_app(directory, demo=demo, offline=offline, graph=graph)
    app.run()
    return 0
