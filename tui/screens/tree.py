"""Dependents and dependencies of one module as an expandable tree (like ``cargo tree -i``).

Children are computed when a node is expanded, so even a 16k-edge graph opens at once.
A module that already appears above on the same branch is shown once more, marked
``↺ cycle``, and cannot be expanded.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree
from textual.widgets.tree import TreeNode

from analysis.modgraph import is_toolchain_node, version_key
from analysis.module import ModuleVersion
from analysis.session import LoadedModule
from tui.widgets.spacing import gap

__all__ = ["ModuleTree", "TreeScreen"]


class ModuleTree(Tree[ModuleVersion]):
    """A Tree with vim keys: j/k move, l expands, h collapses (or goes to the parent)."""

    HELP_GROUP = "Tree"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
        Binding("l", "expand", "Expand", show=False, id="tree.expand"),
        Binding("h", "collapse", "Collapse", show=False, id="tree.collapse"),
    ]

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent)


class TreeScreen(Screen[None]):
    """Who requires a module (inverted, the default) or what it requires."""

    HELP_GROUP = "Tree screen"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="tree.back"),
        Binding("i", "invert", "Invert", id="tree.invert"),
        Binding("x", "expand_all", "Expand 3 levels", id="tree.expand-all"),
    ]

    def __init__(self, loaded: LoadedModule, path: str, *, inverted: bool = True) -> None:
        super().__init__()
        self.loaded = loaded
        self.path = path
        self.inverted = inverted

    def compose(self) -> ComposeResult:
        yield Header(icon="◇")
        yield Static(id="tree-title", classes="screen-title")
        yield ModuleTree(self.path, data=ModuleVersion(self.path, ""), id="tree")
        yield Static(id="tree-note", classes="screen-note")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.query_one(ModuleTree).focus()

    # -- building ------------------------------------------------------------------------

    def rebuild(self) -> None:
        g = self.loaded.graph
        selected = g.selected().get(self.path, "")
        tree = self.query_one(ModuleTree)
        tree.clear()
        root_mod = ModuleVersion(self.path, selected)
        tree.root.data = root_mod
        tree.root.set_label(Text.assemble((str(root_mod), "bold"), gap(2), ("selected", "green")))
        if self.inverted:
            title = f"Dependents of {self.path}: who requires it, up to the main module"
            note = "Each line: a module version whose go.mod asks for the one above it."
            self._add_requirers_of_path(tree.root)
        else:
            title = f"Dependencies of {root_mod}: what its go.mod requires"
            note = "Each line: a requirement (asked version → the version MVS selected)."
            self._add_requirements(tree.root, root_mod)
        self.query_one("#tree-title", Static).update(title)
        self.query_one("#tree-note", Static).update(
            Text(note + "  i: invert · x: expand · esc: back", style="dim")
        )
        tree.root.expand()
        tree.move_cursor(tree.root)

    def _ancestors(self, node: TreeNode[ModuleVersion]) -> set[ModuleVersion]:
        seen: set[ModuleVersion] = set()
        n: TreeNode[ModuleVersion] | None = node
        while n is not None:
            if n.data is not None:
                seen.add(n.data)
            n = n.parent
        return seen

    def _add(self, parent: TreeNode[ModuleVersion], mod: ModuleVersion, label: Text) -> None:
        g = self.loaded.graph
        if mod in self._ancestors(parent):
            label.append_text(gap(2))
            label.append("↺ cycle", style="yellow")
            parent.add_leaf(label, data=None)
            return
        more = g.in_degree(mod) if self.inverted else g.out_degree(mod)
        if more:
            parent.add(label, data=mod)
        else:
            if self.inverted and mod in g.mains:
                label.append_text(gap(3))
                label.append("main module", style="green")
            parent.add_leaf(label, data=mod)

    def _add_requirers_of_path(self, node: TreeNode[ModuleVersion]) -> None:
        g = self.loaded.graph
        sel = g.selected()
        # The winning version's requirers first, then lower versions.
        versions = sorted(g.versions(self.path), key=lambda v: version_key(self.path, v))
        for v in reversed(versions):
            target = ModuleVersion(self.path, v)
            for by in g.requirers(target):
                self._add(node, by, self._requirer_label(by, v, v == sel.get(self.path), sel))

    def _requirer_label(
        self, by: ModuleVersion, asked: str, wins: bool, sel: dict[str, str]
    ) -> Text:
        # Spaces end styled runs (some SVG renderers drop a run's leading spaces).
        label = Text()
        label.append(f"{by}  ", style="bold" if by.version == "" else "")
        label.append("asks ", style="dim")
        label.append(asked + (" ★" if wins else ""), style="bold green" if wins else "")
        if by.version and sel.get(by.path) != by.version:
            label.append_text(gap(2))
            label.append("(not selected)", style="dim")
        return label

    def _add_requirements(self, node: TreeNode[ModuleVersion], mod: ModuleVersion) -> None:
        g = self.loaded.graph
        sel = g.selected()
        for dep in g.required(mod):
            if is_toolchain_node(dep):
                continue
            resolved = ModuleVersion(dep.path, sel.get(dep.path, dep.version))
            label = Text(f"{dep.path} {dep.version}")
            if resolved.version != dep.version:
                label.append_text(gap(1))
                label.append(f"→ {resolved.version}", style="bold yellow")
            self._add(node, resolved, label)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[ModuleVersion]) -> None:
        node = event.node
        if node.children or node.data is None or node.is_root:
            return
        if self.inverted:
            sel = self.loaded.graph.selected()
            target = node.data
            for by in self.loaded.graph.requirers(target):
                self._add(node, by, self._requirer_label(by, target.version, False, sel))
        else:
            self._add_requirements(node, node.data)

    # -- actions ------------------------------------------------------------------------

    def action_invert(self) -> None:
        self.inverted = not self.inverted
        self.rebuild()

    def action_expand_all(self) -> None:
        tree = self.query_one(ModuleTree)

        def expand(node: TreeNode[ModuleVersion], depth: int) -> None:
            if depth == 0:
                return
            for child in list(node.children):
                if child.allow_expand:
                    child.expand()
                    # Expanding posts NodeExpanded; children exist once it is handled,
                    # so fill them here directly to expand further in one go.
                    self.on_tree_node_expanded(Tree.NodeExpanded(child))
                    expand(child, depth - 1)

        cursor = tree.cursor_node or tree.root
        expand(cursor, 3)
