"""The build list as a DataTable: one keyed row per module, vim keys, cheap refills."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from tui.widgets.rows import ModuleRow, flags_text, risk_text

__all__ = ["ModuleTable"]

VERSION_WIDTH = 20
"""Long versions (pseudo-versions) are cut here; the details pane shows them in full."""
PATH_WIDTH = 40

FIRST_CHUNK = 60
"""Rows added at once on a refill (more than a screenful); the rest come in chunks."""
CHUNK = 150
CHUNK_DELAY = 0.02

_COLUMNS = (("Module", "path"), ("Selected", "version"), ("Asked", "asked"), ("Risk", "risk"))


class Cell(Text):
    """A Text that knows its width: DataTable measures every cell of every added row,
    and Rich's general measurement is what made refilling 400 rows slow."""

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self.cell_len
        return Measurement(width, width)


def _cell(text: Text) -> Cell:
    cell = Cell(
        text.plain,
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end="",
    )
    cell.spans = list(text.spans)
    return cell


@lru_cache(maxsize=16384)
def row_cells(row: ModuleRow) -> tuple[Cell, Cell, Cell, Cell, Cell]:
    """The cells of one row: path, version, how many versions are asked, risk, flags.

    Cached per (frozen) row, so a filter keystroke reuses the cells it built before.
    """
    path = Text(row.path, style="bold" if row.main else "", no_wrap=True, overflow="ellipsis")
    if path.cell_len > PATH_WIDTH:
        path.truncate(PATH_WIDTH, overflow="ellipsis")
    if row.changed:
        version = Text.assemble((row.changed, "dim strike"), " → ", (row.version, "bold green"))
        limit = 2 * VERSION_WIDTH + 3
    else:
        version = Text(row.version or "(main)", style="dim" if row.main else "")
        limit = VERSION_WIDTH
    version.no_wrap = True
    version.overflow = "ellipsis"
    if version.cell_len > limit:
        version.truncate(limit, overflow="ellipsis")
    asked = Text(str(row.asked) if row.asked > 1 else "", justify="right", style="bold")
    return (
        _cell(path),
        _cell(version),
        _cell(asked),
        _cell(risk_text(row.risk)),
        _cell(flags_text(row)),
    )


class ModuleTable(DataTable[Cell]):
    """The module list. Rows are keyed by module path so they can be updated in place."""

    HELP_GROUP = "Module list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Versions", show=False, id="table.choose"),
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
        self._fill_generation = 0

    def on_mount(self) -> None:
        for label, key in _COLUMNS:
            self.add_column(label, key=key)
        self.add_column("Notes", key="flags")

    def show(self, rows: Sequence[ModuleRow], keep: str | None = None) -> None:
        """Replace the rows, keeping the cursor on ``keep`` when it is still shown.

        Only the rows around the cursor are added at once; the rest follow in chunks
        after the next paint, so a keystroke in the filter never waits for 400 rows.
        """
        self._fill_generation += 1
        self.rows_shown = list(rows)
        self.clear()
        if not rows:
            self.post_message(self.ModuleHighlighted(self, ""))
            return
        index = 0
        if keep is not None:
            index = next((i for i, r in enumerate(rows) if r.path == keep), 0)
        first = max(FIRST_CHUNK, index + max(self.size.height, 10) * 2)
        self._add(0, first)
        self.move_cursor(row=index, animate=False, scroll=True)
        # A refill that keeps the cursor on row 0 sends no highlight of its own.
        self.post_message(self.ModuleHighlighted(self, rows[index].path))
        if first < len(rows):
            generation = self._fill_generation
            self.set_timer(CHUNK_DELAY, lambda: self._fill_rest(generation, first))

    def _add(self, start: int, stop: int) -> None:
        for row in self.rows_shown[start:stop]:
            self.add_row(*row_cells(row), key=row.path)

    def _fill_rest(self, generation: int, start: int) -> None:
        if generation != self._fill_generation:
            return  # a newer fill replaced these rows
        stop = start + CHUNK
        self._add(start, stop)
        if stop < len(self.rows_shown):
            self.set_timer(CHUNK_DELAY, lambda: self._fill_rest(generation, stop))

    @property
    def filling(self) -> bool:
        """Whether rows are still being added after a refill."""
        return self.row_count < len(self.rows_shown)

    def update_row(self, row: ModuleRow) -> None:
        """Redraw one row in place (no-op when it is filtered out)."""
        for i, shown in enumerate(self.rows_shown):
            if shown.path == row.path:
                self.rows_shown[i] = row
                break
        else:
            return
        if row.path not in self.rows:
            return  # not added yet: the pending chunk will use the new row
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
