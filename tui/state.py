"""The app's state: frozen values that the app replaces and the screens watch.

::

    screens ── commands: reload, fetch_versions, plan, apply_plan, … ──► GomodxApp
       ▲                                                          (session, workers)
       │                                                                  │ sets
       └── self.watch(app, "graph", callback(old, new)) ◄── app.graph     GraphState
                                                            app.versions  VersionsState
                                                            app.net       NetState
                                                            app.trust     TrustState

Commands go up (methods on :class:`~tui.app.GomodxApp`); state comes down: each value is
a Textual reactive on the app, replaced whole, and a screen follows it with
``self.watch(self.app, "graph", callback)``. The callback gets the old and the new value,
so it can tell what changed without being told.

The values and their transitions are plain Python (no Textual): each method returns a
new state, and the tests check them without a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from analysis.goproxy import FetchEvent
from analysis.session import LoadedModule
from analysis.sumdb import SumCheck
from analysis.versions import ModuleVersions
from analysis.vulnscan import Finding
from tui.widgets.rows import GraphFacts

__all__ = ["GraphState", "NetState", "TrustState", "VersionsState"]


@dataclass(frozen=True)
class GraphState:
    """The module graph the screens show, and whether a (re)load is under way.

    ``generation`` counts loads: a reply for an older generation is stale. While
    ``loading``, ``loaded`` and ``facts`` are still the previous graph's (or ``None`` on
    the first load). A failed load sets ``error`` and keeps the previous graph.
    """

    generation: int = 0
    loading: bool = False
    loaded: LoadedModule | None = None
    facts: GraphFacts | None = None
    error: str = ""
    broken_file: bool = False
    """Whether ``error`` is in the module's own files (go.mod does not parse, is missing
    or unreadable): nothing can be shown until it is fixed, retrying alone will not do."""
    highlight_changes: Mapping[str, str] = field(default_factory=dict)
    """``path -> version before`` for the modules the last apply or undo moved
    (``""``: the module was not in the build before)."""
    highlight_kind: str = ""
    """What moved them: ``changed`` (an apply) or ``undone`` (an undo)."""
    selected_before: Mapping[str, str] | None = None
    """The selection before a reload that should highlight what it moves."""
    pending_kind: str = ""
    """``highlight_kind`` once the reload that should highlight has finished."""

    @property
    def ready(self) -> bool:
        """Whether a graph has been loaded (it may be reloading)."""
        return self.loaded is not None and self.facts is not None

    def reloading(self, *, highlight: str = "") -> GraphState:
        """A new load started; with ``highlight`` (``changed`` after an apply, ``undone``
        after an undo), what it moves will be marked as such."""
        before, kind = self.selected_before, self.pending_kind
        if highlight and self.loaded is not None:
            before, kind = dict(self.loaded.graph.selected()), highlight
        return replace(
            self,
            generation=self.generation + 1,
            loading=True,
            error="",
            broken_file=False,
            selected_before=before,
            pending_kind=kind,
        )

    def loaded_as(self, loaded: LoadedModule, facts: GraphFacts) -> GraphState:
        """The load finished: ``loaded`` and its rows are the graph now."""
        changes, kind = self.highlight_changes, self.highlight_kind
        if self.selected_before is not None:
            before = self.selected_before
            changes = {
                r.path: before.get(r.path, "")
                for r in facts.rows
                if before.get(r.path) != r.version
            }
            kind = self.pending_kind
        return replace(
            self,
            loading=False,
            loaded=loaded,
            facts=facts,
            error="",
            highlight_changes=changes,
            highlight_kind=kind,
            selected_before=None,
            pending_kind="",
        )

    def failed(self, error: str, *, broken_file: bool = False) -> GraphState:
        """The load failed with ``error`` (the previous graph, if any, stays);
        ``broken_file``: the module's own go.mod is to blame."""
        return replace(self, loading=False, error=error, broken_file=broken_file)

    def with_facts(self, facts: GraphFacts) -> GraphState:
        """The same graph with its rows recomputed (retractions became known)."""
        return replace(self, facts=facts)


