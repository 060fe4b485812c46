"""Generate the README screenshots: the app on the bundled demo, driven with Pilot.

Run from the repository root::

    python scripts/screenshots.py                 # writes screenshots/*.svg
    python scripts/screenshots.py --out /tmp/shots --size 120x40

Every screenshot comes from the real app on the demo project and its bundled ``file://``
proxy (no network), with animations off and a fixed theme, so re-running the script after
a UI change shows exactly what changed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from analysis.session import Session  # noqa: E402
from tui.app import GomodxApp, demo_session, demo_workspace_session  # noqa: E402
from tui.screens.tree import ModuleTree, TreeScreen  # noqa: E402
from tui.widgets.details import VersionTable  # noqa: E402

Step = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def app_of(pilot: Pilot[None]) -> GomodxApp:
    app = pilot.app
    assert isinstance(app, GomodxApp)
    return app


async def goto(pilot: Pilot[None], path: str) -> None:
    app_of(pilot).go_to_module(path)
    await settle(pilot)


async def main_list(pilot: Pilot[None]) -> None:
    await goto(pilot, "example.com/money")


async def conflicts(pilot: Pilot[None]) -> None:
    await pilot.press("c")
    await settle(pilot)
    await goto(pilot, "example.com/pricing")


async def versions(pilot: Pilot[None]) -> None:
    await goto(pilot, "example.com/money")
    await pilot.press("v")
    await settle(pilot)


async def preview(pilot: Pilot[None]) -> None:
    await goto(pilot, "example.com/pricing")
    await pilot.press("v")
    table = pilot.app.screen.query_one(VersionTable)
    table.move_cursor(row=table.get_row_index("v0.7.2"))
    await pilot.press("enter")
    await settle(pilot)


async def refusal(pilot: Pilot[None]) -> None:
    app_of(pilot).preview_change("example.com/json", "v1.3.0")
    await settle(pilot)


async def vulnerable(pilot: Pilot[None]) -> None:
    await goto(pilot, "example.com/json")
    await pilot.press("v")
    await settle(pilot)


async def fix(pilot: Pilot[None]) -> None:
    await goto(pilot, "example.com/json")
    await pilot.press("x")
    await settle(pilot)


async def dependents(pilot: Pilot[None]) -> None:
    await goto(pilot, "example.org/x/sys")
    await pilot.press("t")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TreeScreen)
    await pilot.press("x")
    await settle(pilot)
    screen.query_one(ModuleTree).move_cursor_to_line(0)
    await settle(pilot)


async def help_screen(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await settle(pilot)


async def export(pilot: Pilot[None]) -> None:
    await goto(pilot, "example.com/pricing")
    await pilot.press("e")
    await settle(pilot)


async def prefetch(pilot: Pilot[None]) -> None:
    await pilot.press("f")
    await settle(pilot)


async def outdated(pilot: Pilot[None]) -> None:
    await pilot.press("O")
    await settle(pilot)
    await pilot.press("p", "m")
    await settle(pilot)


async def outdated_preview(pilot: Pilot[None]) -> None:
    await outdated(pilot)
    await pilot.press("enter")


async def doctor(pilot: Pilot[None]) -> None:
    await pilot.press("d")
    await settle(pilot)


async def tidy(pilot: Pilot[None]) -> None:
    await pilot.press("T")
    await settle(pilot)


async def workspace(pilot: Pilot[None]) -> None:
    await goto(pilot, "example.com/json")


async def worksync(pilot: Pilot[None]) -> None:
    await pilot.press("W")
    await settle(pilot)


SHOTS: dict[str, tuple[Step, str]] = {
    "main": (main_list, "The build list: selected versions, how many are asked, risk, badges"),
    "conflicts": (conflicts, "Conflicts by risk, with who asks for what and why"),
    "versions": (versions, "A module's versions: retracted, latest, who requires each"),
    "preview": (preview, "The preview of a downgrade: what else moves, the go.mod diff"),
    "refusal": (refusal, "A change go get refuses, with the requirement chain"),
    "vulnerable": (vulnerable, "A vulnerable module: its OSV entries, marked versions, go.sum"),
    "fix": (fix, "The nearest fixed version's go get preview (x): go refuses, offers v1.3.1"),
    "dependents": (dependents, "Who requires a module, up to the main module"),
    "help": (help_screen, "Help, built from the key bindings"),
    "export": (export, "Export the graph as DOT, Mermaid, JSON, SVG or PNG"),
    "prefetch": (prefetch, "Prefetch every module's versions"),
    "doctor": (doctor, "The doctor: why downloads fail, and the command that fixes it"),
    "outdated": (outdated, "Outdated modules by level; patch and direct minor updates marked"),
    "outdated-preview": (outdated_preview, "The marked updates previewed as one go get"),
    "tidy": (tidy, "The go mod tidy preview: each changed line with why, then the -diff"),
    "workspace": (workspace, "A workspace: its modules as main modules, ⌂ who requires what"),
    "worksync": (worksync, "go work sync previewed: every file it changes, with a diff"),
}

WORKSPACE_SHOTS = {"workspace", "worksync"}
"""Shots of the demo workspace (the bundled example beside a second module)."""


def session_for(name: str) -> Session:
    if name in WORKSPACE_SHOTS:
        import tempfile

        return demo_workspace_session(Path(tempfile.mkdtemp(prefix="gomodx-shot-")))
    return demo_session()


async def shoot(name: str, step: Step, out: Path, size: tuple[int, int]) -> Path:
    """One screenshot from a fresh app (each starts from the same state)."""
    app = GomodxApp(session_for(name), prefetch=True, animations=False, theme="textual-dark")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await step(pilot)
        await settle(pilot)
        app.title = "gomodx"
        return Path(app.save_screenshot(f"{name}.svg", str(out)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--size", default="130x40", help="COLUMNSxROWS (default 130x40)")
    parser.add_argument("only", nargs="*", help=f"some of: {', '.join(SHOTS)}")
    args = parser.parse_args()
    cols, rows = (int(n) for n in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (step, caption) in SHOTS.items():
        if args.only and name not in args.only:
            continue
        path = asyncio.run(shoot(name, step, args.out, (cols, rows)))
        print(
            f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
            f"  {caption}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
