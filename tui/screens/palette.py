"""Command palette providers: every bound action of the current screen, and "go to module".

The actions come from the same place as the help screen (:func:`collect_keys`), so a
binding added anywhere is searchable in ``ctrl+p`` without further work.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.screens.help import KeyHelp, collect_keys

if TYPE_CHECKING:
    from tui.app import GomodxApp

__all__ = ["BindingCommands", "ModuleCommands"]


class BindingCommands(Provider):
    """The screen's bound actions, by description ("Conflicts", "Export", …)."""

    def _commands(self) -> list[KeyHelp]:
        # Palette-only plumbing (closing help, the palette itself) is left out.
        return [
            k
            for k in collect_keys(self.screen)
            if k.available and k.action not in ("command_palette", "dismiss")
        ]

    def _run(self, k: KeyHelp) -> partial[Any]:
        return partial(self.app.run_action, k.action, k.node)

    @staticmethod
    def _help(k: KeyHelp) -> str:
        return f"{k.group} · key: {' / '.join(k.keys)}"

    async def discover(self) -> Hits:
        for k in self._commands():
            yield DiscoveryHit(k.description, self._run(k), help=self._help(k))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for k in self._commands():
            score = matcher.match(k.description)
            if score > 0:
                yield Hit(score, matcher.highlight(k.description), self._run(k), help=self._help(k))


class ModuleCommands(Provider):
    """``Go to <module>``: jump to any module of the build list."""

    async def search(self, query: str) -> Hits:
        app = cast("GomodxApp", self.app)
        facts = app.graph.facts
        if facts is None or not query.strip():
            return
        matcher = self.matcher(query)
        for row in facts.rows:
            score = matcher.match(row.path)
            if score > 0:
                yield Hit(
                    score,
                    Content("Go to ") + matcher.highlight(row.path),
                    partial(app.go_to_module, row.path),
                    text=f"Go to {row.path}",
                    help=f"{row.version or 'main module'}"
                    + (f" · {row.risk} risk conflict" if row.risk else ""),
                )
