"""Every worker's failure reaches the user: a notification, a traceback in the error log,
and for the graph a status bar that stops saying "loading".

An exception is injected into each ``@work`` method of ``tui`` in turn (found by
introspection: a new worker without a scenario here fails
:func:`test_every_worker_has_a_failure_scenario`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from test_app import SIZE, choose_version, make, status_text
from test_app import settle as settle_strict
from textual import _work_decorator
from textual.pilot import Pilot
from textual.widgets import Button, Input
from textual.worker import Worker, WorkerFailed, WorkerState

import tui
from analysis.errors import GomodxError
from tui.app import GomodxApp
from tui.errors import ErrorLog, ForwardsWorkerErrors, error_message
from tui.screens.export import ExportScreen
from tui.screens.fetch import PrefetchScreen
from tui.screens.main import MainScreen
from tui.screens.plan import PlanScreen
from tui.screens.worksync import WorkSyncScreen
from tui.widgets.details import VersionTable
from tui.widgets.module_table import ModuleTable

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def settle(pilot: Pilot[None]) -> None:
    """test_app's settle, for workers expected to fail: waiting on a failed worker raises
    WorkerFailed, and here that failure is the point (the app's handler reports it)."""
    await pilot.pause()
    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
        with contextlib.suppress(WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


# -- which workers there are ----------------------------------------------------------


def _is_worker_method(fn: object) -> bool:
    code = getattr(fn, "__code__", None)
    return (
        callable(fn)
        and hasattr(fn, "__wrapped__")
        and code is not None
        and code.co_filename == _work_decorator.__file__
    )


def tui_workers() -> dict[str, tuple[type, Callable[..., Any]]]:
    """``Class.method`` -> (class, decorated method) for every ``@work`` method in tui."""
    found: dict[str, tuple[type, Callable[..., Any]]] = {}
    for info in pkgutil.walk_packages(tui.__path__, "tui."):
        if info.name.endswith("__main__"):
            continue  # runs the command line
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            for name, fn in vars(cls).items():
                if _is_worker_method(fn):
                    found[f"{cls.__name__}.{name}"] = (cls, fn)
    return found


# -- one scenario per worker: inject a fault, trigger the worker ----------------------

Scenario = Callable[[Pilot[None], pytest.MonkeyPatch, str], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        SCENARIOS[name] = fn
        return fn

    return register


def fault(name: str) -> RuntimeError:
    return RuntimeError(f"injected fault in {name}")


def raising(exc: BaseException) -> Callable[..., Any]:
    def boom(*args: object, **kwargs: object) -> Any:
        raise exc

    return boom


def raising_async(exc: BaseException) -> Callable[..., Any]:
    async def boom(*args: object, **kwargs: object) -> Any:
        raise exc

    return boom


def app_of(pilot: Pilot[None]) -> GomodxApp:
    assert isinstance(pilot.app, GomodxApp)
    return pilot.app


@scenario("GomodxApp.load_graph")
async def _reload_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr("tui.app.build_facts", raising(fault(name)))
    await pilot.press("r")


@scenario("GomodxApp.refresh_facts")
async def _refresh_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr("tui.app.build_facts", raising(fault(name)))
    app_of(pilot).refresh_facts()


@scenario("GomodxApp.prefetch_all")
async def _prefetch_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    app = app_of(pilot)
    monkeypatch.setattr(app.session, "versions", raising_async(fault(name)))
    app.prefetch_all()


@scenario("GomodxApp.run_undo")
async def _undo_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(app_of(pilot).session, "undo", raising(fault(name)))
    await pilot.press("u")


@scenario("MainScreen.load_versions")
async def _versions_fail(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(app_of(pilot).session, "versions", raising_async(fault(name)))
    app_of(pilot).go_to_module("example.com/api")
    await settle(pilot)
    pane = pilot.app.screen.query_one(VersionTable)
    assert not pane.loading  # the pane says why instead of spinning


@scenario("GomodxApp.scan_vulns")
async def _scan_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(app_of(pilot).session, "vuln_scan", raising_async(fault(name)))
    await pilot.press("V")


@scenario("GomodxApp.preview_fix")
async def _fix_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(app_of(pilot).session, "vuln_fix", raising_async(fault(name)))
    app_of(pilot).go_to_module("example.com/json")
    await settle(pilot)
    await pilot.press("x")


@scenario("MainScreen.load_trust")
async def _trust_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    app = app_of(pilot)
    await app.fetch_versions("example.com/api")  # listed: the pane only asks who vouches
    monkeypatch.setattr(app.session, "trust", raising_async(fault(name)))
    app.go_to_module("example.com/api")


@scenario("PlanScreen.compute")
async def _plan_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(app_of(pilot).session, "plan", raising_async(fault(name)))
    app_of(pilot).preview_change("example.com/money", "v1.4.2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen)
    assert not screen.query_one("#plan-body").loading


@scenario("PlanScreen.run_apply")
async def _apply_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    screen = await choose_version(pilot, "example.com/money", "v1.4.2")
    monkeypatch.setattr(app_of(pilot).session, "apply", raising(fault(name)))
    await pilot.press("y")
    await settle(pilot)
    assert pilot.app.screen is screen and not screen.applying  # esc still works


@scenario("WorkSyncScreen.compute")
async def _worksync_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(app_of(pilot).session, "worksync", raising_async(fault(name)))
    pilot.app.push_screen(WorkSyncScreen())
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorkSyncScreen)
    assert not screen.query_one("#worksync-body").loading


@scenario("WorkSyncScreen.run_apply")
async def _worksync_apply_fails(
    pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from analysis.apply import FileEdit
    from analysis.worksync import WorkSync

    session = app_of(pilot).session
    edit = FileEdit("go.work", b"go 1.21\n", b"go 1.22\n")
    sync = WorkSync(session.directory / "go.work", True, (edit,))

    async def preview() -> WorkSync:
        return sync

    monkeypatch.setattr(session, "worksync", preview)
    monkeypatch.setattr(session, "apply_worksync", raising(fault(name)))
    pilot.app.push_screen(WorkSyncScreen())
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorkSyncScreen) and not screen.applying  # esc still works


@scenario("PrefetchScreen.run_prefetch")
async def _prefetch_screen_fails(
    pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(app_of(pilot).session, "versions", raising_async(fault(name)))
    await pilot.press("f")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PrefetchScreen)


@scenario("ExportScreen.run_export")
async def _export_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr("tui.screens.export.export_graph", raising(fault(name)))
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportScreen)
    dialog.query_one("#export-path", Input).value = str(Path(dialog.directory) / "never.dot")
    await pilot.click("#export")
    await settle(pilot)
    assert not dialog.query_one("#export", Button).disabled  # the dialog stays usable


@scenario("DoctorScreen.run_checks")
async def _doctor_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from tui.screens.doctor import DoctorScreen

    monkeypatch.setattr(app_of(pilot).session, "doctor", raising_async(fault(name)))
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DoctorScreen)  # r can run it again


@scenario("OutdatedScreen.load")
async def _outdated_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from tui.screens.outdated import OutdatedScreen

    monkeypatch.setattr(app_of(pilot).session, "outdated", raising_async(fault(name)))
    await pilot.press("O")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OutdatedScreen)  # r can load it again
    assert not screen.query_one("#outdated-table").loading


@scenario("TidyScreen.compute")
async def _tidy_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from tui.screens.tidy import TidyScreen

    monkeypatch.setattr(app_of(pilot).session, "tidy", raising_async(fault(name)))
    await pilot.press("T")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TidyScreen)
    assert not screen.query_one("#tidy-body").loading


