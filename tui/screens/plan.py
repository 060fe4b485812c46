"""The preview of a version change: what ``go get M@V`` would do, before anything is written.

The plan is computed in a worker (the proxy may be slow); the screen shows the other
modules that move or disappear and why each one does, conflicts that go away or appear,
go's refusal with the requirement chain behind it, and the go.mod diff. ``y`` applies, ``esc`` cancels.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
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
from analysis.module import ModuleVersion
from analysis.plan import Change, Plan
from tui.errors import ForwardsWorkerErrors
from tui.widgets.spacing import gap, indent

if TYPE_CHECKING:
    from tui.app import GomodxApp

__all__ = ["PlanScreen", "render_diff", "render_plan"]

_KIND = {
    "downgraded": ("▼", "downgraded", "yellow"),
    "upgraded": ("▲", "upgraded", "cyan"),
    "removed": ("✗", "removed", "bold red"),
    "added": ("+", "added", "green"),
}


def render_diff(diff: str) -> Text:
    """A unified diff with + lines green and - lines red (the signs stay, for monochrome)."""
    out = Text()
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        else:
            style = "dim"
            if line.startswith(" "):
                # A context line's marker is a space: a run of its own (see spacing).
                out.append_text(gap(1))
                line = line[1:]
        out.append(line + "\n", style=style)
    return out


def render_plan(
    plan: Plan,
    current: str,
    chain: list[ModuleVersion] | None = None,
    gomod_name: str = "go.mod",
) -> RenderableType:
    """Everything the preview says about ``plan`` (``current``: the version selected now;
    ``gomod_name``: what to call the go.mod, e.g. ``shop/go.mod`` in a workspace)."""
    parts: list[RenderableType] = []
    target = plan.target
    if not plan.ok:
        parts.append(Text("✗ go get would refuse this change", style="bold red"))
        parts.append(Text(""))
        for line in str(plan.error).splitlines():
            parts.append(indent(line, 2, style="red"))
        if chain:
            parts.append(Text(""))
            parts.append(Text("Requirement chain", style="bold underline"))
            for i, m in enumerate(chain):
                step = Text("└─ requires " if i else "")
                step.append(str(m), style="bold" if i in (0, len(chain) - 1) else "")
                parts.append(indent(step, 2 + 3 * i))
        if plan.suggestion:
            parts.append(Text(""))
            nearest = "combination" if len(plan.targets) > 1 else "version"
            parts.append(
                Text.assemble(
                    f"Nearest {nearest} go would accept: ",
                    (plan.suggestion, "bold green"),
                    gap(3),
                    ("press s to preview it", "dim"),
                )
            )
        for w in plan.warnings:
            parts.append(Text(f"⚠ {w}", style="yellow"))
        return Group(*parts)

    requested = {t.path for t in plan.targets} | {m.path for m in plan.resolved}
    others = [c for c in plan.changes if c.path not in requested]
    direction = ""
    if len(plan.targets) > 1:
        pass  # one direction per argument: the table says each
    elif plan.version and current:
        mine = next((c for c in plan.changes if c.path == target.path), None)
        direction = mine.kind if mine is not None else "unchanged"
    if not plan.changes and len(plan.targets) > 1:
        parts.append(Text("✓ nothing to do: every module is already there", style="bold green"))
    elif not plan.changes:
        parts.append(
            Text(f"✓ nothing to do: {target.path} is already at {plan.version}", style="bold green")
        )
    else:
        head = Text("✓ go get can do this", style="bold green")
        if direction:
            head.append(f": {direction} {target.path} {current} → {plan.version}", style="bold")
        elif len(plan.targets) > 1:
            head.append(f": {len(plan.targets)} modules in one go get", style="bold")
        parts.append(head)
        if others:
            parts.append(
                indent(f"and {len(others)} other module(s) must change with it", style="yellow")
            )
    parts.append(Text(""))

    if plan.changes:
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold underline")
        table.add_column("Change")
        table.add_column("Module")
        table.add_column("From")
        table.add_column("To")
        table.add_column("Why", overflow="fold")
        for c in sorted(plan.changes, key=lambda c: (c.path not in requested, c.kind, c.path)):
            glyph, word, style = _KIND.get(c.kind, ("•", c.kind, ""))
            table.add_row(
                Text(f"{glyph} {word}", style=style),
                Text(c.path, style="bold" if c.path in requested else ""),
                "" if c.from_ == "none" else c.from_,
                Text("(removed)", style="red") if c.to == "none" else c.to,
                Text(_why(c), style="dim"),
            )
        parts.append(table)
        parts.append(Text(""))

    if plan.conflicts_resolved or plan.conflicts_introduced:
        parts.append(Text("Conflicts", style="bold underline"))
        for gone in plan.conflicts_resolved:
            asked = ", ".join(gone.versions)
            parts.append(indent(f"✓ resolved   {gone.path} (was asked at {asked})", style="green"))
        for new in plan.conflicts_introduced:
            asked = ", ".join(new.versions)
            parts.append(indent(f"▲ new        {new.path} (asked at {asked})", style="yellow"))
        parts.append(Text(""))
    for w in plan.warnings:
        parts.append(Text(f"⚠ {w}", style="yellow"))
    diff = plan.gomod_diff()
    if diff:
        parts.append(Text(gomod_name, style="bold underline"))
        parts.append(render_diff(diff))
    for name, before, after in plan.other_files:
        # In a workspace go get also rewrites go.work (its go line follows the module's).
        a = (before or b"").decode("utf-8", "replace").splitlines(keepends=True)
        b = (after or b"").decode("utf-8", "replace").splitlines(keepends=True)
        parts.append(Text(f"{name} (written with go.mod, undone with it)", style="bold underline"))
        parts.append(render_diff("".join(difflib.unified_diff(a, b, f"a/{name}", f"b/{name}"))))
    sums = len(plan.gosum_added) + len(plan.zip_sums_added)
    if sums and (plan.changes or diff):
        parts.append(Text(f"go.sum: {sums} line(s) added", style="dim"))
    elif sums:
        # What go does: `go get M@V` on the selected version changes nothing, but it
        # downloads M@V and records the checksums it did not have. gomodx does not apply
        # such a plan (there is no change to undo), so it says what go would do.
        lines = "1 checksum line" if sums == 1 else f"{sums} checksum lines"
        parts.append(
            Text(
                f"go.mod stays as it is; go get would still add {lines} to go.sum"
                " (for what it downloads).",
                style="dim",
            )
        )
    return Group(*parts)


def _why(c: Change) -> str:
    """The change's reason, shortened for the argument's own line."""
    return "requested" if c.why.startswith("requested:") else c.why


class PlanScreen(ForwardsWorkerErrors, Screen[bool]):
    """Preview ``go get path@version``; dismissed with True when the change was applied."""

    HELP_GROUP = "Preview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "apply", "Apply", id="plan.apply"),
        Binding("escape", "cancel", "Cancel", id="plan.cancel"),
        Binding("n", "cancel", "Cancel", show=False, id="plan.cancel-n"),
        Binding("s", "suggested", "Preview suggestion", id="plan.suggested"),
        Binding("j", "scroll_down", "Scroll down", show=False, id="plan.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="plan.up"),
    ]

    def __init__(
        self,
        path: str,
        version: str,
        current: str,
        *,
        plan: Plan | None = None,
        note: str = "",
        targets: Sequence[str] = (),
    ) -> None:
        """Preview ``go get path@version``; with ``targets``, ``go get TARGET...`` (the
        arguments at once, as the outdated view asks). ``plan``: already computed (the
        nearest fixed version's), shown as it is; ``note``: why this version (said under
        the title)."""
        super().__init__()
        self.path = path
        self.version = version
        self.current = current
        self.targets = list(targets)
        self.plan: Plan | None = None
        self.given = plan
        self.note = note
        self.error = ""
        self.applying = False

    @property
    def gomodx(self) -> GomodxApp:
        return cast("GomodxApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        if self.targets:
            title = Text.assemble("Preview: ", ("go get ", "dim"), (" ".join(self.targets), "bold"))
        else:
            title = Text.assemble(
                "Preview: ",
                ("go get ", "dim"),
                (f"{self.path}@{self.version}", "bold"),
                gap(3),
                (f"(selected now: {self.current or 'none'})", "dim"),
                *((("\n", ""), (self.note, "italic")) if self.note else ()),
            )
        yield Static(title, classes="screen-title")
        with VerticalScroll(id="plan-body"):
            yield Static(id="plan-text")
        yield Footer()

    def on_mount(self) -> None:
        if self.given is not None:
            self._show(self.given)
            self.refresh_bindings()
            return
        self.query_one("#plan-body").loading = True
        self.compute()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.plan is not None and self.plan.ok and bool(self.plan.changes)
        if action == "suggested":
            return self.plan is not None and bool(self.plan.suggestion)
        return True

    @work(group="plan", exclusive=True, exit_on_error=False)
    async def compute(self) -> None:
        text = self.query_one("#plan-text", Static)
        try:
            if self.targets:
                plan = await self.gomodx.plan_targets(self.targets)
            else:
                plan = await self.gomodx.plan(self.path, self.version)
        except (GomodxError, OSError) as exc:
            self.error = str(exc)
            text.update(self._cannot_plan(str(exc)))
        else:
            self._show(plan)
        finally:
            # Whatever happened (an unexpected error goes on to the app's handler), the
            # preview stops spinning.
            self.query_one("#plan-body").loading = False
            self.refresh_bindings()

    def _show(self, plan: Plan) -> None:
        text = self.query_one("#plan-text", Static)
        if plan.error is not None and plan.error.unavailable:
            # Not go's refusal: the files the plan needs could not be had.
            self.error = str(plan.error)
            text.update(self._cannot_plan(self.error))
        else:
            self.plan = plan
            chain = list(plan.chains[0]) if plan.chains else None
            text.update(render_plan(plan, self.current, chain, self._gomod_name()))

    def _gomod_name(self) -> str:
        """``go.mod``, or in a workspace the module's go.mod relative to go.work's
        directory (which of the workspace's go.mod files changes)."""
        session = self.gomodx.session
        ws = session.sandbox_workspace
        if ws is None:
            return "go.mod"
        rel = os.path.relpath(session.directory.absolute() / "go.mod", ws.path.parent)
        return rel.replace(os.sep, "/")

    def _cannot_plan(self, error: str) -> Text:
        out = Text("✗ The plan cannot be computed\n\n", style="bold red")
        out.append(error + "\n\n", style="red")
        if self.gomodx.net.offline:
            out.append(
                "gomodx is offline and the go.mod files and zips this change needs are not "
                "in the module cache. Run gomodx without --offline (or fetch them with "
                "`go mod download`) and try again.",
                style="yellow",
            )
        else:
            out.append(
                "The module proxy did not answer. Press n for the network log; esc to go back.",
                style="yellow",
            )
        return out

    def action_cancel(self) -> None:
        if not self.applying:
            self.dismiss(False)

    def action_suggested(self) -> None:
        if self.plan is None or not self.plan.suggestion:
            return
        args = self.plan.suggestion.split()
        path, _, version = args[0].rpartition("@")
        targets = args if len(args) > 1 or self.targets else []
        self.app.switch_screen(PlanScreen(path, version, self.current, targets=targets))

    def action_apply(self) -> None:
        if self.plan is None or not self.plan.ok or self.applying:
            return
        self.applying = True
        self.run_apply(self.plan)

    @work(group="apply", exclusive=True, exit_on_error=False)
    async def run_apply(self, plan: Plan) -> None:
        try:
            await self.gomodx.apply_plan(plan)
        except (GomodxError, OSError) as exc:
            self.notify(str(exc), title="Not applied", severity="error")
            return
        finally:
            self.applying = False
        self.dismiss(True)

    def action_scroll_down(self) -> None:
        self.query_one("#plan-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#plan-body", VerticalScroll).scroll_up()
