"""The details pane: who asks for the highlighted module, why it is in the build, and
which versions exist (with the versions list the downgrade/upgrade flow starts from)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from analysis.conflicts import Conflict
from analysis.modgraph import requirers, version_key, why
from analysis.module import ModuleVersion
from analysis.session import LoadedModule
from analysis.sumdb import SumCheck
from analysis.versions import ModuleVersions, VersionEntry, short_message
from analysis.vulnscan import Finding
from tui.widgets.fit import abbreviate_version, fit_list, fit_words
from tui.widgets.rows import ModuleRow, flags_text, risk_text
from tui.widgets.spacing import gap, indent, join_runs, padded

__all__ = [
    "DetailsPane",
    "VersionTable",
    "render_details",
    "trust_text",
    "version_notes",
    "vulns_text",
]

WHY_LIMIT = 6
"""How many shortest paths the pane lists before saying how many more there are."""
REQUIRERS_LIMIT = 12
"""How many requirers the pane lists (the dependents tree has them all)."""


def _arrow_path(path: list[ModuleVersion], target: str) -> Text:
    out = Text()
    for i, m in enumerate(path):
        if i:
            out.append_text(gap(1))
            out.append("→ ", style="dim")
        out.append(str(m), style="bold" if m.path == target else "")
    return out


def vulns_text(findings: Sequence[Finding]) -> list[Text]:
    """The vulnerabilities of a module's selected version, one entry a line (ID, aliases,
    summary, fixed version), and how to preview the fix."""
    if not findings:
        return []
    head = (
        "vulnerable: 1 known vulnerability"
        if len(findings) == 1
        else (f"vulnerable: {len(findings)} known vulnerabilities")
    )
    lines = [Text(f"☠ {head}", style="bold red")]
    for f in findings:
        line = indent(f"• {f.osv}", style="bold")
        if f.aliases:
            line.append(f" ({', '.join(f.aliases)})", style="dim")
        if f.summary:
            line.append(f": {f.summary}")
        line.append(f" — fixed in {f.fixed_version}" if f.fixed_version else " — no fix known")
        lines.append(line)
    lines.append(indent("x: preview go get of the nearest fixed version", style="dim"))
    lines.append(Text(""))
    return lines


def render_details(
    row: ModuleRow,
    loaded: LoadedModule,
    conflict: Conflict | None,
    findings: Sequence[Finding] = (),
    imports: str | None = None,
) -> Text:
    """Requirers (winning requests marked ★), risk reasons and why-paths for ``row``;
    first, the vulnerability ``findings`` of its selected version; last, with
    ``imports``, the import paths that need it (``go mod why -m``).

    One ``Text`` (not a Rich table): the pane is re-measured whenever the layout changes,
    and a single text measures in microseconds even for a module with many requirers.
    """
    lines: list[Text] = []
    if row.main and loaded.workspace is not None:
        where = next((m.dir for m in loaded.main_modules() if m.path == row.path), None)
        lines.append(Text(f"A main module of the workspace {loaded.workspace.path}", style="dim"))
        if where is not None:
            lines.append(indent(f"in {where}", style="dim"))
        return Text("\n").join(lines)
    if row.main:
        lines.append(Text("The main module: every version selection starts here.", style="dim"))
        return Text("\n").join(lines)
    lines.extend(vulns_text(findings))
    if conflict is not None:
        risk = risk_text(conflict.risk.level)
        risk.append(" ")  # inside the styled run (see below)
        head = Text.assemble(
            risk, f"conflict: {len(conflict.versions)} versions asked, MVS selects the highest"
        )
        lines.append(head)
        for reason in conflict.risk.key_reasons:
            lines.append(indent(f"• {reason}", style="italic"))
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
        lines.append(indent("nobody (only the main module's go.mod lists it)", style="dim"))
    else:
        # Winning requests first (highest version first), then by requirer.
        order = sorted(asks, key=lambda a: str(a[0]))
        order.sort(key=lambda a: version_key(row.path, a[1]), reverse=True)
        width = max(len(v) for _, v in order[:REQUIRERS_LIMIT])
        for by, v in order[:REQUIRERS_LIMIT]:
            wins = v == row.version
            # Spacing as runs of its own or at the end of a run (see spacing).
            line = gap(1)
            line.append("★ " if wins else "  ", style="bold green")
            line.append(f"{v:<{width}}  ", style="bold green" if wins else "")
            line.append(str(by))
            if by.version and selected.get(by.path) != by.version:
                line.append_text(gap(1))
                line.append("(not selected itself)", style="dim")
            elif not by.version and loaded.workspace is not None:
                line.append_text(gap(1))
                line.append("(main module)", style="dim")
            lines.append(line)
        if len(order) > REQUIRERS_LIMIT:
            more = len(order) - REQUIRERS_LIMIT
            lines.append(indent(f"… and {more} more (t: the dependents tree)", 3, style="dim"))
        lines.append(indent("★ = the request MVS selected", 1, style="dim"))

    lines.append(Text(""))
    paths = why(loaded.graph, row.path, limit=WHY_LIMIT + 1)
    lines.append(
        Text(
            f"Why is it in the build? (shortest paths from {loaded.graph.main})",
            style="bold underline",
        )
    )
    for p in paths[:WHY_LIMIT]:
        lines.append(indent(_arrow_path(p, row.path)))
    if len(paths) > WHY_LIMIT:
        lines.append(indent("… and more (t: the dependents tree)", style="dim"))
    if not paths:
        lines.append(indent("not reachable from the main module", style="dim"))
    if imports is not None:
        lines.append(Text(""))
        lines.append(
            Text(
                "Which imports need it? (go mod why -m, every shortest path)",
                style="bold underline",
            )
        )
        for step in imports.rstrip("\n").splitlines():
            lines.append(indent(step, style="dim" if step.startswith("(") else ""))
    return Text("\n").join(lines)


_TAG_STYLES = {
    "selected": ("●", "bold green"),
    "latest": ("★", "bold cyan"),
    "retracted": ("✗", "bold red"),
    "excluded": ("⊘", "magenta"),
    "prerelease": ("β", "yellow"),
    "pseudo": ("~", "blue"),
    "+incompatible": ("±", "magenta"),
    "unlisted": ("?", "dim"),
    "vulnerable": ("☠", "bold red"),
}


def version_notes(entry: VersionEntry, width: int | None = None, *, words: bool = True) -> Text:
    """Words (with colour) for one version: selected, latest, retracted (why), …

    ``width``: the retraction's rationale is cut between words to fit, or left out (the
    tags always show); ``words=False``: the glyphs alone.
    """
    why = "; ".join(short_message(r) for r in entry.rationale) if words else ""
    tags = entry.tags()
    if width is not None and why:
        fixed = sum(cell_len(f"{_TAG_STYLES.get(t, ('', ''))[0]} {t}") for t in tags)
        fixed += len(tags) - 1 + len(": ")
        room = width - fixed
        why = fit_words(why, room) if room >= 6 else ""
    parts = []
    for tag in tags:
        glyph, style = _TAG_STYLES.get(tag, ("", ""))
        text = (
            glyph
            if not words
            else f"{glyph} {tag}: {why}"
            if tag == "retracted" and why
            else f"{glyph} {tag}"
        )
        parts.append(Text(text, style=style))
    return join_runs(parts)


def _without_rationale(entry: VersionEntry) -> VersionEntry:
    return replace(entry, rationale=())


@dataclass(frozen=True)
class VersionsLayout:
    """The versions table's columns for one width."""

    version: int
    notes: str
    """``words`` or ``glyphs``."""
    notes_width: int
    by_label: str
    """``Requested by``, ``By`` or ``""`` (no column: the pane above lists who asks)."""
    by_width: int

    def columns(self) -> list[tuple[str, str, int]]:
        out = [("Version", "version", self.version), ("Notes", "notes", self.notes_width)]
        if self.by_label:
            out.append((self.by_label, "by", self.by_width))
        return out