@scenario("TidyScreen.run_apply")
async def _tidy_apply_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from tui.screens.tidy import TidyScreen

    await pilot.press("T")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TidyScreen) and screen.plan is not None and screen.plan.ok
    monkeypatch.setattr(app_of(pilot).session, "apply", raising(fault(name)))
    await pilot.press("y")
    await settle(pilot)
    assert pilot.app.screen is screen and not screen.applying  # esc still works


@scenario("GomodxApp.offer_tidy")
async def _offer_tidy_fails(pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    app = app_of(pilot)
    plan = await app.session.plan("example.com/money@v1.4.2")
    monkeypatch.setattr(app.session, "tidy", raising_async(fault(name)))
    app.offer_tidy(plan)
    await settle(pilot)
    assert not app.untidy


@scenario("MainScreen.load_import_paths")
async def _import_paths_fail(
    pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from tui.widgets.details import DetailsPane

    monkeypatch.setattr(app_of(pilot).session, "why_imports", raising_async(fault(name)))
    app_of(pilot).go_to_module("example.com/api")
    await settle(pilot)
    pilot.app.screen.action_import_paths()  # type: ignore[attr-defined]
    await settle(pilot)
    assert not pilot.app.screen.query_one(DetailsPane).loading


def test_every_worker_has_a_failure_scenario() -> None:
    workers = tui_workers()
    assert set(workers) == set(SCENARIOS), "add a scenario for each new @work method"
    for name, (cls, fn) in workers.items():
        # The failure must reach the app's handler, not exit the app.
        assert issubclass(cls, ForwardsWorkerErrors), f"{name}: mix in ForwardsWorkerErrors"
        assert inspect.getclosurevars(fn).nonlocals["exit_on_error"] is False, name


def test_no_worker_is_started_around_the_decorator() -> None:
    # run_worker() would start a worker no scenario knows about.
    root = Path(tui.__path__[0])
    assert not [p for p in root.rglob("*.py") if "run_worker(" in p.read_text()]


class Failures:
    """Counts the failed workers the app's handler has dealt with; tests wait on it."""

    def __init__(self, app: GomodxApp) -> None:
        self.seen = 0
        self._changed = asyncio.Event()
        handler = app.worker_failed

        def spy(worker: Worker[Any]) -> None:
            handler(worker)
            self.seen += 1
            self._changed.set()

        app.worker_failed = spy  # type: ignore[method-assign]

    async def wait_for(self, n: int = 1) -> None:
        while self.seen < n:
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), timeout=60)


