"""The export dialog: conflicts, the full graph or one module's neighbourhood, as DOT,
Mermaid or JSON — or rendered to SVG/PNG when Graphviz's ``dot`` is installed.

The engine does the work (:func:`analysis.export.neighbourhood`,
:func:`~analysis.export.to_format`, :func:`analysis.render.render_image`); the screen asks
what and where, and writes the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from analysis.errors import GomodxError
from analysis.export import neighbourhood, to_dot, to_format
from analysis.fsio import write_atomic
from analysis.render import IMAGE_FORMATS, find_dot, render_image
from analysis.session import LoadedModule
from tui.errors import ForwardsWorkerErrors

__all__ = ["ExportRequest", "ExportScreen", "export_graph"]

FORMATS = {"dot": "dot", "mermaid": "mmd", "json": "json", "svg": "svg", "png": "png"}
SCOPES = ("conflicts", "full", "module")


@dataclass(frozen=True)
class ExportRequest:
    """What to write where: ``scope`` in SCOPES, ``fmt`` in FORMATS."""

    scope: str
    fmt: str
    path: Path
    module: str = ""


def export_graph(loaded: LoadedModule, req: ExportRequest) -> int:
    """Write the export; returns the number of bytes written. Raises GomodxError."""
    g = loaded.graph
    conflicts_only = req.scope == "conflicts"
    if req.scope == "module":
        if not req.module:
            raise GomodxError("no module is highlighted")
        g = neighbourhood(g, req.module)
    if req.fmt in IMAGE_FORMATS:
        data = render_image(to_dot(g, conflicts_only=conflicts_only), req.fmt)
    else:
        data = to_format(g, req.fmt, conflicts_only=conflicts_only).encode()
    write_atomic(req.path.expanduser(), data)  # FileWriteError: "writing PATH: reason"
    return len(data)


class Choices(RadioSet):
    """A radio set whose arrows choose (as a dialog's radio group does), so that Enter
    can export what is shown as chosen."""

    HELP_GROUP = "Choices"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "choose_next", "Next option", show=False, id="choices.next"),
        Binding("up,left", "choose_previous", "Previous option", show=False, id="choices.prev"),
        Binding("space", "toggle_button", "Choose", show=False, id="choices.toggle"),
    ]

    def action_choose_next(self) -> None:
        self.action_next_button()
        self.action_toggle_button()

    def action_choose_previous(self) -> None:
        self.action_previous_button()
        self.action_toggle_button()


class ExportScreen(ForwardsWorkerErrors, ModalScreen[Path | None]):
    """Choose what to export and where; the result is the written path (or None)."""

    HELP_GROUP = "Export"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Enter is the dialog's default button wherever the focus is (the
        # radio sets and the file name would take it otherwise), except on a button,
        # which Enter presses (check_action).
        Binding("enter", "submit", "Export", priority=True, id="export.submit"),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", show=False, id="export.run"),
    ]

    def __init__(
        self, loaded: LoadedModule, module: str = "", directory: Path | None = None
    ) -> None:
        super().__init__()
        self.loaded = loaded
        self.module = module
        self.directory = directory or Path.cwd()
        self._auto_name = True

    def compose(self) -> ComposeResult:
        have_dot = find_dot() is not None
        with Vertical(classes="dialog", id="export-form"):
            yield Static("Export the module graph", classes="dialog-title")
            with Horizontal():
                yield Label("What", classes="export-label")
                yield Label("Format", classes="export-label")
            with Horizontal():
                with Choices(id="scope"):
                    yield RadioButton("Conflicts only", value=True, id="scope-conflicts")
                    yield RadioButton("Full graph", id="scope-full")
                    yield RadioButton(
                        f"Around {self.module or '(no module)'}",
                        id="scope-module",
                        disabled=not self.module,
                    )
                with Choices(id="format"):
                    yield RadioButton("DOT (Graphviz)", value=True, id="fmt-dot")
                    yield RadioButton("Mermaid", id="fmt-mermaid")
                    yield RadioButton("JSON", id="fmt-json")
                    yield RadioButton("SVG (via dot)", id="fmt-svg", disabled=not have_dot)
                    yield RadioButton("PNG (via dot)", id="fmt-png", disabled=not have_dot)
            yield Label("File")
            yield Input(self._default_name(), id="export-path")
            if not have_dot:
                yield Static("SVG and PNG need Graphviz (`dot`), which is not installed.")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", variant="primary", id="export")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#scope", RadioSet).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            # On a button, Enter presses it (Cancel must cancel).
            return not isinstance(self.focused, Button)
        return True

    def action_submit(self) -> None:
        self.action_export()

    def _choice(self, set_id: str) -> str:
        pressed = self.query_one(f"#{set_id}", RadioSet).pressed_button
        assert pressed is not None and pressed.id is not None
        return pressed.id.split("-", 1)[1]

    def _default_name(self) -> str:
        try:
            scope, fmt = self._choice("scope"), self._choice("format")
        except NoMatches:  # before the radio sets are composed
            scope, fmt = "conflicts", "dot"
        main = self.loaded.graph.main.path.rsplit("/", 1)[-1]
        what = {"conflicts": "conflicts", "full": "graph"}.get(scope)
        if what is None:
            what = self.module.rsplit("/", 1)[-1].replace("@", "-")
        name = f"{main}-{what}.{FORMATS[fmt]}"
        return (
            os.path.relpath(self.directory / name)
            if self.directory == Path.cwd()
            else str(self.directory / name)
        )

    @on(RadioSet.Changed)
    def choice_changed(self) -> None:
        if self._auto_name:
            box = self.query_one("#export-path", Input)
            box.value = self._default_name()
            self._auto_name = True

    @on(Input.Changed, "#export-path")
    def path_edited(self, event: Input.Changed) -> None:
        self._auto_name = event.value == self._default_name()

    @on(Input.Submitted, "#export-path")
    def path_submitted(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export")
    def export_pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def request(self) -> ExportRequest:
        path = Path(self.query_one("#export-path", Input).value.strip())
        if not path.is_absolute():
            path = Path.cwd() / path
        return ExportRequest(self._choice("scope"), self._choice("format"), path, self.module)

    def action_export(self) -> None:
        if not self.query_one("#export-path", Input).value.strip():
            self.notify("Choose a file name", severity="warning")
            return
        self.query_one("#export", Button).disabled = True
        self.run_export(self.request())

    @work(group="export", exclusive=True, thread=True, exit_on_error=False)
    def run_export(self, req: ExportRequest) -> None:
        try:
            size = export_graph(self.loaded, req)
        except GomodxError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except Exception:
            # The app's handler reports it; the dialog stays usable.
            self.app.call_from_thread(self._enable)
            raise
        self.app.call_from_thread(self._written, req, size)

    def _enable(self) -> None:
        self.query_one("#export", Button).disabled = False

    def _failed(self, error: str) -> None:
        self._enable()
        self.notify(error, title="Export failed", severity="error")

    def _written(self, req: ExportRequest, size: int) -> None:
        self.notify(f"{req.path} ({size:,} bytes)", title="Exported")
        self.dismiss(req.path)
