"""``?``: every key that works on the screen below, built from the bindings themselves.

Nothing here is written by hand: the list comes from the active bindings (focused widget,
screen, app) plus the bindings of the screen's other focusable widgets, so a new binding
shows up in help — and in the command palette — the day it is added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

__all__ = ["HelpScreen", "KeyHelp", "collect_keys"]


@dataclass(frozen=True)
class KeyHelp:
    """One action and every key bound to it, in one group (App, a screen, a widget)."""

    group: str
    keys: tuple[str, ...]
    description: str
    action: str
    node: DOMNode


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


def collect_keys(screen: Screen[object]) -> list[KeyHelp]:
    """Every documented binding usable on ``screen``, grouped and de-duplicated by action.

    A binding is documented when it has an ``id`` (all of gomodx's do); Textual's own
    bindings for the same action on the same widget add their keys to it (``j / ↓``).
    """
    app = screen.app
    nodes: list[DOMNode] = []
    for active in screen.active_bindings.values():
        if active.node not in nodes:
            nodes.append(active.node)
    for widget in screen.query(Widget):
        if widget.focusable and widget not in nodes and type(widget).__dict__.get("BINDINGS"):
            nodes.append(widget)
    if app not in nodes:
        nodes.append(app)
    out: dict[tuple[int, str], KeyHelp] = {}
    extra: list[tuple[tuple[int, str], str]] = []
    for node in nodes:
        for binding in _bindings_of(node):
            ident = (id(node), binding.action)
            key = app.get_key_display(binding)
            if binding.id is None or not binding.description:
                extra.append((ident, key))
                continue
            prev = out.get(ident)
            if prev is None:
                out[ident] = KeyHelp(
                    _group_name(node), (key,), binding.description, binding.action, node
                )
            elif key not in prev.keys:
                out[ident] = KeyHelp(
                    prev.group, (*prev.keys, key), prev.description, prev.action, node
                )
    for ident, key in extra:
        prev = out.get(ident)
        if prev is not None and key not in prev.keys:
            out[ident] = KeyHelp(
                prev.group, (*prev.keys, key), prev.description, prev.action, prev.node
            )
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
            yield Static(
                Text(
                    "ctrl+p: every action in the command palette (also themes) · esc: close",
                    style="dim",
                )
            )

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
        table.add_column(justify="right", style="bold cyan", no_wrap=True)
        table.add_column()
        for i, group in enumerate(names):
            if i:
                table.add_row("", "")
            table.add_row("", Text(group, style="bold underline"))
            for k in groups[group]:
                table.add_row(" / ".join(k.keys), k.description)
        return table
