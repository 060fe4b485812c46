"""The README's first screen stays true: CI runs exactly its test command."""

from __future__ import annotations

import re

from conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_has_run_and_test_commands() -> None:
    cmds = _commands()
    assert len(cmds) >= 2
    assert "gomodx" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _commands()[1] in ci


# -- the app's keys ----------------------------------------------------------------------

NAMED = {
    "enter": "Enter",
    "escape": "esc",
    "question_mark": "`?`",
    "slash": "`/`",
    "f1": "F1",
    "space": "space",
    "tab": "tab",
    "ctrl+s": "ctrl+s",
    "ctrl+p": "ctrl+p",
    "ctrl+d": "ctrl+d",
    "ctrl+u": "ctrl+u",
    "down": "arrows",
    "up": "arrows",
    "left": "arrows",
    "right": "arrows",
}


def _key_section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("| key | action |")
    return text[start : text.index("\n\n", text.index("Vim keys", start))]


def _bound_keys() -> dict[str, set[str]]:
    """Every key of every gomodx binding, and the classes that bind it."""
    from textual.binding import BindingsMap

    from tui.app import GomodxApp
    from tui.screens.doctor import DoctorScreen
    from tui.screens.export import Choices, ExportScreen
    from tui.screens.fetch import NetworkLogScreen, PrefetchScreen
    from tui.screens.help import HelpScreen
    from tui.screens.load_error import LoadErrorScreen
    from tui.screens.main import MainScreen
    from tui.screens.outdated import OutdatedScreen
    from tui.screens.plan import PlanScreen
    from tui.screens.tidy import TidyScreen
    from tui.screens.tree import ModuleTree, TreeScreen
    from tui.widgets.details import VersionTable
    from tui.widgets.module_table import ModuleTable

    classes = [
        GomodxApp,
        MainScreen,
        ModuleTable,
        VersionTable,
        TreeScreen,
        ModuleTree,
        PlanScreen,
        OutdatedScreen,
        TidyScreen,
        ExportScreen,
        Choices,
        PrefetchScreen,
        NetworkLogScreen,
        HelpScreen,
        LoadErrorScreen,
        DoctorScreen,
    ]
    out: dict[str, set[str]] = {}
    for cls in classes:
        for key, _binding in BindingsMap(cls.__dict__.get("BINDINGS", [])):
            out.setdefault(key, set()).add(cls.__name__)
    return out


def test_the_key_table_has_every_key_the_app_binds() -> None:
    section = _key_section()
    missing = {}
    for key, where in _bound_keys().items():
        shown = NAMED.get(key, f"`{key}`")
        if shown.startswith("`"):
            found = shown in section or re.search(rf"`[^`]*\b{re.escape(key)}\b[^`]*`", section)
        else:
            found = re.search(rf"\b{re.escape(shown)}\b", section, re.IGNORECASE)
        if not found:
            missing[key] = sorted(where)
    assert missing == {}


def test_the_key_table_names_only_keys_the_app_binds() -> None:
    # Every single-letter key in backticks in the table is bound somewhere.
    section = _key_section()
    bound = _bound_keys()
    for token in re.findall(r"`([^`]+)`", section):
        for key in token.split():
            if len(key) == 1 and key.isalpha():
                assert key in bound, key
