"""The build list as a DataTable: one keyed row per module, vim keys, cheap refills."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from tui.widgets.rows import ModuleRow, flags_text, risk_text

__all__ = ["ModuleTable"]

VERSION_WIDTH = 20
"""Long versions (pseudo-versions) are cut here; the details pane shows them in full."""
PATH_WIDTH = 40

_COLUMNS = (("Module", "path"), ("Selected", "version"), ("Asked", "asked"), ("Risk", "risk"))


def row_cells(row: ModuleRow) -> tuple[Text, Text, Text, Text, Text]:
    """The cells of one row: path, version, how many versions are asked, risk, flags."""
    path = Text(row.path, style="bold" if row.main else "", no_wrap=True, overflow="ellipsis")
    if path.cell_len > PATH_WIDTH:
        path.truncate(PATH_WIDTH, overflow="ellipsis")
    if row.changed:
        version = Text.assemble((row.changed, "dim strike"), " → ", (row.version, "bold green"))
    else:
        version = Text(row.version or "(main)", style="dim" if row.main else "")
    version.no_wrap = True
    version.overflow = "ellipsis"
    if version.cell_len > VERSION_WIDTH:
        version.truncate(VERSION_WIDTH, overflow="ellipsis")
    asked = Text(str(row.asked) if row.asked > 1 else "", justify="right", style="bold")
    return path, version, asked, risk_text(row.risk), flags_text(row)


class ModuleTable(DataTable[Text]):
    """The module list. Rows are keyed by module path so they can be updated in place."""

    HELP_GROUP = "Module list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "First", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "Last", show=False, id="table.bottom"),
        Binding("ctrl+d", "page_down", "Page down", show=False, id="table.page-down"),
        Binding("ctrl+u", "page_up", "Page up", show=False, id="table.page-up"),
    ]

    @dataclass
    class ModuleHighlighted(Message):
        """The cursor moved onto ``path`` (``""`` when the table is empty)."""

        table: ModuleTable
        path: str

        @property
        def control(self) -> ModuleTable:
            return self.table

    @dataclass
    class ModuleChosen(Message):
        """Enter (or a click on the highlighted row) on ``path``."""

        table: ModuleTable
        path: str

        @property
        def control(self) -> ModuleTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[ModuleRow] = []

    def on_mount(self) -> None:
        for label, key in _COLUMNS:
            self.add_column(label, key=key)
        self.add_column("Notes", key="flags")

    def show(self, rows: Sequence[ModuleRow], keep: str | None = None) -> None:
        """Replace the rows, keeping the cursor on ``keep`` when it is still shown."""
        self.rows_shown = list(rows)
        self.clear()
        for row in rows:
            self.add_row(*row_cells(row), key=row.path)
        if not rows:
            self.post_message(self.ModuleHighlighted(self, ""))
            return
        index = 0
        if keep is not None:
            try:
                index = self.get_row_index(keep)
            except RowDoesNotExist:
                index = 0
        self.move_cursor(row=index, animate=False, scroll=True)
        # A refill that keeps the cursor on row 0 sends no highlight of its own.
        self.post_message(self.ModuleHighlighted(self, rows[index].path))

    def update_row(self, row: ModuleRow) -> None:
        """Redraw one row in place (no-op when it is filtered out)."""
        for i, shown in enumerate(self.rows_shown):
            if shown.path == row.path:
                self.rows_shown[i] = row
                break
        else:
            return
        for (_, key), cell in zip((*_COLUMNS, ("Notes", "flags")), row_cells(row), strict=True):
            self.update_cell(row.path, key, cell, update_width=True)

    @property
    def current_path(self) -> str:
        if not self.rows_shown or self.cursor_row < 0 or self.cursor_row >= len(self.rows_shown):
            return ""
        return self.rows_shown[self.cursor_row].path

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        key = event.row_key.value
        if key is not None:
            self.post_message(self.ModuleHighlighted(self, key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key is not None:
            self.post_message(self.ModuleChosen(self, key))
