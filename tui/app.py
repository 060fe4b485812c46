"""The gomodx terminal app: browse conflicts, see why, fetch versions, change versions, export.

::

    analysis.session.Session ──► GomodxApp ──► MainScreen (table, details)
          load / versions / plan     │  ▲          ├── TreeScreen (dependents, deps)
                                     │  │          ├── PlanScreen (preview, apply)
         FetchEvents ──► app.net     │  commands   ├── PrefetchScreen, NetworkLogScreen
                                     ▼  │          ├── ExportScreen, HelpScreen
              app.graph, app.versions, app.net     └── command palette (bindings, modules)
              (tui.state; screens watch them)

The app is built by a factory with its inputs injected (:func:`make_app`, or
``GomodxApp(session)``), so tests, the screenshot script and ``gomodx --demo`` build it on
their own project and proxy. The app alone holds the session; screens read the state in
:mod:`tui.state` and ask the app to act through its methods (commands go up, state comes
down). Everything slow runs in a worker with its own group; a worker that fails becomes a
notification (and a traceback in the error log, :mod:`tui.errors`), never a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.worker import Worker

from analysis.errors import (
    GomodxError,
    GraphError,
    ModfileError,
    ProxyError,
    ProxyUnavailable,
    causes,
)
from analysis.goproxy import FetchEvent
from analysis.module import ModuleVersion
from analysis.outdated import Outdated
from analysis.plan import Plan
from analysis.session import Session, SessionOptions
from analysis.sumdb import SumCheck
from analysis.versions import ModuleVersions
from analysis.vulnscan import Finding
from analysis.worksync import WorkSync
from tui.config import UserConfig, default_config_path
from tui.errors import (
    ErrorLog,
    ForwardsWorkerErrors,
    default_log_path,
    error_message,
)
from tui.screens.palette import BindingCommands, ModuleCommands
from tui.state import GraphState, NetState, TrustState, VersionsState
from tui.widgets.rows import build_facts
from tui.widgets.styles import APP_CSS

if TYPE_CHECKING:
    from analysis.tidy import TidyPlan

__all__ = [
    "DEMO_DIR",
    "GomodxApp",
    "NetState",
    "Session",
    "make_app",
    "run_app",
]

_OFFER_OFFLINE = "proxy unreachable: press o to retry offline from the module caches"
_OFFER_DOCTOR = "press d to diagnose why (gomodx doctor)"
_OFFER_BOTH = f"{_OFFER_OFFLINE}, or d to diagnose why"

DEMO_DIR = Path(__file__).resolve().parent / "demo"
"""The bundled example: ``project/`` (a Go module), ``proxy/`` (its GOPROXY) and
``vulndb/`` (its GOVULNDB: made-up entries about the demo's made-up modules)."""


def demo_session(*, offline: bool = False) -> Session:
    """The bundled example on a temporary copy (changes never touch the package), with
    its own vulnerability database (file://: no network)."""
    session = Session.with_file_proxy(
        DEMO_DIR / "project", DEMO_DIR / "proxy", offline=offline, demo=True
    )
    session.govulndb = (DEMO_DIR / "vulndb").as_uri()
    session.mark_vulns()
    return session


DEMO_ADMIN_GO_MOD = """module example.com/admin

go 1.22

require (
	example.com/json v1.1.0
	example.com/money v1.4.2
	example.com/router v1.9.0
)
"""

DEMO_ADMIN_GO = """package admin

import (
	_ "example.com/json"
	_ "example.com/money"
	_ "example.com/router"
)
"""


def demo_workspace_session(scratch: Path, *, offline: bool = False) -> Session:
    """A workspace made from the bundled example (written under ``scratch``): the shop
    module beside an ``admin`` module that asks for newer router and money versions and
    an older json, one go.work using both; opened in the shop module."""
    import shutil

    root = scratch / "workspace"
    shutil.copytree(DEMO_DIR / "project", root / "shop")
    (root / "admin").mkdir(parents=True)
    (root / "admin" / "go.mod").write_text(DEMO_ADMIN_GO_MOD)
    (root / "admin" / "admin.go").write_text(DEMO_ADMIN_GO)
    (root / "go.work").write_text("go 1.22\n\nuse (\n\t./shop\n\t./admin\n)\n")
    return Session.with_file_proxy(
        root, DEMO_DIR / "proxy", offline=offline, demo=True, module="shop"
    )


# -- the app ------------------------------------------------------------------------------


class GomodxApp(ForwardsWorkerErrors, App[None]):
    """gomodx's Textual app; build it with :func:`make_app` or ``GomodxApp(session)``.

    State (read it, watch it; only the app sets it): :attr:`graph`, :attr:`versions`,
    :attr:`net`. Commands: :meth:`reload`, :meth:`fetch_versions`, :meth:`plan`,
    :meth:`preview_change`, :meth:`apply_plan`, :meth:`undo_change`, :meth:`prefetch_all`,
    :meth:`go_to_module`, :meth:`set_offline`.
    """

    CSS = APP_CSS
    COMMANDS = App.COMMANDS | {BindingCommands, ModuleCommands}
    TITLE = "gomodx"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
        Binding("n", "network_log", "Network log", show=False, id="app.network-log"),
        Binding("o", "retry_offline", "Retry offline", show=False, id="app.offline"),
        Binding("d", "doctor", "Doctor", show=False, id="app.doctor"),
    ]

    _keep_theme = False
    """Whether a theme change is the user's, to keep (from on_mount on)."""

    # Replaced whole, never mutated: always_update spares comparing big values.
    graph: reactive[GraphState] = reactive(GraphState, always_update=True)
    """The module graph and its rows (:class:`~tui.state.GraphState`)."""
    versions: reactive[VersionsState] = reactive(VersionsState, always_update=True)
    """Version lists fetched so far (:class:`~tui.state.VersionsState`)."""
    net: reactive[NetState] = reactive(NetState, always_update=True)
    """How the proxy is doing, and the request log (:class:`~tui.state.NetState`)."""
    trust: reactive[TrustState] = reactive(TrustState, always_update=True)
    """Vulnerabilities of the build list and who vouches for each go.mod
    (:class:`~tui.state.TrustState`)."""

    def __init__(
        self,
        session: Session,
        *,
        prefetch: bool = False,
        animations: bool = True,
        theme: str | None = None,
        log_path: Path | None = None,
        config_path: Path | None = None,
    ) -> None:
        """``log_path``: where tracebacks of failed workers go (default: beside the
        session's state directory, else the user state directory). ``config_path``: the
        settings file (default: :func:`~tui.config.default_config_path`); the theme chosen
        in the command palette is kept there, and restored unless ``theme`` is given."""
        super().__init__()
        self.session = session
        self.prefetch_on_load = prefetch
        if not animations:
            self.animation_level = "none"
        self.config = UserConfig(config_path if config_path is not None else default_config_path())
        self._config_warned = False
        saved = self.config.theme
        if theme:
            self.theme = theme
        elif saved and saved in self.available_themes:
            self.theme = saved
        elif saved and not self.config.problem:
            self.config.problem = f"unknown theme {saved!r} in {self.config.path}: ignored"
        self.error_log = ErrorLog(
            log_path if log_path is not None else default_log_path(session.options.state_dir),
            on_broken=self._log_broken,
        )
        log = session.requests.events
        self.net = NetState(session.label, session.offline, events=len(log), log=log)
        self.timings: dict[str, float] = {}
        """How long the last load took (``load``, ``facts``; ``loaded``: when it ended)."""
        self.undo_stack: list[Plan | WorkSync] = []
        """Plans (and ``go work sync`` previews) applied in this session, most recent last
        (undo takes them back)."""
        self.outdated_stale = False
        """Whether a change was applied since the outdated view last asked."""
        self.untidy = False
        """Whether the last applied change left go.mod untidy (it was tidy before)."""
        self.import_paths: dict[str, str] = {}
        """``go mod why -m --all`` for every module of the build list, once asked for
        (``I``); emptied when the graph reloads."""
        self._graph_worker: Worker[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None

    # -- lifecycle ------------------------------------------------------------------

    def on_mount(self) -> None:
        from tui.screens.main import MainScreen

        self._unsubscribe = self.session.subscribe(self._fetch_event)
        for note in self.session.notes:
            self.notify(note, title="Note", severity="warning", timeout=10)
        if self.session.workspace_note:
            self.notify(self.session.workspace_note, title="Workspace", timeout=10)
        self._warn_config()
        self._keep_theme = True
        self.sub_title = str(self.session.directory.name)
        self.push_screen(MainScreen())
        self.reload()

    async def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        await self.session.close()

    # -- failures ---------------------------------------------------------------------

    def worker_failed(self, worker: Worker[Any]) -> None:
        """The one handler for a worker that raised, whoever started it
        (:class:`~tui.errors.ForwardsWorkerErrors` calls it)."""
        exc = worker.error
        if exc is None:
            return
        text = error_message(exc)
        where = f"worker {worker.name!r} of {type(worker.node).__name__}"
        logged = self.error_log.write(exc, where)
        if isinstance(exc, GomodxError | OSError):
            title, note = "Error", ""
        else:
            title = "Unexpected error"
            note = f"\n(the traceback is in {self.error_log.path})" if logged else ""
        self.notify(text + note, title=title, severity="error", timeout=15, markup=False)
        if worker is self._graph_worker:
            # The list must not stay "loading" for ever: the status bar says why.
            self.graph = self.graph.failed(text)

    def _warn_config(self) -> None:
        """Say once that the settings file is ignored or could not be written."""
        if self.config.problem and not self._config_warned:
            self._config_warned = True
            self.notify(
                self.config.problem,
                title="Settings",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def watch_theme(self, theme: str) -> None:
        # The theme chosen in the command palette is kept for the next run.
        if self._keep_theme and not self.config.set_theme(theme):
            self._warn_config()

    def _log_broken(self, problem: str) -> None:
        self.notify(
            f"{problem}; errors are shown but not logged",
            title="No error log",
            severity="warning",
            timeout=15,
            markup=False,
        )

    # -- the graph ------------------------------------------------------------------

    def reload(self, *, highlight: str = "") -> None:
        """Load (or reload) the module graph in a worker.

        With ``highlight`` (``changed``: after an apply, ``undone``: after an undo),
        modules whose selected version differs after the reload are marked in the list
        (old → new, and the word).
        """
        self.session.forget()
        self.import_paths = {}
        graph = self.graph.reloading(highlight=highlight)
        self.versions = self.versions.for_graph(graph.generation)
        self.trust = self.trust.for_graph(graph.generation)
        self.graph = graph
        self._graph_worker = self.load_graph(graph.generation)

    @work(exclusive=True, group="graph", exit_on_error=False)
    async def load_graph(self, generation: int) -> None:
        start = time.perf_counter()
        try:
            loaded = await self.session.load()
            self.timings["loaded"] = time.perf_counter()
            self.timings["load"] = self.timings["loaded"] - start
            facts = build_facts(loaded, self.versions.retractions(loaded))
        except (GomodxError, OSError) as exc:
            if generation != self.graph.generation:
                return
            broken = self._broken_file(exc)
            text = error_message(exc)
            if (
                not broken
                and not self.session.offline
                and any(isinstance(e, ProxyUnavailable) for e in causes(exc))
            ):
                text = f"{_OFFER_BOTH}\n{text}"
            elif not broken and any(isinstance(e, ProxyError) for e in causes(exc)):
                text = f"{text}\n{_OFFER_DOCTOR}"
            self.graph = self.graph.failed(text, broken_file=broken)
            if broken:
                self._show_load_error()
            else:
                self.notify(
                    text,
                    title="Cannot load the module graph",
                    severity="error",
                    markup=False,
                )
            return
        self.timings["facts"] = time.perf_counter() - self.timings["loaded"]
        if generation != self.graph.generation:
            return  # a reload overtook this one
        self.sub_title = f"{facts.main}"
        if loaded.workspace is not None:
            mains = [m.path for m in loaded.main_modules()]
            self.sub_title = f"workspace {loaded.workspace.path}: main modules {', '.join(mains)}"
        self.graph = self.graph.loaded_as(loaded, facts)
        if self.session.options.vulns:
            self.scan_vulns()
        if self.prefetch_on_load:
            self.prefetch_on_load = False
            self.prefetch_all()

    def _broken_file(self, exc: BaseException) -> bool:
        """Whether a failed load is the module's own files' fault: its go.mod (or the
        recorded graph) does not parse, or go.mod is missing or unreadable. Not a
        transient failure: it needs an edit, and gets a screen of its own."""
        gomod = self.session.directory / "go.mod"
        for cause in causes(exc):
            if isinstance(cause, ModfileError) and any(
                (self.session.directory / e.filename).resolve() == gomod.resolve()
                for e in cause.entries
            ):
                return True
            if isinstance(cause, GraphError) and cause.filename:
                return cause.filename == self.session.options.graph_file
        if self.session.options.graph_file is not None:
            return False
        return not gomod.is_file() or not os.access(gomod, os.R_OK)

    def _show_load_error(self) -> None:
        from tui.screens.load_error import LoadErrorScreen

        if not isinstance(self.screen, LoadErrorScreen):
            self.push_screen(LoadErrorScreen())

    @work(group="facts", exclusive=True, exit_on_error=False)
    async def refresh_facts(self) -> None:
        """Recompute rows and risks once retractions are known (debounced: many arrive
        together during a prefetch)."""
        await asyncio.sleep(0.25)
        graph = self.graph
        if graph.loaded is None:
            return
        facts = await asyncio.to_thread(
            build_facts, graph.loaded, self.versions.retractions(graph.loaded)
        )
        if self.graph.generation == graph.generation and self.graph.loaded is graph.loaded:
            self.graph = self.graph.with_facts(facts)

    # -- versions ---------------------------------------------------------------------

    async def fetch_versions(self, path: str) -> ModuleVersions:
        """Fetch (or reuse) ``path``'s versions; they land in :attr:`versions`.

        Raises what the fetch raised (after recording it, so the pane can say why).
        """
        generation = self.graph.generation
        try:
            mv = await self.session.versions(path, self.graph.loaded)
        except Exception as exc:
            self.versions = self.versions.with_error(generation, path, error_message(exc))
            raise
        self.versions = self.versions.with_list(generation, path, mv)
        entry = mv.entry(mv.selected) if mv.selected else None
        facts = self.graph.facts
        if entry is not None and entry.retracted and facts is not None:
            row = next((r for r in facts.rows if r.path == path), None)
            if row is not None and not row.retracted:
                self.refresh_facts()
        return mv

    @work(group="prefetch", exclusive=True, exit_on_error=False)
    async def prefetch_all(self) -> None:
        """Fetch every build-list module's versions in the background (no screen)."""
        facts = self.graph.facts
        if facts is None:
            return
        limit = asyncio.Semaphore(8)

        async def one(path: str) -> None:
            async with limit:
                with contextlib.suppress(GomodxError, OSError):
                    await self.fetch_versions(path)

        await asyncio.gather(*(one(r.path) for r in facts.rows if not r.main))

    # -- trust: vulnerabilities and checksums -------------------------------------------

    def enable_vulns(self) -> None:
        """Check the build list against GOVULNDB (again) and mark vulnerable versions in
        every version list from now on."""
        if not self.session.options.vulns:
            self.session.mark_vulns()
            # the lists fetched so far lack the marks: fetch them again
            self.versions = self.versions.for_graph(self.graph.generation)
        self.scan_vulns()

    @work(group="vulns", exclusive=True, exit_on_error=False)
    async def scan_vulns(self) -> None:
        """The module-level scan of the loaded build list (``gomodx vuln``'s); findings
        land in :attr:`trust`, by build-list path."""
        graph = self.graph
        loaded = graph.loaded
        if loaded is None:
            return
        generation = graph.generation
        self.trust = self.trust.started(generation)
        try:
            found = await self.session.vuln_scan(loaded)
        except (GomodxError, OSError) as exc:
            text = error_message(exc)
            self.trust = self.trust.with_error(generation, text)
            self.notify(text, title="Vulnerabilities", severity="warning", markup=False)
            return
        by_target: dict[tuple[str, str], list[Finding]] = {}
        for f in found:
            by_target.setdefault((f.module, f.version), []).append(f)
        findings: dict[str, tuple[Finding, ...]] = {}
        for m in loaded.build_list():
            rep = loaded.replacement(m)
            target = (
                (rep.path, rep.version) if rep is not None and rep.version else (m.path, m.version)
            )
            hits = by_target.get(target)
            if hits and m.version:
                findings[m.path] = tuple(hits)
        self.trust = self.trust.with_findings(generation, findings)

    async def check_trust(self, path: str, version: str) -> SumCheck:
        """Who vouches for ``path@version``'s go.mod (:meth:`Session.trust`; a replaced
        module's replacement), once."""
        known = self.trust.check(path, version)
        if known is not None:
            return known
        loaded = self.graph.loaded
        rep = loaded.replacement(ModuleVersion(path, version)) if loaded is not None else None
        if rep is None:
            check = await self.session.trust(path, version)
        elif rep.version:  # go checks the replacement's go.mod
            check = await self.session.trust(rep.path, rep.version)
        else:  # a directory: nothing is downloaded, nothing is checked
            check = SumCheck(f"{path} {version}/go.mod", "skipped", f"replaced by {rep.path}")
        self.trust = self.trust.with_check(path, version, check)
        return check

    @work(group="fix", exclusive=True, exit_on_error=False)
    async def preview_fix(self, path: str) -> None:
        """Find the nearest fixed version of ``path`` (:meth:`Session.vuln_fix`, as
        ``gomodx vuln --fix``) and open the preview of ``go get`` to it."""
        from tui.screens.plan import PlanScreen

        loaded = self.graph.loaded
        if loaded is None:
            self.notify("The graph is still loading", severity="warning")
            return
        self.notify(f"Looking for the nearest fixed version of {path}…", timeout=4)
        try:
            fix = await self.session.vuln_fix(path, loaded=loaded)
        except (GomodxError, OSError) as exc:
            self.notify(error_message(exc), title="Nearest fixed version", severity="error")
            return
        if fix.plan is None:
            title = f"{path}@{fix.version}"
            self.notify(fix.error, title=title, severity="warning", markup=False)
            return
        current = loaded.graph.selected().get(path, "")
        note = f"nearest version free of {', '.join(fix.ids)}"
        self.push_screen(PlanScreen(path, fix.fixed, current, plan=fix.plan, note=note))

    # -- the network ------------------------------------------------------------------

    def _fetch_event(self, event: FetchEvent) -> None:
        # The session's request log (net.log) already holds the event: it subscribed first.
        self.net = self.net.after(event)

    def set_offline(self, offline: bool = True) -> None:
        """Answer from the module caches only from now on (or go back online)."""
        self.session.client.offline = offline
        self.net = replace(self.net, offline=self.session.offline)

    # -- changing versions ------------------------------------------------------------

    async def plan(self, path: str, version: str) -> Plan:
        """What ``go get path@version`` would do (a refusal is a plan with ``error``)."""
        return await self.session.plan(f"{path}@{version}")

    async def plan_targets(self, targets: list[str]) -> Plan:
        """What ``go get TARGET...`` would do, all at once (with the nearest combination
        go accepts as the suggestion when it refuses)."""
        return await self.session.plan(targets)

    async def outdated(self) -> list[Outdated]:
        """Every build-list module with its update, level and compatible version."""
        graph = self.graph
        # While a reload runs (after an apply), the loaded graph is the old one.
        return await self.session.outdated(None if graph.loading else graph.loaded)

    def preview_changes(self, targets: list[str]) -> None:
        """Open the preview of one ``go get`` of several arguments."""
        from tui.screens.plan import PlanScreen

        if not targets:
            return
        path, _, version = targets[0].rpartition("@")
        self.push_screen(PlanScreen(path, version, "", targets=targets))

    def show_outdated(self) -> None:
        """Open the outdated view."""
        from tui.screens.outdated import OutdatedScreen

        if self.graph.loaded is None:
            self.notify("The graph is still loading", severity="warning")
            return
        if not isinstance(self.screen, OutdatedScreen):
            self.push_screen(OutdatedScreen())

    def preview_change(self, path: str, version: str) -> None:
        """Open the preview of ``go get path@version``."""
        from tui.screens.plan import PlanScreen

        loaded = self.graph.loaded
        if loaded is None:
            self.notify("The graph is still loading", severity="warning")
            return
        current = loaded.graph.selected().get(path, "")
        self.push_screen(PlanScreen(path, version, current))

    async def apply_plan(self, plan: Plan) -> None:
        """Write the plan, remember it for undo, reload and highlight what moved; when it
        leaves a tidy go.mod untidy, offer ``go mod tidy`` (``T``)."""
        result = await asyncio.to_thread(self.session.apply, plan)
        if not result.changed:
            self.notify("go.mod and go.sum already say this; nothing was written.")
            return
        self.undo_stack.append(plan)
        self.outdated_stale = True
        removed = [c.path for c in plan.changes if c.to == "none"]
        detail = f" Removed: {', '.join(removed)}." if removed else ""
        self.notify(
            f"{len(plan.changes)} module(s) changed.{detail} Press u to undo.",
            title=f"Applied go get {plan.command}",
        )
        self.reload(highlight="changed")
        self.offer_tidy(plan)

    async def load_import_paths(self) -> None:
        """Fill :attr:`import_paths`: every shortest import path to each module of the
        build list (one package load for all)."""
        if self.import_paths:
            return
        loaded = self.graph.loaded
        if loaded is None:
            return
        mods = [m.path for m in loaded.build_list() if m.version]
        if not mods:
            return
        text = await self.session.why_imports(mods, modules=True, all_paths=True)
        out: dict[str, str] = {}
        for stanza in ("\n" + text).split("\n# ")[1:]:
            head, _, body = stanza.partition("\n")
            out[head] = body
        self.import_paths = out

    def preview_tidy(self) -> None:
        """Open the preview of ``go mod tidy``."""
        from tui.screens.tidy import TidyScreen

        self.push_screen(TidyScreen())

    async def apply_tidy(self, plan: TidyPlan) -> None:
        """Write what ``go mod tidy`` would write, remember it for undo, reload."""
        result = await asyncio.to_thread(self.session.apply, plan)
        if not result.changed:
            self.notify("go.mod and go.sum are already tidy; nothing was written.")
            return
        self.undo_stack.append(plan)
        self.notify("go.mod and go.sum tidied. Press u to undo.", title="Applied go mod tidy")
        self.reload(highlight="changed")

    @work(group="tidy-check", exclusive=True, exit_on_error=False)
    async def offer_tidy(self, applied: Plan) -> None:
        """After ``applied`` was written: if go.mod is no longer tidy but was before (the
        files ``applied`` replaced, tidied in the background), say so (T previews it)."""
        self.untidy = False
        try:
            after = await self.session.tidy()
            if not after.ok or after.tidy:
                return
            before = await self.session.tidy(files=(applied.gomod_before, applied.gosum_before))
        except (GomodxError, OSError):
            return
        if before.ok and before.tidy:
            self.untidy = True
            self.notify(
                "go.mod is no longer tidy: press T to preview go mod tidy.",
                title="Not tidy",
                severity="warning",
            )

    def undo_change(self) -> None:
        """Undo the last apply (also one made by an earlier run: backups are on disk)."""
        self.run_undo()

    @work(group="apply", exclusive=True, exit_on_error=False)
    async def run_undo(self) -> None:
        last = self.undo_stack[-1] if self.undo_stack else None
        undo = self.session.undo_worksync if isinstance(last, WorkSync) else self.session.undo
        try:
            result = await asyncio.to_thread(undo)
        except (GomodxError, OSError) as exc:
            self.notify(str(exc), title="Not undone", severity="error")
            return
        if self.undo_stack:
            self.undo_stack.pop()
        if isinstance(last, WorkSync):
            self.session.reopen_workspace()
            files = ", ".join([*result.restored, *result.removed])
            self.notify(f"{files} restored (undid go work sync)", title="Undone")
        else:
            undid = result.target if result.target.startswith("go ") else f"go get {result.target}"
            self.notify(f"go.mod restored (undid {undid})", title="Undone")
        self.reload(highlight="undone")

    def preview_worksync(self) -> None:
        """Open the preview of ``go work sync`` (in a workspace)."""
        from tui.screens.worksync import WorkSyncScreen

        if self.session.workspace is None:
            self.notify("Not in a workspace: there is no go.work here", severity="warning")
            return
        self.push_screen(WorkSyncScreen())

    async def apply_worksync(self, sync: WorkSync) -> None:
        """Write a ``go work sync`` preview (every file at once), remember it for undo,
        reload and highlight what moved."""
        result = await asyncio.to_thread(self.session.apply_worksync, sync)
        if not result.changed:
            self.notify("The files already say this; nothing was written.")
            return
        self.undo_stack.append(sync)
        self.notify(
            f"Wrote {', '.join(result.written)}. Press u to undo them all.",
            title="Applied go work sync",
        )
        # The workspace's files changed: the session reads them again.
        self.session.reopen_workspace()
        self.reload(highlight="changed")

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

    def action_retry_offline(self) -> None:
        """``o``: load again from the module caches only (offered when the proxy failed)."""
        if not self.session.offline:
            self.set_offline()
            self.reload()

    def action_doctor(self) -> None:
        """``d``: why downloads fail here (offered when a load or the proxy failed)."""
        from tui.screens.doctor import DoctorScreen

        if not isinstance(self.screen, DoctorScreen):
            self.push_screen(DoctorScreen())

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
    log_path: Path | None = None,
    graph: str | None = None,
) -> GomodxApp:
    """The app on ``directory`` (a Go module), or on the bundled demo; with ``graph``,
    on that recorded ``go mod graph`` output. ``log_path`` is where tracebacks of
    failures go (see :class:`GomodxApp`)."""
    if demo:
        session = demo_session(offline=offline)
    else:
        # A database the user named is one they chose to be asked: scan on load (else V).
        vulns = bool(os.environ.get("GOVULNDB", "").strip())
        session = Session.open(
            directory or ".", SessionOptions(offline=offline, graph_file=graph, vulns=vulns)
        )
    return GomodxApp(
        session,
        prefetch=demo if prefetch is None else prefetch,
        animations=animations,
        theme=theme,
        log_path=log_path,
    )


def run_app(
    directory: str | None, *, demo: bool = False, offline: bool = False, graph: str | None = None
) -> int:
    """Open the app (the ``gomodx [DIR]`` / ``gomodx --demo`` entry point)."""
    app = make_app(directory, demo=demo, offline=offline, graph=graph)
    app.run()
    return 0
