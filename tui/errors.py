"""Failures the user sees: one handler for every worker, and the error log.

::

    a worker raises ──► Worker.StateChanged(ERROR), posted to the node that started
                        the worker (it does not bubble)
                                 │  ForwardsWorkerErrors (screens, widgets, the app)
                                 ▼
                        GomodxApp.worker_failed: notify(severity="error"), the
                        traceback to ErrorLog; the graph worker: GraphState.failed

Errors a worker expects (a :class:`~analysis.errors.GomodxError` it catches) are its own
to show; everything that escapes a worker arrives here. Every node that starts workers
mixes in :class:`ForwardsWorkerErrors` (a test enumerates the ``@work`` methods of
``tui`` and fails when one is not covered).
"""

from __future__ import annotations

import datetime
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.worker import Worker, WorkerState

from analysis.errors import GomodxError

if TYPE_CHECKING:
    from textual.app import App

__all__ = [
    "ErrorLog",
    "ForwardsWorkerErrors",
    "HandlesWorkerFailures",
    "default_log_path",
    "error_message",
]

LOG_NAME = "gomodx.log"


def error_message(exc: BaseException) -> str:
    """What the user reads: go's words for an engine error (and its hint), else
    ``TypeName: message`` on one line.

    >>> error_message(KeyError("x"))
    "KeyError: 'x'"
    """
    if isinstance(exc, GomodxError | OSError):
        text = str(exc) or type(exc).__name__
    else:
        first = str(exc).strip().splitlines()
        text = f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__
    hint = getattr(exc, "hint", "")
    if isinstance(hint, str) and hint:
        text = f"{text}\n{hint}"
    return text


def default_log_path(state_dir: Path | None = None) -> Path:
    """Where tracebacks go: beside apply's backups (``state_dir``'s parent when the
    session sets one), else the user state directory."""
    if state_dir is not None:
        return state_dir.parent / LOG_NAME
    from analysis.userdirs import user_dir

    return Path(user_dir("state")) / LOG_NAME


class ErrorLog:
    """Tracebacks of failed workers, appended to one file.

    The file is opened on the first failure, never at start-up. If it cannot be written
    the log turns itself off and calls ``on_broken`` once with the reason: a broken log
    must not break the app.
    """

    def __init__(
        self, path: Path | None, *, on_broken: Callable[[str], None] | None = None
    ) -> None:
        self.path = path
        self.problem = ""
        """Why the log is off (``""`` while it works)."""
        self._on_broken = on_broken

    def write(self, exc: BaseException, context: str) -> bool:
        """Append ``exc``'s traceback; whether it is now in the file."""
        if self.path is None or self.problem:
            return False
        stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        text = f"--- {stamp} {context}\n{''.join(traceback.format_exception(exc))}\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(text)
        except OSError as err:
            self.problem = f"cannot write {self.path}: {err.strerror or err}"
            if self._on_broken is not None:
                self._on_broken(self.problem)
            return False
        return True


@runtime_checkable
class HandlesWorkerFailures(Protocol):
    """An app with one handler for failed workers (:class:`~tui.app.GomodxApp`)."""

    def worker_failed(self, worker: Worker[Any]) -> None: ...


class _Node(Protocol):
    @property
    def app(self) -> App[Any]: ...


class ForwardsWorkerErrors:
    """Mixin for every screen and widget (and the app) that starts workers.

    Textual posts ``Worker.StateChanged`` to the node that started the worker, and the
    message does not bubble; this hands each failure to the app's one handler.
    """

    def on_worker_state_changed(self: _Node, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        app = self.app
        if isinstance(app, HandlesWorkerFailures):
            app.worker_failed(event.worker)
        elif event.worker.error is not None:  # an app of another kind (a test harness)
            app.notify(error_message(event.worker.error), severity="error", markup=False)