def error_notes(app: GomodxApp) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_a_failing_worker_is_shown_and_logged(name: str, tmp_path: Path) -> None:
    log = tmp_path / "state" / "gomodx.log"
    app = make(log_path=log)
    failed = Failures(app)
    with pytest.MonkeyPatch.context() as monkeypatch:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle_strict(pilot)
            assert failed.seen == 0
            await SCENARIOS[name](pilot, monkeypatch, name)
            await failed.wait_for(1)
            await settle(pilot)
            notes = error_notes(app)
            assert any(f"RuntimeError: injected fault in {name}" in n for n in notes), notes
            assert any(str(log) in n for n in notes), notes
            if name == "GomodxApp.load_graph":
                assert isinstance(app.screen, MainScreen)
                assert not app.screen.query_one(ModuleTable).loading
                status = status_text(app)
                assert "could not be loaded" in status and "RuntimeError" in status
                assert app.graph.error and not app.graph.loading
    text = log.read_text()
    assert "Traceback (most recent call last)" in text
    assert f"RuntimeError: injected fault in {name}" in text


async def test_first_load_failure_leaves_the_loading_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The case: build_facts raised and the list said "loading…" for ever.
    monkeypatch.setattr("tui.app.build_facts", raising(KeyError("example.com/x")))
    app = make(log_path=tmp_path / "gomodx.log")
    failed = Failures(app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await failed.wait_for(1)
        await settle(pilot)
        assert not app.screen.query_one(ModuleTable).loading
        status = status_text(app)
        assert "loading" not in status
        assert "could not be loaded (r: retry): KeyError: 'example.com/x'" in status
        assert any("KeyError: 'example.com/x'" in n for n in error_notes(app))
        assert app.graph.facts is None and not app.graph.loading


async def test_unwritable_log_directory_is_said_once(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app = make(log_path=blocker / "gomodx.log")
    failed = Failures(app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setattr("tui.app.build_facts", raising(fault("refresh_facts")))
            for n in (1, 2):
                app.refresh_facts()
                await failed.wait_for(n)
                await settle(pilot)
        notes = list(app._notifications)
        warnings = [n for n in notes if n.title == "No error log"]
        assert len(warnings) == 1
        assert str(blocker) in str(warnings[0].message)
        errors = [n for n in notes if n.severity == "error"]
        assert len(errors) == 2  # both failures are still shown
        assert all("traceback is in" not in str(n.message) for n in errors)
    assert blocker.is_file()


async def test_expected_errors_keep_their_own_words(tmp_path: Path) -> None:
    # An engine error a worker catches is shown as before (no traceback, no log).
    log = tmp_path / "gomodx.log"
    app = make(log_path=log)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.session.undo = raising(GomodxError("go: no apply to undo"))  # type: ignore[method-assign]
        await pilot.press("u")
        await settle(pilot)
        notes = [n for n in app._notifications if n.severity == "error"]
        assert [(n.title, str(n.message)) for n in notes] == [
            ("Not undone", "go: no apply to undo")
        ]
    assert not log.exists()


def test_error_message() -> None:
    err = GomodxError("go: example.com/m@v1.0.0: not found")
    assert error_message(err) == "go: example.com/m@v1.0.0: not found"
    err.hint = "run go mod download"
    assert error_message(err) == "go: example.com/m@v1.0.0: not found\nrun go mod download"
    assert error_message(ValueError("bad\nsecond line")) == "ValueError: bad"
    assert error_message(KeyError("k")) == "KeyError: 'k'"
    assert error_message(RuntimeError()) == "RuntimeError"
    assert error_message(FileNotFoundError(2, "No such file", "go.mod")) == (
        "[Errno 2] No such file: 'go.mod'"
    )


def test_error_log_appends_and_turns_off_once(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "gomodx.log"
    log = ErrorLog(path)
    try:
        raise ValueError("first")
    except ValueError as exc:
        assert log.write(exc, "worker 'a'")
    try:
        raise ValueError("second")
    except ValueError as exc:
        assert log.write(exc, "worker 'b'")
    text = path.read_text()
    assert text.count("Traceback (most recent call last)") == 2
    assert "worker 'a'" in text and "ValueError: second" in text

    told: list[str] = []
    broken = ErrorLog(tmp_path / "deep" / "gomodx.log" / "x.log", on_broken=told.append)
    assert not broken.write(ValueError("x"), "w")
    assert not broken.write(ValueError("y"), "w")
    assert len(told) == 1 and "cannot write" in told[0] and broken.problem == told[0]
    assert not ErrorLog(None).write(ValueError("x"), "w")
