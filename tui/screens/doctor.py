"""The doctor: why module downloads fail here, and what to change (``gomodx doctor``'s twin).

Runs :meth:`analysis.session.Session.doctor` in a worker; while it probes, the note
under the title says what finished last. Each check is a block: a glyph and a word
(``✓ ok``, ``! warn``, ``✗ fail``) with the summary, the evidence indented under it, and
the fix to paste. ``r`` runs the checks again, ``esc`` goes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from analysis.errors import GomodxError
from tui.errors import ForwardsWorkerErrors
from tui.widgets.spacing import gap, indent

if TYPE_CHECKING:
    from analysis.doctor import Check, DoctorReport
    from tui.app import GomodxApp

__all__ = ["DoctorScreen", "check_text"]

_LOOK = {
    "ok": ("✓", "green"),
    "warn": ("!", "yellow"),
    "fail": ("✗", "bold red"),
}


def check_text(check: Check) -> Text:
    """One check as the screen shows it: the status line, evidence, fix."""
    glyph, style = _LOOK.get(check.status, ("?", ""))
    # Spaces end a run or are a run of their own (tui.widgets.spacing): screenshots keep them.
    text = Text.assemble((f"{glyph} {check.status} ", style))
    text.append_text(gap(5 - len(check.status)))
    text.append(f"{check.id} ", style="bold")
    text.append(check.summary)
    for line in check.detail:
        text.append("\n")
        text.append_text(indent(line, 8, style="dim"))
    if check.fix:
        text.append("\n")
        text.append_text(indent(Text("fix: ", style="bold"), 8))
        text.append(check.fix, style="cyan")
    return text


class DoctorScreen(ForwardsWorkerErrors, Screen[None]):
    """Every doctor check of the session, run on open and on ``r``."""

    HELP_GROUP = "Doctor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="doctor.back"),
        Binding("r", "rerun", "Run again", id="doctor.rerun"),
        Binding("n", "app.network_log", "Network log", id="doctor.network-log"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: DoctorReport | None = None
        self.progress: list[str] = []

    @property
    def gomodx(self) -> GomodxApp:
        return cast("GomodxApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        yield Static(
            "Doctor: why module downloads fail, and what to change", classes="screen-title"
        )
        yield Static(id="doctor-note", classes="screen-note")
        yield VerticalScroll(id="doctor-checks")
        yield Footer()

    def on_mount(self) -> None:
        self.action_rerun()

    def action_rerun(self) -> None:
        self.report = None
        self.progress = []
        self.query_one("#doctor-note", Static).update(Text("probing…", style="dim"))
        self.query_one("#doctor-checks", VerticalScroll).remove_children()
        self.run_checks()

    def _progress(self, text: str) -> None:
        self.progress.append(text)
        self.query_one("#doctor-note", Static).update(Text(f"probing… {text}", style="dim"))

    @work(exclusive=True, group="doctor", exit_on_error=False)
    async def run_checks(self) -> None:
        try:
            report = await self.gomodx.session.doctor(on_progress=self._progress)
        except GomodxError as exc:
            self.query_one("#doctor-note", Static).update(Text(str(exc), style="red"))
            return
        self.show(report)

    def show(self, report: DoctorReport) -> None:
        self.report = report
        counts = {s: sum(1 for c in report.checks if c.status == s) for s in _LOOK}
        note = Text.assemble(
            (f"{counts['fail']} failed", "bold red" if counts["fail"] else ""),
            ", ",
            (f"{counts['warn']} warnings", "yellow" if counts["warn"] else ""),
            f", {counts['ok']} ok in {report.seconds:.1f}s · r runs the checks again",
        )
        self.query_one("#doctor-note", Static).update(note)
        box = self.query_one("#doctor-checks", VerticalScroll)
        box.remove_children()
        box.mount_all(
            Static(check_text(c), classes=f"doctor-check doctor-{c.status}") for c in report.checks
        )