def versions_layout(mv: ModuleVersions | None, width: int) -> VersionsLayout:
    """Columns that fit ``width`` cells, giving up the least useful first.

    Kept, in this order: the versions (shortened after a ``-`` only past 20 cells when
    space is short), the notes' tags, one requirer's path, the retraction rationale (cut
    between words), more requirers (``+N`` for the rest). When not even the tags fit,
    the notes are glyphs.
    """
    entries = mv.entries if mv is not None else ()
    pad = 2  # DataTable's cell padding, both sides
    longest = max((cell_len(e.version) for e in entries), default=0)
    version = max(len("Version"), longest)
    if width - version - pad < 30 and longest > 20:
        version = max(
            len("Version"), *(cell_len(abbreviate_version(e.version, 20)) for e in entries)
        )
    left = width - version - pad  # for the other columns, with their padding
    full = max([len("Notes"), *(version_notes(e).cell_len for e in entries)])
    tags = max([len("Notes"), *(version_notes(_without_rationale(e)).cell_len for e in entries)])
    glyphs = max([len("Notes"), *(version_notes(e, words=False).cell_len for e in entries)])
    by_full = max((cell_len(", ".join(e.requested_by)) for e in entries), default=0)
    by_full = max(len("Requested by"), by_full)
    # One whole path (and how many more) for every version: less is no use.
    by_min = max(
        [len("Requested by"), *(cell_len(fit_list(e.requested_by[:1], 999)) for e in entries)]
    )
    by_min += max(
        (len(f" +{len(e.requested_by) - 1}") for e in entries if len(e.requested_by) > 1), default=0
    )
    if full + pad + by_full + pad <= left:
        return VersionsLayout(version, "words", full, "Requested by", by_full)
    if tags + pad + by_min + pad <= left:
        notes = min(full, left - 2 * pad - by_min)
        return VersionsLayout(version, "words", notes, "Requested by", left - 2 * pad - notes)
    if tags + pad <= left:
        return VersionsLayout(version, "words", min(full, left - pad), "", 0)
    by = left - 2 * pad - glyphs
    if by >= by_min:
        return VersionsLayout(version, "glyphs", glyphs, "Requested by", min(by, by_full))
    return VersionsLayout(version, "glyphs", glyphs, "", 0)


