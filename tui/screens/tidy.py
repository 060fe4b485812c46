"""The preview of ``go mod tidy``: what it would write to go.mod and go.sum, and why.

The plan is computed in a worker (:meth:`analysis.session.Session.tidy`). The screen lists
each changed line with its reason (``removed: no package of the main module imports
anything from it``, ``added indirect: provides P, imported by Q``), then the diff as ``go
mod tidy -diff`` prints it; go's refusal when go would refuse. ``y`` applies (atomically,
with a backup: ``u`` on the main screen undoes), ``esc`` cancels.
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
from tui.errors import ForwardsWorkerErrors
from tui.screens.plan import render_diff
from tui.widgets.spacing import indent

if TYPE_CHECKING:
    from analysis.tidy import TidyPlan
    from tui.app import GomodxApp

__all__ = ["TidyScreen", "render_tidy"]


def render_tidy(plan: TidyPlan) -> RenderableType:
    """Everything the tidy preview says about ``plan``."""
    parts: list[RenderableType] = []
    if not plan.ok:
        parts.append(Text("✗ go mod tidy would refuse", style="bold red"))
        parts.append(Text(""))
        for line in str(plan.error).splitlines():
            parts.append(indent(line, 2, style="red"))
        return Group(*parts)
    if plan.tidy:
        parts.append(
            Text("✓ go.mod and go.sum are tidy: go mod tidy changes nothing", style="bold green")
        )
        return Group(*parts)
    mod = [ln for ln in plan.lines if ln.file == "go.mod"]
    sums = [ln for ln in plan.lines if ln.file == "go.sum"]
    head = Text("✓ go mod tidy would rewrite ", style="bold green")
    head.append(
        " and ".join(n for n, ls in (("go.mod", mod), ("go.sum", sums)) if ls), style="bold"
    )
    parts.append(head)
    for line in plan.stderr:
        parts.append(indent(line, 2, style="dim"))
    parts.append(Text(""))
    if mod:
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold underline")
        table.add_column("", no_wrap=True)
        table.add_column("go.mod line", no_wrap=True)
        table.add_column("Why", overflow="fold")
        for ln in mod:
            sign = (
                Text("+ added", style="green") if ln.op == "+" else Text("- removed", style="red")
            )
            table.add_row(sign, ln.text.strip(), Text(ln.why, style="dim"))
        parts.append(table)
        parts.append(Text(""))
    if sums:
        added = sum(1 for ln in sums if ln.op == "+")
        dropped = len(sums) - added
        parts.append(
            Text(
                f"go.sum: {added} line(s) added (checksums go needs), {dropped} dropped"
                " (no longer needed)",
                style="dim",
            )
        )
        parts.append(Text(""))
    parts.append(Text("go mod tidy -diff", style="bold underline"))
    parts.append(render_diff(plan.diff()))
    return Group(*parts)


class TidyScreen(ForwardsWorkerErrors, Screen[bool]):
    """Preview ``go mod tidy``; dismissed with True when it was applied."""

    HELP_GROUP = "Tidy preview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "apply", "Apply", id="tidy.apply"),
        Binding("escape", "cancel", "Cancel", id="tidy.cancel"),
        Binding("n", "cancel", "Cancel", show=False, id="tidy.cancel-n"),
        Binding("j", "scroll_down", "Scroll down", show=False, id="tidy.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="tidy.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: TidyPlan | None = None
        self.error = ""
        self.applying = False

    @property
    def gomodx(self) -> GomodxApp:
        return cast("GomodxApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        yield Static(Text.assemble("Preview: ", ("go mod tidy", "bold")), classes="screen-title")
        with VerticalScroll(id="tidy-body"):
            yield Static(id="tidy-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#tidy-body").loading = True
        self.compute()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.plan is not None and self.plan.ok and not self.plan.tidy
        return True

    @work(group="tidy", exclusive=True, exit_on_error=False)
    async def compute(self) -> None:
        text = self.query_one("#tidy-text", Static)
        try:
            plan = await self.gomodx.session.tidy()
        except (GomodxError, OSError) as exc:
            self.error = str(exc)
            text.update(Text(f"✗ The preview cannot be computed\n\n{exc}", style="red"))
        else:
            self.plan = plan
            text.update(render_tidy(plan))
        finally:
            self.query_one("#tidy-body").loading = False
            self.refresh_bindings()

    def action_cancel(self) -> None:
        if not self.applying:
            self.dismiss(False)

    def action_apply(self) -> None:
        if self.plan is None or not self.plan.ok or self.plan.tidy or self.applying:
            return
        self.applying = True
        self.run_apply(self.plan)

    @work(group="apply", exclusive=True, exit_on_error=False)
    async def run_apply(self, plan: TidyPlan) -> None:
        try:
            await self.gomodx.apply_tidy(plan)
        except (GomodxError, OSError) as exc:
            self.notify(str(exc), title="Not applied", severity="error")
            return
        finally:
            self.applying = False
        self.dismiss(True)

    def action_scroll_down(self) -> None:
        self.query_one("#tidy-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#tidy-body", VerticalScroll).scroll_up()
