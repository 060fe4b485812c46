"""``?``: every key that works on the screen it was opened on, built from its bindings.

Nothing here is written by hand: the list is the screen's active bindings (the focused
widget, its containers, the screen and, unless the screen is a modal dialog, the app),
plus the documented keys of the screen's other focusable widgets (they work once focused,
``tab``), plus the screen's own documented keys that are off for now (``y`` on a refused
change), marked so. A binding added anywhere shows up in help, and in the command
palette, the day it is added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

__all__ = ["HelpScreen", "KeyHelp", "collect_keys"]

TEXTUAL_ACTIONS = {
    "app.focus_next": "Next pane or field",
    "app.focus_previous": "Previous pane or field",
    "command_palette": "Command palette (every action, themes)",
}
"""Textual's own bindings worth listing (gomodx's have ids; Textual's do not)."""


@dataclass(frozen=True)
class KeyHelp:
    """One action and every key bound to it, in one group (App, a screen, a widget)."""

    group: str
    keys: tuple[str, ...]
    description: str
    action: str
    node: DOMNode
    available: bool = True
    """False for a key of the screen that is off for now (its ``check_action`` says so)."""


def _group_name(node: DOMNode) -> str:
    from textual.app import App

    if isinstance(node, App):
        return "Everywhere"
    name = getattr(node, "HELP_GROUP", None)
    if isinstance(name, str):
        return name
    return type(node).__name__.removesuffix("Screen").removesuffix("Table") or type(node).__name__


def _bindings_of(node: DOMNode) -> Iterable[Binding]:
    # A widget's own BINDINGS merged with the classes it inherits from (as Textual does).
    seen: list[Binding] = []
    for cls in type(node).__mro__:
        declared: list[BindingType] | None = cls.__dict__.get("BINDINGS")
        if declared:
            for _key, binding in BindingsMap(declared):
                seen.append(binding)
        if not getattr(cls, "INHERIT_BINDINGS", True):
            break
    return seen


class _Keys:
    """Key help being gathered: one entry per (node, action), keys in arrival order."""

    def __init__(self, screen: Screen[object]) -> None:
        self.app = screen.app
        self.entries: dict[tuple[int, str], KeyHelp] = {}

    def add(self, node: DOMNode, binding: Binding, *, available: bool = True) -> None:
        ident = (id(node), binding.action)
        key = self.app.get_key_display(binding)
        prev = self.entries.get(ident)
        if prev is not None:
            if key not in prev.keys:
                self.entries[ident] = replace(prev, keys=(*prev.keys, key))
            if binding.id is not None and binding.description:
                # gomodx's own words win over Textual's for the same action.
                self.entries[ident] = replace(self.entries[ident], description=binding.description)
            return
        description = binding.description if binding.id is not None else ""
        description = description or TEXTUAL_ACTIONS.get(binding.action, "")
        if description:
            self.entries[ident] = KeyHelp(
                _group_name(node), (key,), description, binding.action, node, available
            )

    def merge(self, node: DOMNode, binding: Binding) -> None:
        """Add ``binding``'s key to its action when that action is listed already."""
        prev = self.entries.get((id(node), binding.action))
        if prev is not None:
            self.add(node, binding)


def collect_keys(screen: Screen[object]) -> list[KeyHelp]:
    """Every key that works on ``screen``, grouped and de-duplicated by action.

    A binding is listed when it has an ``id`` (all of gomodx's do) or is one of
    :data:`TEXTUAL_ACTIONS`; Textual's other bindings for a listed action add their keys
    to it (``j / ↓``). Keys of the screen that are off for now come last, with
    ``available=False``.
    """
    keys = _Keys(screen)
    active = list(screen.active_bindings.values())
    # Documented bindings first, so that Textual's keys for the same action join them.
    for a in active:
        keys.add(a.node, a.binding)
    for a in active:
        keys.merge(a.node, a.binding)
    chain = [a.node for a in active]
    # The screen's other focusable widgets: their keys work once they have focus.
    for widget in screen.query(Widget):
        if widget.focusable and widget not in chain and type(widget).__dict__.get("BINDINGS"):
            bindings = list(_bindings_of(widget))
            for binding in bindings:
                if binding.id is not None:
                    keys.add(widget, binding)
            for binding in bindings:
                keys.merge(widget, binding)
    # The screen's own keys that its check_action turns off for now.
    for binding in _bindings_of(screen):
        if binding.id is not None and (id(screen), binding.action) not in keys.entries:
            keys.add(screen, binding, available=False)
    # Two widgets of one kind (two radio sets) say the same thing once.
    out: dict[tuple[str, str, tuple[str, ...]], KeyHelp] = {}
    for k in keys.entries.values():
        out.setdefault((k.group, k.description, k.keys), k)
    return list(out.values())


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below, grouped: that screen, its widgets, everywhere."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Static("Keys", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._render_keys(), id="help-keys")
                legend = getattr(self.target, "help_legend", None)
                if callable(legend):
                    yield Static(legend(), id="help-legend")
            yield Static(
                Text(
                    "The keys of this screen; every screen lists its own with ?. Dim: off for now.",
                    style="dim",
                )
            )
        yield Footer()

    def _render_keys(self) -> Table:
        groups: dict[str, list[KeyHelp]] = {}
        for k in collect_keys(self.target):
            groups.setdefault(k.group, []).append(k)
        here = _group_name(self.target)
        # The screen's own keys on the left; its widgets' keys and "Everywhere" on the right.
        left = [g for g in groups if g == here]
        right = [g for g in groups if g != here and g != "Everywhere"]
        right += [g for g in groups if g == "Everywhere"]
        if not left:
            left, right = right[:1], right[1:]
        layout = Table.grid(padding=(0, 4))
        layout.add_column()
        layout.add_column()
        layout.add_row(self._column(left, groups), self._column(right, groups))
        return layout

    @staticmethod
    def _column(names: list[str], groups: dict[str, list[KeyHelp]]) -> Table:
        table = Table.grid(padding=(0, 2))
        # The keys' style is on the keys, not the column: the spaces that right-justify
        # them are then a run of their own, which a screenshot keeps (see spacing).
        table.add_column(justify="right", no_wrap=True)
        table.add_column()
        for i, group in enumerate(names):
            if i:
                table.add_row("", "")
            table.add_row("", Text(group, style="bold underline"))
            for k in groups[group]:
                if k.available:
                    table.add_row(Text.assemble((" / ".join(k.keys), "bold cyan")), k.description)
                else:
                    # Listed, so that it is no surprise, but said to be off for now.
                    table.add_row(
                        Text.assemble((" / ".join(k.keys), "dim")),
                        Text(f"{k.description} (not now)", style="dim"),
                    )
        return table
