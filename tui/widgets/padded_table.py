"""A DataTable whose padding survives an SVG screenshot (see :mod:`tui.widgets.spacing`)."""

from __future__ import annotations

from typing import Any

from rich.text import Text, TextType
from textual.widgets import DataTable

from tui.widgets.spacing import padded

__all__ = ["PaddedTable"]


class PaddedTable(DataTable[Any]):
    """A DataTable whose cells and headings are :func:`padded` (its own padding is 0)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["cell_padding"] = 0
        super().__init__(**kwargs)

    def add_column(self, label: TextType, **kwargs: Any) -> Any:
        if kwargs.get("width") is not None:
            kwargs["width"] += 2
        return super().add_column(padded(label), **kwargs)

    def add_row(self, *cells: Any, **kwargs: Any) -> Any:
        return super().add_row(*(self._pad(c) for c in cells), **kwargs)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:
        super().update_cell(row_key, column_key, self._pad(value), **kwargs)

    @staticmethod
    def _pad(cell: Any) -> Any:
        return padded(cell) if isinstance(cell, str | Text) else cell
