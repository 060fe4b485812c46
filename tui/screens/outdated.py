"""The outdated view: the modules behind, chosen together, previewed as one ``go get``.

The list comes from :meth:`analysis.session.Session.outdated` (in a worker: it asks the
proxy about every module and previews ``go get`` for each ``Compatible`` version). Each
row shows the update ``go list -m -u`` offers, the highest same-major version go get
accepts, and the level as glyph + word. ``space`` marks a row, ``p`` marks every patch
update, ``m`` every minor update of a direct dependency, ``a`` clears the marks; ``enter``
previews the combined ``go get`` of the marked rows on the plan screen (go.mod and go.sum
diff, what else moves and why, a refusal with the nearest combination go accepts), where
``y`` applies it (``u`` on the main screen undoes).

A marked row asks for its ``Compatible`` version, or for its ``Update`` when go get
refuses every newer version (so the preview shows go's refusal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from analysis.errors import GomodxError
from analysis.outdated import Outdated, sort_key
from tui.errors import ForwardsWorkerErrors, error_message
from tui.widgets.padded_table import PaddedTable
from tui.widgets.spacing import gap

if TYPE_CHECKING:
    from tui.app import GomodxApp

__all__ = ["OutdatedScreen", "level_text", "target_of"]

LEVEL_STYLE = {
    "major": ("▲", "bold red"),
    "minor": ("◆", "yellow"),
    "patch": ("●", "green"),
    "prerelease": ("◇", "magenta"),
    "": ("·", "dim"),
}


def level_text(level: str) -> Text:
    """The level as glyph + word, coloured (the word says it without colour)."""
    glyph, style = LEVEL_STYLE.get(level, ("•", ""))
    return Text(f"{glyph} {level or 'current'}", style=style)


def target_of(o: Outdated) -> str:
    """The ``go get`` argument a marked row stands for (``""``: nothing to get)."""
    version = o.compatible or o.update
    return f"{o.path}@{version}" if version else ""


class OutdatedScreen(ForwardsWorkerErrors, Screen[None]):
    """Outdated modules; mark some and preview them as one ``go get``."""

    HELP_GROUP = "Outdated"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_mark", "Mark", id="outdated.toggle"),
        Binding("p", "mark_patch", "All patch", id="outdated.patch"),
        Binding("m", "mark_minor_direct", "Minor of direct", id="outdated.minor-direct"),
        Binding("a", "clear", "Clear marks", show=False, id="outdated.clear"),
        Binding("enter", "preview", "Preview go get", priority=True, id="outdated.preview"),
        Binding("escape", "back", "Back", id="outdated.back"),
        Binding("r", "reload", "Reload", show=False, id="outdated.reload"),
        Binding("j", "cursor_down", "Down", show=False, id="outdated.down"),
        Binding("k", "cursor_up", "Up", show=False, id="outdated.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Outdated] = []
        self.marked: set[str] = set()

    @property
    def gomodx(self) -> GomodxApp:
        return cast("GomodxApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        yield Static(id="outdated-title", classes="screen-title")
        yield PaddedTable(id="outdated-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#outdated-table", DataTable)
        for label in ("", "Module", "Version", "Update", "Compatible", "Level", "Major", "Notes"):
            table.add_column(label, key=label or "mark")
        self._title()
        self.load()

    def _title(self) -> None:
        args = self.targets()
        text = Text.assemble(("Outdated modules", "bold"), gap(3))
        if args:
            text.append(f"{len(args)} marked: ", style="bold")
            text.append("go get " + " ".join(args), style="cyan")
        else:
            text.append("space marks a row; p: all patch updates; m: minor of direct", "dim")
        self.query_one("#outdated-title", Static).update(text)

    @work(group="outdated", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        table = self.query_one("#outdated-table", DataTable)
        table.loading = True
        try:
            found = await self.gomodx.outdated()
        except (GomodxError, OSError) as exc:
            self.notify(error_message(exc), title="Cannot list outdated modules", severity="error")
            return
        finally:
            table.loading = False
        self.rows = sorted((o for o in found if o.outdated or o.flagged), key=sort_key)
        self.marked &= {o.path for o in self.rows if target_of(o)}
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#outdated-table", DataTable)
        table.clear()
        for o in self.rows:
            table.add_row(*self._cells(o), key=o.path)
        if not self.rows:
            self.query_one("#outdated-title", Static).update(
                Text("✓ every module is up to date", style="bold green")
            )
        else:
            self._title()

    def _cells(self, o: Outdated) -> list[Text | str]:
        mark = Text("✓", style="bold cyan") if o.path in self.marked else Text(" ")
        notes = Text("direct" if o.direct else "indirect", style="" if o.direct else "dim")
        for flag, word, style in (
            (bool(o.retracted), "✗ retracted", "red"),
            (bool(o.deprecated), "⚠ deprecated", "yellow"),
            (bool(o.refused), f"go get refuses {o.refused}", "red"),
        ):
            if flag:
                notes.append_text(gap(2))
                notes.append(word, style=style)
        major = o.latest_major
        return [
            mark,
            Text(o.path, style="bold" if o.direct else ""),
            o.version,
            o.update or "-",
            Text(o.compatible or "-", style="green" if o.compatible else "dim"),
            level_text(o.level),
            f"{major.path}@{major.version}" if major else "-",
            notes,
        ]

    def _refresh_marks(self) -> None:
        table = self.query_one("#outdated-table", DataTable)
        for o in self.rows:
            mark = Text("✓", style="bold cyan") if o.path in self.marked else Text(" ")
            table.update_cell(o.path, "mark", mark)
        self._title()
        self.refresh_bindings()

    def targets(self) -> list[str]:
        """The marked rows as ``go get`` arguments, in the list's order."""
        return [target_of(o) for o in self.rows if o.path in self.marked and target_of(o)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "preview":
            return bool(self.marked)
        return True

    # -- actions --------------------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        table = self.query_one("#outdated-table", DataTable)
        if not self.rows:
            return
        o = self.rows[table.cursor_row]
        if not target_of(o):
            self.notify(f"{o.path}: no newer version of this major to get", severity="warning")
            return
        self.marked ^= {o.path}
        self._refresh_marks()

    def mark_where(self, level: str, *, direct_only: bool = False) -> int:
        """Mark every row at ``level`` (direct ones only with ``direct_only``)."""
        picked = {
            o.path
            for o in self.rows
            if o.level == level and target_of(o) and (o.direct or not direct_only)
        }
        self.marked |= picked
        self._refresh_marks()
        return len(picked)

    def action_mark_patch(self) -> None:
        n = self.mark_where("patch")
        self.notify(f"{n} patch update(s) marked")

    def action_mark_minor_direct(self) -> None:
        n = self.mark_where("minor", direct_only=True)
        self.notify(f"{n} minor update(s) of direct dependencies marked")

    def action_clear(self) -> None:
        self.marked.clear()
        self._refresh_marks()

    def action_preview(self) -> None:
        args = self.targets()
        if args:
            self.gomodx.preview_changes(args)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

    def action_cursor_down(self) -> None:
        self.query_one("#outdated-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#outdated-table", DataTable).action_cursor_up()

    def on_screen_resume(self) -> None:
        # Back from an applied preview: the build list changed, ask again.
        if self.gomodx.outdated_stale:
            self.gomodx.outdated_stale = False
            self.marked.clear()
            self.load()
