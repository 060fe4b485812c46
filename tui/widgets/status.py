"""A one-line status bar: network state, where modules come from, what the list shows."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui.widgets.spacing import gap

__all__ = ["StatusBar"]

_NET_STYLE = {"idle": "dim", "online": "green", "degraded": "bold yellow", "offline": "bold red"}


class StatusBar(Static):
    """``● online · demo proxy │ 24 modules · 11 conflicts │ view: all │ filter: x``."""

    net_text: reactive[str] = reactive("○ idle")
    net_level: reactive[str] = reactive("idle")
    source: reactive[str] = reactive("")
    counts: reactive[str] = reactive("")
    view: reactive[str] = reactive("all modules")
    filter_text: reactive[str] = reactive("")
    message: reactive[str] = reactive("")

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append_text(gap(1))  # a run of its own: a screenshot keeps it (see spacing)
        out.append(f"{self.net_text} ", style=_NET_STYLE.get(self.net_level, ""))
        if self.source:
            out.append(f"{self.source} ", style="dim")
        for part in (self.counts, f"view: {self.view}", self.message):
            if part:
                out.append("│ ", style="dim")
                out.append(part + " ")
        if self.filter_text:
            out.append("│ ", style="dim")
            out.append("filter: ", style="dim")
            out.append(self.filter_text, style="bold")
        return out