def requested_by(entry: VersionEntry, width: int) -> str:
    """Who asks for ``entry``: as many whole paths as fit in ``width``, then ``+N``."""
    return fit_list(list(entry.requested_by), width)


class VersionTable(DataTable[Text]):
    """A module's versions, newest first; Enter previews moving to the highlighted one.

    Its columns fit its width (:func:`versions_layout`): never a horizontal scrollbar,
    never a word cut in two.
    """

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
        # Padding is the cells' own (see padded).
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.path = ""
        self.versions: ModuleVersions | None = None
        self.columns_layout: VersionsLayout | None = None
        self._filled: ModuleVersions | None = None

    def on_mount(self) -> None:
        self._set_columns()

    def _budget(self) -> int:
        rows = len(self.versions.entries) if self.versions is not None else 0
        width = self.size.width
        if rows + 1 > self.size.height:
            width -= self.styles.scrollbar_size_vertical
        return width

    def _set_columns(self) -> bool:
        layout = versions_layout(self.versions, self._budget())
        if layout == self.columns_layout:
            return False
        self.columns_layout = layout
        self.clear(columns=True)
        for label, key, width in layout.columns():
            self.add_column(padded(label), key=key, width=width + 2)
        return True

    def on_resize(self, event: events.Resize) -> None:
        if self.size.width > 0 and self._set_columns():
            self._fill()

    def show(self, mv: ModuleVersions | None, path: str) -> None:
        self.path = path
        self.versions = mv
        if not self._set_columns():
            self.clear()
        self._fill()

    def _fill(self) -> None:
        mv, layout = self.versions, self.columns_layout
        if mv is None or layout is None:
            return
        # A refill for a new width keeps the cursor where it was.
        rows = self.ordered_rows
        current = rows[self.cursor_row].key.value if 0 <= self.cursor_row < len(rows) else None
        if mv is not self._filled:
            current = None
        self._filled = mv
        self.clear()
        selected = 0
        for i, e in enumerate(reversed(mv.entries)):
            style = "bold green" if e.selected else "dim" if e.hidden else ""
            version = e.version
            if cell_len(version) > layout.version:
                version = abbreviate_version(version, layout.version)
            cells = [
                Text(version, style=style),
                version_notes(e, layout.notes_width, words=layout.notes == "words"),
            ]
            if layout.by_label:
                cells.append(Text(requested_by(e, layout.by_width), style="dim"))
            self.add_row(*(padded(c) for c in cells), key=e.version)
            if e.selected:
                selected = i
        row = selected
        if current is not None and current in self.rows:
            row = self.get_row_index(current)
        self.move_cursor(row=row, animate=False)

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
        findings: Sequence[Finding] = (),
        imports: str | None = None,
    ) -> None:
        title = self.query_one("#detail-title", Static)
        body = self.query_one("#detail-body", Static)
        if row is None or loaded is None:
            title.update(Text("No module highlighted", style="dim"))
            body.update("")
            self.show_versions(None, "", "")
            return
        head = Text.assemble((row.path, "bold"), gap(2), (row.version or "main module", "green"))
        flags = flags_text(row)
        if flags:
            head.append("\n")
            head.append_text(flags)
        title.update(head)
        body.update(render_details(row, loaded, conflict, findings, imports))
        self.query_one("#detail-scroll", VerticalScroll).scroll_home(animate=False)

    def show_versions(self, mv: ModuleVersions | None, path: str, note: str | Text) -> None:
        table = self.query_one(VersionTable)
        table.show(mv, path)
        self.query_one("#versions-note", Static).update(note)

    def set_loading(self, loading: bool) -> None:
        self.query_one(VersionTable).loading = loading


