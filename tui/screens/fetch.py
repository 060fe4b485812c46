"""Fetching, made visible: prefetch every module's versions, and the network log."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from analysis.errors import GomodxError
from analysis.goproxy import FetchEvent
from tui.errors import ForwardsWorkerErrors
from tui.widgets.details import trust_text
from tui.widgets.padded_table import PaddedTable
from tui.widgets.spacing import gap, join_runs

if TYPE_CHECKING:
    from tui.app import GomodxApp
    from tui.state import NetState

__all__ = ["NetworkLogScreen", "PrefetchScreen", "outcome_text"]

PREFETCH_CONCURRENCY = 8

_OUTCOME = {
    "ok": ("✓", "ok", "green"),
    "cache_hit": ("≡", "cache hit", "cyan"),
    "retry": ("↻", "retry", "yellow"),
    "fallthrough": ("↓", "fallthrough", "yellow"),
    "not_found": ("∅", "not found", "magenta"),
    "error": ("✗", "error", "bold red"),
}


def outcome_text(outcome: str) -> Text:
    glyph, word, style = _OUTCOME.get(outcome, ("?", outcome, ""))
    return Text(f"{glyph} {word}", style=style)


class PrefetchScreen(ForwardsWorkerErrors, Screen[None]):
    """Fetch the versions of every module, with a progress bar and a status per module."""

    HELP_GROUP = "Prefetch"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="prefetch.back"),
        Binding("n", "app.network_log", "Network log", id="prefetch.network-log"),
        Binding("j", "cursor_down", "Down", show=False, id="prefetch.down"),
        Binding("k", "cursor_up", "Up", show=False, id="prefetch.up"),
    ]

    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__()
        self.paths = list(paths)
        self.done = 0
        self.failed = 0

    @property
    def gomodx(self) -> GomodxApp:
        return cast("GomodxApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        yield Static(
            f"Fetching the versions of {len(self.paths)} modules "
            "(lists, retractions, deprecations, @latest) and who vouches for each",
            classes="screen-title",
        )
        yield ProgressBar(total=len(self.paths), id="fetch-progress", show_eta=False)
        yield Static(id="fetch-summary", classes="screen-note")
        yield PaddedTable(id="fetch-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#fetch-table", DataTable)
        table.add_column("Module", key="path")
        table.add_column("Status", key="status")
        table.add_column("Versions", key="count")
        table.add_column("Latest", key="latest")
        table.add_column("Verified", key="trust")
        table.add_column("Notes", key="notes")
        for path in self.paths:
            table.add_row(path, Text("· queued", style="dim"), "", "", "", "", key=path)
        table.focus()
        self.run_prefetch()

    def action_cursor_down(self) -> None:
        self.query_one("#fetch-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#fetch-table", DataTable).action_cursor_up()

    @work(group="prefetch", exclusive=True, exit_on_error=False)
    async def run_prefetch(self) -> None:
        limit = asyncio.Semaphore(PREFETCH_CONCURRENCY)
        table = self.query_one("#fetch-table", DataTable)
        bar = self.query_one(ProgressBar)

        async def one(path: str) -> None:
            async with limit:
                table.update_cell(path, "status", Text("… fetching", style="yellow"))
                try:
                    mv = await self.gomodx.fetch_versions(path)
                except (GomodxError, OSError) as exc:
                    self.failed += 1
                    table.update_cell(path, "status", Text("✗ failed", style="bold red"))
                    table.update_cell(
                        path,
                        "notes",
                        Text(str(exc).splitlines()[0], style="red"),
                        update_width=True,
                    )
                else:
                    words = []
                    if mv.stale:
                        words.append(Text("stale (cache)", style="yellow"))
                    entry = mv.entry(mv.selected)
                    if entry is not None and entry.retracted:
                        words.append(Text("✗ selected is retracted", style="bold red"))
                    if self.gomodx.trust.ids(path):
                        ids = ", ".join(self.gomodx.trust.ids(path))
                        words.append(Text(f"☠ selected is vulnerable ({ids})", style="bold red"))
                    if mv.deprecated:
                        words.append(Text("† deprecated", style="yellow"))
                    if mv.newer_majors:
                        majors = ", ".join(m.path.rsplit("/", 1)[-1] for m in mv.newer_majors)
                        words.append(Text(f"newer major: {majors}", style="magenta"))
                    table.update_cell(path, "status", Text("✓ done", style="green"))
                    table.update_cell(path, "count", str(len(mv.versions)), update_width=True)
                    table.update_cell(path, "latest", mv.latest or "-", update_width=True)
                    table.update_cell(path, "notes", join_runs(words), update_width=True)
                    if mv.selected:
                        # who vouches for the selected version: go.sum, GOSUMDB, nobody
                        check = await self.gomodx.check_trust(path, mv.selected)
                        table.update_cell(path, "trust", trust_text(check), update_width=True)
                self.done += 1
                bar.advance(1)
                self._summary()

        self._summary()
        await asyncio.gather(*(one(p) for p in self.paths))
        self._summary(finished=True)

    def _summary(self, finished: bool = False) -> None:
        # Separators end the run before them (see spacing).
        text = Text(f"{self.done}/{len(self.paths)} modules · ")
        if self.failed:
            text.append(f"{self.failed} failed", style="bold red")
            text.append(" · ")
        if finished:
            text.append("finished", style="green")
            text.append_text(gap(3))
        text.append("n: network log · esc: back", style="dim")
        self.query_one("#fetch-summary", Static).update(text)


class NetworkLogScreen(Screen[None]):
    """Every request and cache hit the proxy client reported, live (it follows the
    app's ``net`` state)."""

    HELP_GROUP = "Network log"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="log.back"),
        Binding("j", "cursor_down", "Down", show=False, id="log.down"),
        Binding("k", "cursor_up", "Up", show=False, id="log.up"),
        Binding("G", "end", "Follow (last event)", show=False, id="log.end"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown = 0
        """How many events of the log the table shows."""

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        yield Static(
            "Network log: every request, retry, fallthrough and cache hit", classes="screen-title"
        )
        yield Static(id="log-summary", classes="screen-note")
        yield PaddedTable(id="log-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#log-table", DataTable)
        for label in (
            "#",
            "Outcome",
            "Kind",
            "Module",
            "Via",
            "HTTP",
            "Bytes",
            "ms",
            "Try",
            "Notes",
        ):
            table.add_column(label, key=label)
        table.focus()
        self.watch(self.app, "net", self._net_changed)

    def _add_row(self, e: FetchEvent) -> None:
        table = self.query_one("#log-table", DataTable)
        notes = []
        if e.stale:
            notes.append("stale")
        if e.cache:
            notes.append(f"cache {e.cache}")
        if e.error:
            notes.append(e.error.splitlines()[0])
        what = f"{e.module}@{e.version}" if e.version else e.module
        table.add_row(
            str(table.row_count + 1),
            outcome_text(e.outcome),
            e.kind,
            what,
            e.proxy,
            "" if e.status is None else str(e.status),
            str(e.bytes) if e.bytes else "",
            f"{e.latency * 1000:.0f}" if e.outcome != "cache_hit" else "",
            str(e.attempt) if e.attempt > 1 else "",
            Text("; ".join(notes), style="red" if e.error else "dim"),
        )

    def _net_changed(self, net: NetState) -> None:
        """Append the events not shown yet, following the last one if the cursor was
        on the last row."""
        table = self.query_one("#log-table", DataTable)
        follow = table.cursor_row >= table.row_count - 1
        for event in net.new_events(self.shown):
            self._add_row(event)
        self.shown = net.events
        if follow:
            table.move_cursor(row=table.row_count - 1, animate=False)
        self._summary(net)

    def _summary(self, net: NetState) -> None:
        log = net.log[: net.events]
        counts = Counter(e.outcome for e in log)
        timed = [e.latency for e in log if e.outcome != "cache_hit" and e.latency]
        text = Text(f"{len(log)} events: ")
        text.append_text(
            Text(", ").join(
                join_runs([outcome_text(k), Text(str(n))]) for k, n in sorted(counts.items())
            )
            or Text("none yet", style="dim")
        )
        if timed:
            timed.sort()
            text.append(
                f" · latency median {timed[len(timed) // 2] * 1000:.0f} ms,"
                f" max {timed[-1] * 1000:.0f} ms"
            )
        text.append(f" · {net.text()}")
        self.query_one("#log-summary", Static).update(text)

    def action_cursor_down(self) -> None:
        self.query_one("#log-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#log-table", DataTable).action_cursor_up()

    def action_end(self) -> None:
        table = self.query_one("#log-table", DataTable)
        table.move_cursor(row=table.row_count - 1, animate=False)
