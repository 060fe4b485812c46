"""The details pane: who asks for the highlighted module, why it is in the build, and
which versions exist (with the versions list the downgrade/upgrade flow starts from)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from analysis.conflicts import Conflict
from analysis.modgraph import requirers, version_key, why
from analysis.module import ModuleVersion
from analysis.session import LoadedModule
from analysis.versions import ModuleVersions, VersionEntry, short_message
from tui.widgets.rows import ModuleRow, flags_text, risk_text

__all__ = ["DetailsPane", "VersionTable", "render_details", "version_notes"]

WHY_LIMIT = 6
"""How many shortest paths the pane lists before saying how many more there are."""
REQUIRERS_LIMIT = 12
"""How many requirers the pane lists (the dependents tree has them all)."""


def _arrow_path(path: list[ModuleVersion], target: str) -> Text:
    out = Text()
    for i, m in enumerate(path):
        if i:
            out.append(" → ", style="dim")
        out.append(str(m), style="bold" if m.path == target else "")
    return out


def render_details(row: ModuleRow, loaded: LoadedModule, conflict: Conflict | None) -> Text:
    """Requirers (winning requests marked ★), risk reasons and why-paths for ``row``.

    One ``Text`` (not a Rich table): the pane is re-measured whenever the layout changes,
    and a single text measures in microseconds even for a module with many requirers.
    """
    lines: list[Text] = []
    if row.main:
        lines.append(Text("The main module: every version selection starts here.", style="dim"))
        return Text("\n").join(lines)
    if conflict is not None:
        risk = risk_text(conflict.risk.level)
        risk.append(" ")  # inside the styled run (see below)
        head = Text.assemble(
            risk, f"conflict: {len(conflict.versions)} versions asked, MVS selects the highest"
        )
        lines.append(head)
        for reason in conflict.risk.key_reasons:
            lines.append(Text(f"  • {reason}", style="italic"))
        lines.append(Text(""))
    if row.replaced:
        lines.append(Text(f"⇄ replaced by {row.replaced}", style="cyan"))
    if row.excluded:
        lines.append(Text(f"⊘ excluded by go.mod: {', '.join(row.excluded)}", style="magenta"))
    if row.replaced or row.excluded:
        lines.append(Text(""))

    asks = requirers(loaded.graph, row.path)
    lines.append(Text(f"Requested by ({len(asks)})", style="bold underline"))
    selected = loaded.graph.selected()
    if not asks:
        lines.append(Text("  nobody (only the main module's go.mod lists it)", style="dim"))
    else:
        # Winning requests first (highest version first), then by requirer.
        order = sorted(asks, key=lambda a: str(a[0]))
        order.sort(key=lambda a: version_key(row.path, a[1]), reverse=True)
        width = max(len(v) for _, v in order[:REQUIRERS_LIMIT])
        for by, v in order[:REQUIRERS_LIMIT]:
            wins = v == row.version
            line = Text()
            # Separators end a styled run rather than start the next one: some SVG
            # renderers drop a text run's leading spaces.
            line.append(" ★ " if wins else "   ", style="bold green")
            line.append(f"{v:<{width}}  ", style="bold green" if wins else "")
            line.append(str(by))
            if by.version and selected.get(by.path) != by.version:
                line.append(" (not selected itself)", style="dim")
            lines.append(line)
        if len(order) > REQUIRERS_LIMIT:
            more = len(order) - REQUIRERS_LIMIT
            lines.append(Text(f"   … and {more} more (t: the dependents tree)", style="dim"))
        lines.append(Text(" ★ = the request MVS selected", style="dim"))

    lines.append(Text(""))
    paths = why(loaded.graph, row.path, limit=WHY_LIMIT + 1)
    lines.append(
        Text(
            f"Why is it in the build? (shortest paths from {loaded.graph.main})",
            style="bold underline",
        )
    )
    for p in paths[:WHY_LIMIT]:
        lines.append(Text.assemble("  ", _arrow_path(p, row.path)))
    if len(paths) > WHY_LIMIT:
        lines.append(Text("  … and more (t: the dependents tree)", style="dim"))
    if not paths:
        lines.append(Text("  not reachable from the main module", style="dim"))
    return Text("\n").join(lines)


def version_notes(entry: VersionEntry, mv: ModuleVersions) -> Text:
    """Words (with colour) for one version: selected, latest, retracted (why), …"""
    styles = {
        "selected": "bold green",
        "latest": "bold cyan",
        "retracted": "bold red",
        "excluded": "magenta",
        "prerelease": "yellow",
        "pseudo": "blue",
        "+incompatible": "magenta",
        "unlisted": "dim",
    }
    glyphs = {
        "selected": "●",
        "latest": "★",
        "retracted": "✗",
        "excluded": "⊘",
        "prerelease": "β",
        "pseudo": "~",
        "+incompatible": "±",
        "unlisted": "?",
    }
    out = Text()
    for tag in entry.tags():
        word = tag
        if tag == "retracted":
            why = "; ".join(short_message(r) for r in entry.rationale)
            word = f"retracted: {why}" if why else "retracted"
        out.append(f"{glyphs.get(tag, '')} {word} ", style=styles.get(tag, ""))
    out.rstrip()
    return out


class VersionTable(DataTable[Text]):
    """A module's versions, newest first; Enter previews moving to the highlighted one."""

    HELP_GROUP = "Versions list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Preview change", id="versions.preview"),
        Binding("p", "select_cursor", "Preview change", show=False, id="versions.preview-p"),
        Binding("j", "cursor_down", "Down", show=False, id="versions.down"),
        Binding("k", "cursor_up", "Up", show=False, id="versions.up"),
    ]

    @dataclass
    class VersionChosen(Message):
        """The user picked ``version`` of ``path``."""

        table: VersionTable
        path: str
        version: str

        @property
        def control(self) -> VersionTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.path = ""
        self.versions: ModuleVersions | None = None

    def on_mount(self) -> None:
        self.add_column("Version", key="version")
        self.add_column("Notes", key="notes")
        self.add_column("Requested by", key="by")

    def show(self, mv: ModuleVersions | None, path: str) -> None:
        self.path = path
        self.versions = mv
        self.clear()
        if mv is None:
            return
        cursor = 0
        for i, e in enumerate(reversed(mv.entries)):
            style = "bold green" if e.selected else "dim" if e.hidden else ""
            by = ", ".join(e.requested_by[:2]) + (" …" if len(e.requested_by) > 2 else "")
            self.add_row(
                Text(("● " if e.selected else "  ") + e.version, style=style),
                version_notes(e, mv),
                Text(by, style="dim"),
                key=e.version,
            )
            if e.selected:
                cursor = i
        self.move_cursor(row=cursor, animate=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None and self.path:
            self.post_message(self.VersionChosen(self, self.path, event.row_key.value))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()


class DetailsPane(Vertical):
    """Title, requirers and why-paths (scrollable), then the versions list."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        with VerticalScroll(id="detail-scroll"):
            yield Static(id="detail-body")
        yield Label("Versions", id="versions-label")
        yield Static(id="versions-note")
        yield VersionTable(id="versions")

    def show_module(
        self,
        row: ModuleRow | None,
        loaded: LoadedModule | None,
        conflict: Conflict | None,
    ) -> None:
        title = self.query_one("#detail-title", Static)
        body = self.query_one("#detail-body", Static)
        if row is None or loaded is None:
            title.update(Text("No module highlighted", style="dim"))
            body.update("")
            self.show_versions(None, "", "")
            return
        head = Text.assemble((row.path, "bold"), "  ", (row.version or "main module", "green"))
        flags = flags_text(row)
        if flags:
            head.append("\n")
            head.append_text(flags)
        title.update(head)
        body.update(render_details(row, loaded, conflict))
        self.query_one("#detail-scroll", VerticalScroll).scroll_home(animate=False)

    def show_versions(self, mv: ModuleVersions | None, path: str, note: str | Text) -> None:
        table = self.query_one(VersionTable)
        table.show(mv, path)
        self.query_one("#versions-note", Static).update(note)

    def set_loading(self, loading: bool) -> None:
        self.query_one(VersionTable).loading = loading


def versions_note(mv: ModuleVersions) -> Text:
    """One or two lines under the Versions heading: latest, deprecation, newer majors."""
    out = Text()
    out.append(f"latest: {mv.latest or '-'}", style="cyan")
    if mv.stale:
        out.append("  (stale: from the module cache)", style="yellow")
    if mv.deprecated:
        out.append("\n† deprecated: ", style="bold yellow")
        out.append(short_message(mv.deprecated), style="yellow")
    if mv.newer_majors:
        majors = ", ".join(f"{m.path} {m.version}" for m in mv.newer_majors)
        out.append(f"\nnewer major versions: {majors}", style="magenta")
    if mv.error:
        out.append(f"\n✗ {mv.error}", style="red")
    return out
