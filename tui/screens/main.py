"""The main screen: the build list on the left, the highlighted module's details on the right.

It follows the app's state (``graph``, ``versions``, ``net``: :mod:`tui.state`) and asks the
app to act (reload, fetch versions, preview a change, undo); it never keeps the graph
itself beyond the rows it shows.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input

from analysis.errors import GomodxError
from tui.errors import ForwardsWorkerErrors, error_message
from tui.widgets.details import DetailsPane, VersionTable, versions_note
from tui.widgets.module_table import ModuleTable
from tui.widgets.rows import (
    ModuleRow,
    filter_rows,
    legend,
    sort_rows,
    with_versions,
    with_vulns,
)
from tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from tui.app import GomodxApp
    from tui.state import GraphState, NetState, TrustState, VersionsState

__all__ = ["MainScreen"]

VERSIONS_DEBOUNCE = 0.12
"""Seconds the cursor must rest on a module before its versions are fetched."""
DETAILS_DEBOUNCE = 0.15
"""Seconds the filter must be left alone before the details follow the list."""


class MainScreen(ForwardsWorkerErrors, Screen[None]):
    """Browse the build list; everything else starts here."""

    AUTO_FOCUS = "#modules"
    HELP_GROUP = "Main screen"
    # A class for the stylesheet: under 100 columns the list takes more of the width.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual's type)

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority bindings run as the key arrives, before the keys typed after it are
        # handed to whatever has focus: "/pric" typed (or pasted) fast all lands in the
        # filter, and "Enter ?" in one burst opens help instead of typing "?". While the
        # filter has focus, "/" is text (check_action turns the binding off, so the key
        # reaches the filter in order, behind the keys queued before it).
        Binding("slash", "filter", "Filter", key_display="/", priority=True, id="main.filter"),
        Binding(
            "enter", "filter_done", "Filter done", show=False, priority=True, id="main.filter-done"
        ),
        Binding("c", "toggle_conflicts", "Conflicts", id="main.conflicts"),
        Binding("v", "versions", "Versions", id="main.versions"),
        Binding("t", "dependents", "Dependents", id="main.dependents"),
        Binding("D", "dependencies", "Dependencies", show=False, id="main.dependencies"),
        Binding("e", "export", "Export", id="main.export"),
        Binding("O", "outdated", "Outdated", id="main.outdated"),
        Binding("f", "prefetch", "Fetch all", show=False, id="main.prefetch"),
        Binding("u", "undo", "Undo change", show=False, id="main.undo"),
        Binding("x", "fix", "Nearest fixed version", show=False, id="main.fix"),
        Binding("V", "vulns", "Check vulnerabilities", show=False, id="main.vulns"),
        Binding("T", "tidy", "Tidy preview (go mod tidy)", show=False, id="main.tidy"),
        Binding(
            "I", "import_paths", "Import paths (go mod why -m)", show=False, id="main.import-paths"
        ),
        Binding("W", "worksync", "Work sync", id="main.worksync"),
        Binding("r", "reload", "Reload", show=False, id="main.reload"),
        Binding("escape", "back", "Back", show=False, id="main.back"),
        Binding("l", "versions", "Versions", show=False, id="main.right"),
        Binding("h", "focus_list", "Module list", show=False, id="main.left"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, ModuleRow] = {}
        self.conflicts_only = False
        self.current = ""
        self._details_timer: Timer | None = None
        self.painted_at: float | None = None
        """When the rows of the last graph were first painted (``time.perf_counter``)."""
        self.filter_latencies: list[float] = []
        """Seconds from each filter keystroke being handled to the refilled list painted."""

    @property
    def gomodx(self) -> GomodxApp:
        return cast("GomodxApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        with Horizontal(id="body"):
            with Vertical(id="list-pane"):
                yield Input(placeholder="filter: type part of a path, esc clears", id="filter")
                yield ModuleTable(id="modules")
            yield DetailsPane(id="details")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ModuleTable).focus()
        self.watch(self.app, "net", self._net_changed)
        self.watch(self.app, "graph", self._graph_changed)
        self.watch(self.app, "versions", self._versions_changed)
        self.watch(self.app, "trust", self._trust_changed)

    def help_legend(self) -> Text:
        """What the list's glyphs mean (help shows it: a narrow list shows glyphs alone)."""
        out = Text()
        out.append("The list's glyphs: ", style="bold")
        out.append_text(legend())
        return out

    def _net_changed(self, net: NetState) -> None:
        status = self.query_one(StatusBar)
        status.source = net.label
        status.net_text = net.text()
        status.net_level = net.level

    # -- the graph arrives ---------------------------------------------------------------

    def _graph_changed(self, old: GraphState, new: GraphState) -> None:
        table = self.query_one(ModuleTable)
        status = self.query_one(StatusBar)
        if new.loading:
            table.loading = True
            status.message = "reloading…" if new.ready else "loading the module graph…"
            return
        table.loading = False
        if new.error:
            first = new.error.splitlines()[0]
            status.message = f"the module graph could not be loaded (r: retry): {first}"
            return
        facts = new.facts
        if facts is None:
            return  # nothing loaded yet
        changed = new.highlight_changes
        known = self.gomodx.versions.known
        rows = {}
        for r in facts.rows:
            mv = known.get(r.path)
            if mv is not None:
                r = with_versions(r, mv)
            r = with_vulns(r, self.gomodx.trust.ids(r.path))
            if r.path in changed and changed[r.path] != r.version:
                r = replace(
                    r, changed=changed[r.path] or "(none)", undone=new.highlight_kind == "undone"
                )
            rows[r.path] = r
        self.rows = rows
        n_conf = len(facts.conflicts)
        status.counts = f"{len(rows)} modules · {n_conf} conflicts · {facts.edges} edges"
        status.message = ""
        # The details of the module under the cursor must come from the new graph.
        keep, self.current = self.current, ""
        self.refresh_list(keep=keep)
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self.painted_at = time.perf_counter()

    def _versions_changed(self, old: VersionsState, new: VersionsState) -> None:
        table = self.query_one(ModuleTable)
        for path, mv in new.known.items():
            if old.known.get(path) is mv:
                continue
            row = self.rows.get(path)
            if row is not None:
                updated = with_versions(row, mv)
                if updated is not row:
                    self.rows[path] = updated
                    table.update_row(updated)
        path = self.current
        if path and (
            new.fetched.get(path) is not old.fetched.get(path)
            or new.errors.get(path) != old.errors.get(path)
        ):
            self._show_versions(new, path)

    def _trust_changed(self, old: TrustState, new: TrustState) -> None:
        if new.findings is not old.findings:
            table = self.query_one(ModuleTable)
            for path, row in list(self.rows.items()):
                updated = with_vulns(row, new.ids(path))
                if updated is not row:
                    self.rows[path] = updated
                    table.update_row(updated)
        path = self.current
        if not path:
            return
        if new.findings.get(path) != old.findings.get(path):
            self.current = ""
            self.show_details(path)
            return
        shown = self.rows.get(path)
        if shown is not None and new.check(path, shown.version) is not old.check(
            path, shown.version
        ):
            self._show_versions(self.gomodx.versions, path)

    # -- the list ----------------------------------------------------------------------

    def visible_rows(self) -> list[ModuleRow]:
        query = self.query_one("#filter", Input).value
        rows = sort_rows(self.rows.values(), self.conflicts_only)
        return filter_rows(rows, query)

    def refresh_list(self, keep: str = "") -> None:
        table = self.query_one(ModuleTable)
        table.show(self.visible_rows(), keep=keep or self.current or None)
        status = self.query_one(StatusBar)
        status.view = "conflicts by risk" if self.conflicts_only else "all modules"
        status.filter_text = self.query_one("#filter", Input).value

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        start = time.perf_counter()
        self.refresh_list()
        # Latency from the keystroke being handled to the refilled table being painted.
        self.call_after_refresh(lambda: self.filter_latencies.append(time.perf_counter() - start))

    def on_module_table_module_highlighted(self, message: ModuleTable.ModuleHighlighted) -> None:
        if self._details_timer is not None:
            self._details_timer.stop()
            self._details_timer = None
        if self.focused is self.query_one("#filter", Input):
            # While typing, the details follow once the keys pause: each keystroke
            # then only refills the list. (Screen.focused: Input.has_focus lags behind
            # a focus change until its Blur event is handled.)
            self._details_timer = self.set_timer(
                DETAILS_DEBOUNCE, lambda: self.show_details(message.path)
            )
        else:
            self.show_details(message.path)

    def on_module_table_module_chosen(self, message: ModuleTable.ModuleChosen) -> None:
        self.action_versions()

    def show_details(self, path: str) -> None:
        if path == self.current and path:
            return
        self.current = path
        details = self.query_one(DetailsPane)
        row = self.rows.get(path)
        graph = self.gomodx.graph
        facts = graph.facts
        conflict = facts.conflicts.get(path) if facts is not None else None
        details.show_module(
            row,
            graph.loaded,
            conflict,
            self.gomodx.trust.findings.get(path, ()),
            self.gomodx.import_paths.get(path),
        )
        if row is None or row.main:
            details.set_loading(False)
            details.show_versions(None, path, "")
            return
        if path in self.gomodx.versions.fetched:
            self._show_versions(self.gomodx.versions, path)
            if self.gomodx.trust.check(path, row.version) is None:
                self.load_trust(path, row.version)
            return
        details.show_versions(None, path, Text("fetching versions…", style="dim"))
        details.set_loading(True)
        self.load_versions(path)

    def _show_versions(self, versions: VersionsState, path: str) -> None:
        """The versions part of the pane, from the state (nothing while still fetching)."""
        details = self.query_one(DetailsPane)
        mv = versions.fetched.get(path)
        if mv is not None:
            details.set_loading(False)
            check = self.gomodx.trust.check(path, mv.selected) if mv.selected else None
            details.show_versions(mv, path, versions_note(mv, check))
        elif path in versions.errors:
            details.set_loading(False)
            note = Text(f"✗ could not fetch versions: {versions.errors[path]}", style="bold red")
            details.show_versions(None, path, note)

    @work(group="versions", exclusive=True, exit_on_error=False)
    async def load_versions(self, path: str) -> None:
        """Fetch the highlighted module's versions once the cursor rests on it (the pane
        follows the app's state; a failure is also said here, to whoever asked)."""
        await asyncio.sleep(VERSIONS_DEBOUNCE)
        try:
            mv = await self.gomodx.fetch_versions(path)
        except (GomodxError, OSError) as exc:
            if path == self.current:
                self.notify(error_message(exc), title="Versions", severity="error", markup=False)
            return
        if mv.selected and self.gomodx.trust.check(path, mv.selected) is None:
            self.load_trust(path, mv.selected)

    @work(group="trust", exit_on_error=False)
    async def load_trust(self, path: str, version: str) -> None:
        """Who vouches for a module's selected version: go.sum, GOSUMDB, nobody (the
        versions note follows the app's state). Not exclusive: each answer is kept, and
        one for a module no longer highlighted is ready when it is again."""
        await self.gomodx.check_trust(path, version)

    def select_module(self, path: str) -> None:
        """Put the cursor on ``path``, clearing the filter or the conflicts view if they hide it."""
        if path not in self.rows:
            return
        if all(r.path != path for r in self.visible_rows()):
            box = self.query_one("#filter", Input)
            with box.prevent(Input.Changed):
                box.value = ""
            box.display = False
            self.conflicts_only = False
        self.current = ""
        if self._details_timer is not None:
            self._details_timer.stop()
            self._details_timer = None
        table = self.query_one(ModuleTable)
        table.show(self.visible_rows(), keep=path)
        table.focus()

    # -- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Screen.focused, not Input.has_focus: the latter follows only once the Focus
        # event is handled, and a burst of keys arrives before that.
        if action == "filter":
            return self.focused is not self.query_one("#filter", Input)
        if action == "filter_done":
            return self.focused is self.query_one("#filter", Input)
        if action == "worksync":
            # Only in a workspace: elsewhere the key is neither shown nor bound.
            return self.gomodx.session.workspace is not None
        return True

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        # Focus now, not once the queued events are handled (see the binding).
        self.set_focus(box)

    def action_filter_done(self) -> None:
        # As the key arrives (see the binding): the keys behind it go to the list.
        self.set_focus(self.query_one(ModuleTable))

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            box.display = False
        self.query_one(ModuleTable).focus()

    def action_focus_list(self) -> None:
        self.query_one(ModuleTable).focus()

    def action_toggle_conflicts(self) -> None:
        self.conflicts_only = not self.conflicts_only
        self.refresh_list()

    def action_versions(self) -> None:
        if self.current and not self.rows.get(self.current, ModuleRow("", "", main=True)).main:
            self.query_one(VersionTable).focus()

    def action_reload(self) -> None:
        self.gomodx.reload()

    def action_dependents(self) -> None:
        self._open_tree(inverted=True)

    def action_dependencies(self) -> None:
        self._open_tree(inverted=False)

    def _open_tree(self, inverted: bool) -> None:
        from tui.screens.tree import TreeScreen

        loaded = self.gomodx.graph.loaded
        if loaded is None or not self.current:
            self.notify("No module highlighted", severity="warning")
            return
        self.app.push_screen(TreeScreen(loaded, self.current, inverted=inverted))

    def action_export(self) -> None:
        from tui.screens.export import ExportScreen

        loaded = self.gomodx.graph.loaded
        if loaded is None:
            self.notify("Nothing to export yet: the graph is still loading", severity="warning")
            return
        self.app.push_screen(ExportScreen(loaded, self.current))

    def action_prefetch(self) -> None:
        from tui.screens.fetch import PrefetchScreen

        facts = self.gomodx.graph.facts
        if facts is None:
            self.notify("The graph is still loading", severity="warning")
            return
        self.app.push_screen(PrefetchScreen([r.path for r in facts.rows if not r.main]))

    def on_version_table_version_chosen(self, message: VersionTable.VersionChosen) -> None:
        self.gomodx.preview_change(message.path, message.version)

    def action_outdated(self) -> None:
        self.gomodx.show_outdated()

    def action_undo(self) -> None:
        self.gomodx.undo_change()

    def action_fix(self) -> None:
        """``x``: the preview of ``go get`` to the highlighted module's nearest version
        that no known vulnerability affects."""
        row = self.rows.get(self.current)
        if row is None or row.main:
            self.notify("No module highlighted", severity="warning")
            return
        self.gomodx.preview_fix(row.path)

    def action_vulns(self) -> None:
        """``V``: check the build list against GOVULNDB and mark vulnerable versions."""
        self.gomodx.enable_vulns()
        if self.current:
            path, self.current = self.current, ""
            self.show_details(path)

    def action_tidy(self) -> None:
        self.gomodx.preview_tidy()

    def action_import_paths(self) -> None:
        """Show, for the module under the cursor, the import paths that need it."""
        if self.current:
            self.load_import_paths(self.current)

    @work(group="import-paths", exclusive=True, exit_on_error=False)
    async def load_import_paths(self, path: str) -> None:
        details = self.query_one(DetailsPane)
        details.loading = True
        try:
            await self.gomodx.load_import_paths()
        except (GomodxError, OSError) as exc:
            self.notify(str(exc), title="go mod why", severity="error")
            return
        finally:
            details.loading = False
        if path == self.current:
            self.current = ""
            self.show_details(path)

    def action_worksync(self) -> None:
        self.gomodx.preview_worksync()
