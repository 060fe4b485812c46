"""The build list as a DataTable: one keyed row per module, vim keys, cheap refills.

The table fits its width (80 columns or 200): :func:`module_layout` picks which columns to
show and how, giving up the least useful first (the notes' words for their glyphs, the
"Asked" heading for ``#``, long versions, the risk's word, the Asked column, middle
elements of long paths, the notes), so that the Risk column is always there, nothing is
cut inside a word and there is never a horizontal scrollbar. It is chosen again when the
table is resized or its rows change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from tui.widgets.fit import abbreviate_version, elide_path
from tui.widgets.rows import ModuleRow, flags_text, risk_glyph, risk_text
from tui.widgets.spacing import padded

__all__ = ["ModuleTable", "TableLayout", "module_layout", "row_cells"]

VERSION_WIDTH = 20
"""Long versions (pseudo-versions) are shortened to this; the details pane has them in full."""
PATH_WIDTH = 40
PAD = 1
"""Cells of padding on each side of every column (ours, not DataTable's: see padded)."""

FIRST_CHUNK = 60
"""Rows added at once on a refill (more than a screenful); the rest come in chunks."""
CHUNK = 150
CHUNK_DELAY = 0.02


class Cell(Text):
    """A Text that knows its width: DataTable measures every cell of every added row,
    and Rich's general measurement is what made refilling 400 rows slow."""

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self.cell_len
        return Measurement(width, width)


def _cell(text: Text) -> Cell:
    text = padded(text)
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


@dataclass(frozen=True)
class TableLayout:
    """The module table's columns for one width: what each shows and how wide it is."""

    path: int = PATH_WIDTH
    """Cells for a path (longer ones lose middle elements: ``github.com/…/service/s3``)."""
    version: int = 2 * VERSION_WIDTH + 3
    """Cells for the Selected column (``old → new`` after a change, when it fits)."""
    asked: str = "Asked"
    """The Asked column's heading: ``Asked``, ``#`` or ``""`` (no column)."""
    risk_words: bool = True
    """``▲ high`` (True) or ``▲`` (False)."""
    notes: str = "words"
    """``words`` (``✗ retracted · indirect``), ``glyphs`` (``✗ ·``) or ``""`` (no column)."""

    def columns(self) -> list[tuple[str, str]]:
        """``(heading, key)`` of each column shown, in order."""
        out = [("Module", "path"), ("Selected", "version")]
        if self.asked:
            out.append((self.asked, "asked"))
        out.append(("Risk", "risk"))
        if self.notes:
            out.append(("Notes", "flags"))
        return out


@lru_cache(maxsize=16384)
def _version_cell(row: ModuleRow, width: int) -> Text:
    if row.changed:
        full = Text.assemble(
            (abbreviate_version(row.changed, VERSION_WIDTH), "dim strike"),
            " → ",
            (abbreviate_version(row.version, VERSION_WIDTH), "bold green"),
        )
        if full.cell_len <= width:
            return full
        # Too narrow for both: where it went (the badge and the details say from where).
        return Text.assemble("→ ", (abbreviate_version(row.version, width - 2), "bold green"))
    version = abbreviate_version(row.version or "(main)", min(width, VERSION_WIDTH))
    return Text(version, style="dim" if row.main else "")


@lru_cache(maxsize=16384)
def row_cells(row: ModuleRow, layout: TableLayout = TableLayout()) -> tuple[Cell, ...]:
    """The cells of one row in ``layout``'s columns (path, version, [asked], risk, [notes]).

    Cached per (frozen) row and layout, so a filter keystroke reuses the cells it built.
    """
    path = Text(elide_path(row.path, layout.path), style="bold" if row.main else "")
    cells = [_cell(path), _cell(_version_cell(row, layout.version))]
    if layout.asked:
        cells.append(_cell(Text(str(row.asked) if row.asked > 1 else "", style="bold")))
    cells.append(_cell(risk_text(row.risk) if layout.risk_words else risk_glyph(row.risk)))
    if layout.notes:
        cells.append(_cell(flags_text(row, words=layout.notes == "words")))
    return tuple(cells)


@lru_cache(maxsize=16384)
def _natural(row: ModuleRow) -> tuple[int, int, int, int, int]:
    """Cells each part of ``row`` takes at its widest: path, asked, risk, notes, glyphs."""
    return (
        cell_len(row.path),
        len(str(row.asked)) if row.asked > 1 else 0,
        risk_text(row.risk).cell_len,
        flags_text(row).cell_len,
        flags_text(row, words=False).cell_len,
    )


def _steps(full: TableLayout) -> list[TableLayout]:
    """Ever narrower layouts, in the order the table gives things up."""
    out = [full]

    def then(**changes: object) -> None:
        out.append(replace(out[-1], **changes))  # type: ignore[arg-type]

    then(notes="glyphs")
    then(asked="#")
    then(version=min(full.version, 14))
    then(risk_words=False)
    then(version=min(full.version, 12))
    then(asked="")
    then(path=min(full.path, 24))
    then(path=min(full.path, 18))
    then(notes="")
    return out


def module_layout(rows: Sequence[ModuleRow], width: int) -> tuple[TableLayout, list[int]]:
    """The widest layout whose columns fit ``width`` cells, and the columns' widths.

    When even the narrowest does not fit, paths take what is left (at least 8 cells).
    """
    nat = [_natural(r) for r in rows]
    path = min(max((n[0] for n in nat), default=0), PATH_WIDTH)
    full = TableLayout(path=max(path, len("Module")))

    def widths(layout: TableLayout) -> list[int]:
        out = [
            max(len("Module"), min(path, layout.path)),
            max(
                len("Selected"),
                max((_version_cell(r, layout.version).cell_len for r in rows), default=0),
            ),
        ]
        if layout.asked:
            out.append(max(len(layout.asked), max((n[1] for n in nat), default=0)))
        risk = max((n[2] for n in nat), default=0) if layout.risk_words else 1
        out.append(max(len("Risk"), risk))
        if layout.notes:
            i = 3 if layout.notes == "words" else 4
            out.append(max(len("Notes"), max((n[i] for n in nat), default=0)))
        return out

    def total(w: list[int]) -> int:
        return sum(w) + 2 * PAD * len(w)

    layout = full
    for layout in _steps(full):
        w = widths(layout)
        if total(w) <= width:
            return layout, w
    # Nothing fits: the path gives what it must.
    w = widths(layout)
    left = max(8, w[0] - (total(w) - width))
    layout = replace(layout, path=left)
    return layout, widths(layout)


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
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.rows_shown: list[ModuleRow] = []
        self.columns_layout: TableLayout | None = None
        """The columns shown now (None until the first rows arrive)."""
        self._widths: list[int] = []
        self._fill_generation = 0

    def on_mount(self) -> None:
        # The widest columns until the width is known (the first rows choose again).
        self._set_columns(*module_layout([], 10_000))

    def _budget(self, rows: int) -> int:
        """Cells the columns may take: the width, less a vertical scrollbar if ``rows``
        (and the heading) need one."""
        width = self.size.width
        if rows + 1 > self.size.height:
            width -= self.styles.scrollbar_size_vertical
        return width

    def _set_columns(self, layout: TableLayout, widths: list[int]) -> bool:
        """Use ``layout``'s columns; whether they changed (the rows must be added again)."""
        if layout == self.columns_layout and widths == self._widths:
            return False
        self.columns_layout, self._widths = layout, widths
        self.clear(columns=True)
        for (label, key), width in zip(layout.columns(), widths, strict=True):
            self.add_column(padded(label), key=key, width=width + 2 * PAD)
        return True

    def on_resize(self, event: events.Resize) -> None:
        keep = self.current_path  # before new columns clear the table
        if self.rows_shown and self._relayout():
            self.show(self.rows_shown, keep=keep or None)

    def _relayout(self) -> bool:
        if self.size.width <= 0:
            return False  # not laid out yet: the first resize will choose
        return self._set_columns(
            *module_layout(self.rows_shown, self._budget(len(self.rows_shown)))
        )

    def show(self, rows: Sequence[ModuleRow], keep: str | None = None) -> None:
        """Replace the rows, keeping the cursor on ``keep`` when it is still shown.

        Only the rows around the cursor are added at once; the rest follow in chunks
        after the next paint, so a keystroke in the filter never waits for 400 rows.
        """
        self._fill_generation += 1
        self.rows_shown = list(rows)
        if not self._relayout():
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
        layout = self.columns_layout or TableLayout()
        for row in self.rows_shown[start:stop]:
            self.add_row(*row_cells(row, layout), key=row.path)

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
        keep = self.current_path
        if self._relayout():
            # The new row does not fit the columns (or fits narrower ones): refill.
            self.show(self.rows_shown, keep=keep or None)
            return
        if row.path not in self.rows:
            return  # not added yet: the pending chunk will use the new row
        layout = self.columns_layout or TableLayout()
        for (_, key), cell in zip(layout.columns(), row_cells(row, layout), strict=True):
            self.update_cell(row.path, key, cell)

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
