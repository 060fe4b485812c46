"""The theme chosen in the command palette is kept in the user's settings file, and a
settings file that cannot be read or written never stops the app (tui.config)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerState

from analysis.fsio import writing
from tui.app import GomodxApp, demo_session
from tui.config import UserConfig, default_config_path

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make(config: Path, **options: object) -> GomodxApp:
    return GomodxApp(
        demo_session(),
        prefetch=False,
        animations=False,
        config_path=config,
        **options,  # type: ignore[arg-type]
    )


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def warnings(app: GomodxApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "warning"]


async def choose_theme(pilot: Pilot[None], name: str) -> None:
    """The command palette's "Theme" command, then a theme, as a user picks one."""
    app = pilot.app
    app.action_change_theme()
    await settle(pilot)
    await pilot.press(*name)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_the_default_place_is_the_user_config_directory(tmp_path: Path) -> None:
    # conftest points XDG_CONFIG_HOME at a temporary directory for every test.
    assert default_config_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "gomodx" / "config.json"


async def test_a_chosen_theme_is_kept_and_restored(tmp_path: Path) -> None:
    config = tmp_path / "gomodx" / "config.json"
    app = make(config)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert not config.exists()  # starting writes nothing
        await choose_theme(pilot, "nord")
        assert app.theme == "nord"
    assert json.loads(config.read_text()) == {"theme": "nord"}

    again = make(config)
    async with again.run_test() as pilot:
        await settle(pilot)
        assert again.theme == "nord"
        assert not warnings(again)
    # A theme given by the caller (tests, screenshots) wins and is not written.
    fixed = make(config, theme="textual-dark")
    async with fixed.run_test() as pilot:
        await settle(pilot)
        assert fixed.theme == "textual-dark"
    assert json.loads(config.read_text()) == {"theme": "nord"}


async def test_other_settings_in_the_file_are_kept(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"theme": "nord", "later": [1, 2]}')
    app = make(config)
    async with app.run_test() as pilot:
        await settle(pilot)
        await choose_theme(pilot, "gruvbox")
    assert json.loads(config.read_text()) == {"theme": "gruvbox", "later": [1, 2]}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"theme": "nord",', "is not valid JSON (line 1): ignored"),
        ("[1, 2]", "is not a JSON object: ignored"),
        (b"\xff\xfe", "is not valid JSON: ignored"),
        ('{"theme": "no-such-theme"}', "unknown theme 'no-such-theme'"),
    ],
)
async def test_a_bad_config_is_ignored_with_one_warning(
    tmp_path: Path, content: str | bytes, problem: str
) -> None:
    config = tmp_path / "config.json"
    if isinstance(content, bytes):
        config.write_bytes(content)
    else:
        config.write_text(content)
    before = config.read_bytes()
    app = make(config)
    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"  # Textual's default
        [warning] = warnings(app)
        assert problem in warning
        await choose_theme(pilot, "nord")
        assert app.theme == "nord"
        assert len(warnings(app)) == 1  # said once
    if "unknown theme" in problem:
        assert json.loads(config.read_text()) == {"theme": "nord"}
    else:
        assert config.read_bytes() == before  # never written over


async def test_an_unreadable_or_unwritable_config_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.json"
    config.mkdir()  # a directory where the file should be: neither read nor written
    app = make(config)
    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        [warning] = warnings(app)
        assert warning.startswith(f"cannot read {config}: is a directory")
        await choose_theme(pilot, "nord")
        assert app.theme == "nord"
        assert len(warnings(app)) == 1

    def read_only(target: Path, data: bytes) -> None:
        with writing(target):  # what the atomic writer raises on a read-only disk
            raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("tui.config.write_atomic", read_only)
    unwritable = tmp_path / "ro" / "config.json"
    app = make(unwritable)
    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        assert not warnings(app)  # nothing to read is no problem
        await choose_theme(pilot, "nord")
        await choose_theme(pilot, "gruvbox")
        assert app.theme == "gruvbox"
        [warning] = warnings(app)
        assert warning.startswith(f"writing {unwritable}: read-only file system")
        assert warning.endswith("the theme is kept for this run only")


def test_user_config_without_a_file() -> None:
    config = UserConfig(None)
    assert config.theme == "" and not config.set_theme("nord") and config.problem == ""
