"""The module cannot be read: its go.mod does not parse, is missing or unreadable (or the
recorded graph given with ``--graph`` is malformed).

Nothing can be shown until the file is fixed, so instead of an empty list and a toast
that fades, this screen says go's words (``go.mod:9: unknown directive: foo``) until
``r`` reads the module again. It follows the app's graph state: a reload that works
closes it, one that fails again shows the new message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

if TYPE_CHECKING:
    from tui.app import GomodxApp
    from tui.state import GraphState

__all__ = ["LoadErrorScreen"]


class LoadErrorScreen(Screen[None]):
    """Why the module cannot be loaded; ``r`` retries after an edit, ``q`` quits."""

    HELP_GROUP = "Cannot load the module"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry", id="load-error.retry"),
        Binding("d", "app.doctor", "Doctor", id="load-error.doctor"),
        Binding("q", "app.quit", "Quit", id="load-error.quit"),
    ]

    @property
    def gomodx(self) -> GomodxApp:
        return cast("GomodxApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        yield Static(
            Text("✗ The module cannot be loaded", style="bold red"), classes="screen-title"
        )
        with VerticalScroll(id="load-error-body"):
            yield Static(id="load-error-text")
            yield Static(id="load-error-note")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "graph", self._graph_changed)

    def _graph_changed(self, new: GraphState) -> None:
        note = self.query_one("#load-error-note", Static)
        if new.loading:
            note.update(Text("reading the module again…", style="dim"))
            return
        if new.error and new.broken_file:
            self.query_one("#load-error-text", Static).update(Text(new.error, style="red"))
            where = self.gomodx.session.directory / "go.mod"
            # Each space ends a run, never starts one (see tui.widgets.spacing).
            note.update(
                Text.assemble(
                    "Fix ",
                    (f"{where} ", "bold"),
                    "in your editor, then press ",
                    ("r ", "bold"),
                    "to read it again, ",
                    ("d ", "bold"),
                    "to run the doctor, or ",
                    ("q ", "bold"),
                    "to quit.",
                )
            )
            return
        # Loaded, or failed for another reason (the main screen's status bar says it).
        if self.is_current:
            self.dismiss()

    def action_retry(self) -> None:
        self.gomodx.reload()
