"""The preview of ``go work sync`` in a workspace: every file it would change, with a diff.

The preview (:meth:`analysis.session.Session.worksync`) is computed in a worker; the
screen lists the workspace's modules with what happens to each one's go.mod and go.sum,
then a diff per file that changes (go.mod files, go.sum files, go.work). ``y`` writes them
all at once (one transaction, undone together by ``u`` on the main screen), ``esc``
cancels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from analysis.errors import GomodxError
from analysis.worksync import WorkSync
from tui.errors import ForwardsWorkerErrors
from tui.screens.plan import render_diff
from tui.widgets.spacing import gap, indent

if TYPE_CHECKING:
    from tui.app import GomodxApp

__all__ = ["WorkSyncScreen", "render_worksync"]


def _join(d: str, name: str) -> str:
    return name if d == "." else f"{d}/{name}"


def render_worksync(sync: WorkSync) -> RenderableType:
    """Everything the preview says about ``sync``."""
    parts: list[RenderableType] = []
    if not sync.ok:
        parts.append(Text("✗ go work sync would fail", style="bold red"))
        parts.append(Text(""))
        for line in (sync.error or "").splitlines():
            parts.append(indent(line, 2, style="red"))
        return Group(*parts)
    changed = {f.name for f in sync.changed}
    if not changed:
        parts.append(Text("✓ nothing to do: go work sync changes no file", style="bold green"))
    else:
        head = Text(f"✓ go work sync changes {len(changed)} file(s)", style="bold green")
        head.append_text(gap(3))
        head.append("written together, undone together (u)", style="dim")
        parts.append(head)
    parts.append(Text(""))
    table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold underline")
    table.add_column("Module")
    table.add_column("Directory")
    table.add_column("go.mod")
    table.add_column("go.sum")
    for d, path in sync.modules:
        cells = []
        for name in ("go.mod", "go.sum"):
            f = _join(d, name)
            if f in changed:
                cells.append(Text("✎ changes", style="yellow"))
            else:
                cells.append(Text("= unchanged", style="dim"))
        table.add_row(Text(path, style="bold"), d, *cells)
    work = "go.work"
    table.add_row(
        Text("(workspace)", style="bold"),
        ".",
        Text("✎ go.work changes", style="yellow")
        if work in changed
        else Text("= go.work unchanged", style="dim"),
        "",
    )
    parts.append(table)
    parts.append(Text(""))
    for line in sync.messages:
        parts.append(Text(f"⚠ {line}", style="yellow"))
    if sync.messages:
        parts.append(Text(""))
    for name, diff in sync.diffs():
        parts.append(Text(name, style="bold underline"))
        if name.endswith(".sum"):
            added = sum(1 for x in diff.splitlines() if x.startswith("+") and x[1:2] != "+")
            removed = sum(1 for x in diff.splitlines() if x.startswith("-") and x[1:2] != "-")
            parts.append(indent(f"+{added} line(s), -{removed} line(s)", 2, style="dim"))
            parts.append(Text(""))
        else:
            parts.append(render_diff(diff))
    return Group(*parts)


class WorkSyncScreen(ForwardsWorkerErrors, Screen[bool]):
    """Preview ``go work sync``; dismissed with True when it was applied."""

    HELP_GROUP = "Work sync"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "apply", "Apply", id="worksync.apply"),
        Binding("escape", "cancel", "Cancel", id="worksync.cancel"),
        Binding("n", "cancel", "Cancel", show=False, id="worksync.cancel-n"),
        Binding("j", "scroll_down", "Scroll down", show=False, id="worksync.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="worksync.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sync: WorkSync | None = None
        self.error = ""
        self.applying = False

    @property
    def gomodx(self) -> GomodxApp:
        return cast("GomodxApp", self.app)

    def compose(self) -> ComposeResult:
        ws = self.gomodx.session.workspace
        where = str(ws.path) if ws is not None else "(no workspace)"
        yield Header(icon="◇")
        yield Static(
            Text.assemble("Preview: ", ("go work sync", "bold"), gap(3), (where, "dim")),
            classes="screen-title",
        )
        with VerticalScroll(id="worksync-body"):
            yield Static(id="worksync-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#worksync-body").loading = True
        self.compute()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.sync is not None and self.sync.ok and bool(self.sync.changed)
        return True

    @work(group="worksync", exclusive=True, exit_on_error=False)
    async def compute(self) -> None:
        text = self.query_one("#worksync-text", Static)
        try:
            sync = await self.gomodx.session.worksync()
        except (GomodxError, OSError) as exc:
            self.error = str(exc)
            text.update(Text(f"✗ The preview cannot be computed\n\n{exc}", style="red"))
        else:
            self.sync = sync
            text.update(render_worksync(sync))
        finally:
            self.query_one("#worksync-body").loading = False
            self.refresh_bindings()

    def action_cancel(self) -> None:
        if not self.applying:
            self.dismiss(False)

    def action_apply(self) -> None:
        if self.sync is None or not self.sync.ok or self.applying:
            return
        self.applying = True
        self.run_apply(self.sync)

    @work(group="apply", exclusive=True, exit_on_error=False)
    async def run_apply(self, sync: WorkSync) -> None:
        try:
            await self.gomodx.apply_worksync(sync)
        except (GomodxError, OSError) as exc:
            self.notify(str(exc), title="Not applied", severity="error")
            return
        finally:
            self.applying = False
        self.dismiss(True)

    def action_scroll_down(self) -> None:
        self.query_one("#worksync-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#worksync-body", VerticalScroll).scroll_up()