_TRUST_STYLES = {
    "verified": ("✓", "green"),
    "skipped": ("?", "yellow"),
    "mismatch": ("✗", "bold red"),
    "error": ("?", "yellow"),
}


def trust_text(check: SumCheck | None) -> Text:
    """Who vouches for a go.mod, glyph and words: ``✓ verified by go.sum``, ``✓ verified
    by sum.golang.org``, ``? not verified (GONOSUMDB)``, ``✗ checksum mismatch …``."""
    if check is None:
        return Text("… checking", style="dim")
    glyph, style = _TRUST_STYLES.get(check.verdict, ("?", ""))
    return Text(f"{glyph} {check.words}", style=style)


def versions_note(mv: ModuleVersions, check: SumCheck | None = None) -> Text:
    """One or two lines under the Versions heading: latest, who vouches for the selected
    version (``check``, when asked), deprecation, newer majors."""
    out = Text()
    out.append(f"latest: {mv.latest or '-'}", style="cyan")
    if check is not None:
        out.append_text(gap(2))
        out.append("selected: ", style="dim")
        out.append_text(trust_text(check))
    if mv.stale:
        out.append_text(gap(2))
        out.append("(stale: from the module cache)", style="yellow")
    if mv.deprecated:
        out.append("\n† deprecated: ", style="bold yellow")
        out.append(short_message(mv.deprecated), style="yellow")
    if mv.newer_majors:
        majors = ", ".join(f"{m.path} {m.version}" for m in mv.newer_majors)
        out.append(f"\nnewer major versions: {majors}", style="magenta")
    if mv.error:
        out.append(f"\n✗ {mv.error}", style="red")
    return out