@dataclass(frozen=True)
class VersionsState:
    """Version lists fetched so far.

    ``fetched`` and ``errors`` belong to the graph of ``generation`` (a list names the
    selected version and who asks for which, so a reload starts them afresh); ``known``
    keeps the last list seen per module across reloads, because retractions and
    deprecations do not change with go.mod.
    """

    generation: int = 0
    fetched: Mapping[str, ModuleVersions] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    """Why fetching a module's versions failed (for this generation)."""
    known: Mapping[str, ModuleVersions] = field(default_factory=dict)

    def for_graph(self, generation: int) -> VersionsState:
        """A new graph is being loaded: start its lists afresh, keep what is known."""
        return VersionsState(generation, known=self.known)

    def with_list(self, generation: int, path: str, mv: ModuleVersions) -> VersionsState:
        """``path``'s list arrived (fetched for the graph of ``generation``)."""
        known = {**self.known, path: mv}
        if generation != self.generation:
            return replace(self, known=known)
        errors = self.errors
        if path in errors:
            errors = {p: e for p, e in errors.items() if p != path}
        return replace(self, fetched={**self.fetched, path: mv}, errors=errors, known=known)

    def with_error(self, generation: int, path: str, error: str) -> VersionsState:
        """Fetching ``path``'s list failed with ``error``."""
        if generation != self.generation:
            return self
        return replace(self, errors={**self.errors, path: error})

    def retractions(self, loaded: LoadedModule) -> dict[str, str]:
        """``path -> rationale`` for every selected version known to be retracted."""
        out: dict[str, str] = {}
        for path, v in loaded.graph.selected().items():
            mv = self.known.get(path)
            entry = mv.entry(v) if mv is not None else None
            if entry is not None and entry.retracted:
                out[path] = "; ".join(entry.rationale)
        return out


@dataclass(frozen=True)
class TrustState:
    """What the app knows about trusting the build: vulnerabilities and checksums.

    ``findings`` maps a build-list path to the vulnerability findings of its selected
    version (a replaced module's findings are its replacement's), for the graph of
    ``generation``; ``scanning`` while the scan runs, ``scanned`` once one finished,
    ``error`` when GOVULNDB could not be read. ``checks`` maps ``path@version`` to who
    vouches for its go.mod (go.sum, the checksum database, or nobody and why).
    """

    generation: int = 0
    scanning: bool = False
    scanned: bool = False
    error: str = ""
    findings: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)
    checks: Mapping[str, SumCheck] = field(default_factory=dict)

    def for_graph(self, generation: int) -> TrustState:
        """A new graph (go.mod or go.sum may have changed): everything is asked afresh."""
        return TrustState(generation)

    def started(self, generation: int) -> TrustState:
        return replace(self, generation=generation, scanning=True, error="")

    def with_findings(
        self, generation: int, findings: Mapping[str, tuple[Finding, ...]]
    ) -> TrustState:
        """The scan of ``generation``'s build list finished."""
        if generation != self.generation:
            return self
        return replace(self, scanning=False, scanned=True, findings=dict(findings), error="")

    def with_error(self, generation: int, error: str) -> TrustState:
        if generation != self.generation:
            return self
        return replace(self, scanning=False, error=error)

    def with_check(self, path: str, version: str, check: SumCheck) -> TrustState:
        return replace(self, checks={**self.checks, f"{path}@{version}": check})

    def check(self, path: str, version: str) -> SumCheck | None:
        return self.checks.get(f"{path}@{version}")

    def ids(self, path: str) -> tuple[str, ...]:
        """The IDs of the entries affecting ``path``'s selected version."""
        return tuple(f.osv for f in self.findings.get(path, ()))


@dataclass(frozen=True)
class NetState:
    """How the module proxy is doing, from the fetch events seen so far.

    ``log`` is the session's request log, shared and append-only; this state has seen
    its first ``events`` entries (:meth:`new_events` gives a watcher the ones it has not
    shown yet).
    """

    label: str = ""
    """Where modules come from (``GOPROXY=…``, the module caches, the demo proxy)."""
    offline: bool = False
    requests: int = 0
    errors: int = 0
    retries: int = 0
    cache_hits: int = 0
    stale: int = 0
    events: int = 0
    log: Sequence[FetchEvent] = field(default=(), compare=False, repr=False)

    @property
    def level(self) -> str:
        """``idle``, ``online``, ``degraded`` or ``offline``."""
        if self.offline:
            return "offline"
        if self.errors or self.retries or self.stale:
            return "degraded"
        if self.requests or self.cache_hits:
            return "online"
        return "idle"

    def after(self, event: FetchEvent) -> NetState:
        """The state once ``event`` (already appended to ``log``) has been counted."""
        hit = event.outcome == "cache_hit"
        return replace(
            self,
            requests=self.requests + (not hit),
            cache_hits=self.cache_hits + hit,
            errors=self.errors + (event.outcome in ("error", "fallthrough")),
            retries=self.retries + (event.outcome == "retry"),
            stale=self.stale + event.stale,
            events=self.events + 1,
        )

    def new_events(self, shown: int) -> Sequence[FetchEvent]:
        """The events after the first ``shown`` (up to what this state has counted)."""
        return self.log[shown : self.events]

    def text(self) -> str:
        """``● online (2 errors, 1 retries)``: the status bar's network part."""
        level = self.level
        glyph = {"idle": "○", "online": "●", "degraded": "◐", "offline": "⊘"}[level]
        extra = []
        if self.errors:
            extra.append(f"{self.errors} errors")
        if self.retries:
            extra.append(f"{self.retries} retries")
        if self.stale:
            extra.append(f"{self.stale} stale")
        tail = f" ({', '.join(extra)})" if extra else ""
        return f"{glyph} {level}{tail}"
