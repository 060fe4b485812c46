"""analysis.deadlines: many scopes' deadlines kept by one timer of the loop, and the
scope itself, which must end a wait exactly as ``asyncio.timeout(None)`` would."""

from __future__ import annotations

import asyncio
import doctest

import pytest

from analysis import deadlines as deadlines_module
from analysis.deadlines import Deadlines, Scope

LONG = 3600.0  # a deadline no test reaches
BOUND = 60.0  # only a failure waits this long (a deadline that never passes)


def test_doctest() -> None:
    assert doctest.testmod(deadlines_module).failed == 0


async def _timed(
    d: Deadlines, made: asyncio.Future[Scope], done: asyncio.Event, entered: asyncio.Event
) -> str:
    """Wait for ``done`` in a scope of this task (handed out through ``made``; ``entered``
    says it is in): "finished", or "expired" when the scope ended."""
    scope = Scope()
    made.set_result(scope)
    try:
        entered.set()
        await done.wait()
    except asyncio.CancelledError as exc:
        if not scope.leave(exc):
            raise
        assert scope.expired()
        return "expired"
    finally:
        scope.leave(None)
        d.clear(scope)
    return "finished"


async def _start(d: Deadlines, release: asyncio.Event) -> tuple[Scope, asyncio.Task[str]]:
    loop = asyncio.get_running_loop()
    made: asyncio.Future[Scope] = loop.create_future()
    entered = asyncio.Event()
    task = asyncio.create_task(_timed(d, made, release, entered))
    await entered.wait()
    return made.result(), task


def test_each_scope_ends_at_its_own_deadline() -> None:
    async def main() -> None:
        d = Deadlines()
        loop = asyncio.get_running_loop()
        release = asyncio.Event()
        started = [await _start(d, release) for _ in range(4)]
        (soon, _), (moved, _), (cleared, _), (later, _) = started
        tasks = [t for _, t in started]
        now = loop.time()
        d.set(moved, now + 0.005)
        d.set(cleared, now + 0.005)
        d.set(soon, now + 0.02)  # passes after the first two deadlines would have
        d.set(later, now + LONG)
        d.set(moved, now + LONG)  # moved later before it passed
        d.clear(cleared)
        assert await asyncio.wait_for(tasks[0], BOUND) == "expired"
        # The first scope's deadline came after the others' original ones: they are
        # still running, and finish normally.
        assert not any(t.done() for t in tasks[1:])
        release.set()
        assert [await t for t in tasks[1:]] == ["finished"] * 3

    asyncio.run(main())


def test_a_scope_can_be_ended_at_once_and_a_new_loop_gets_a_new_timer() -> None:
    d = Deadlines()

    async def ended_now() -> str:
        scope, task = await _start(d, asyncio.Event())
        # The timer is armed for this deadline when the loop closes.
        d.set(scope, asyncio.get_running_loop().time() + 0.05)
        scope.expire()
        scope.expire()  # ending already: no error
        return await asyncio.wait_for(task, BOUND)

    async def deadline_passes() -> str:
        scope, task = await _start(d, asyncio.Event())
        # Later than the deadline the closed loop's timer was armed for.
        d.set(scope, asyncio.get_running_loop().time() + 0.1)
        return await asyncio.wait_for(task, BOUND)

    assert asyncio.run(ended_now()) == "expired"
    # The first loop is closed, and its timer with it.
    assert asyncio.run(deadline_passes()) == "expired"


def test_a_scope_left_is_not_ended_and_a_finished_wait_is_not_cancelled() -> None:
    async def main() -> None:
        d = Deadlines()
        release = asyncio.Event()
        scope, task = await _start(d, release)
        release.set()
        assert await task == "finished"
        scope.expire()  # left: nothing to end, nothing scheduled to end it
        assert not scope.expired() and scope._handle is None

        # Expired, but the wait finished before the cancellation came: the task is
        # not cancelled later (the pending end is dropped when the scope is left).
        release2 = asyncio.Event()
        scope2, task2 = await _start(d, release2)
        release2.set()
        scope2.expire()
        assert await task2 == "finished"
        assert task2.cancelling() == 0

    asyncio.run(main())


@pytest.mark.parametrize("order", ["cancel-then-expire", "expire-then-cancel"])
def test_a_cancellation_from_outside_is_never_taken_for_the_scopes_end(order: str) -> None:
    """As ``asyncio.timeout``: when the task is also cancelled by someone else, the
    scope lets CancelledError through (whichever came first), and the task stays
    cancelled."""

    async def main() -> None:
        d = Deadlines()
        scope, task = await _start(d, asyncio.Event())
        if order == "cancel-then-expire":
            task.cancel()
            scope.expire()
        else:
            scope.expire()
            while not scope.expired():  # until the scope's cancellation is sent
                await asyncio.sleep(0)
            task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, BOUND)
        assert task.cancelled()

    asyncio.run(main())


@pytest.mark.parametrize("kind", ["scope", "timeout"])
def test_the_scope_answers_as_asyncio_timeout_does(kind: str) -> None:
    """The same three waits under ``Scope`` and under ``asyncio.timeout(None)``: ended
    by the scope, cancelled from outside, finished; the outcomes and the tasks'
    cancellation counts must be equal."""

    async def under(ending: str) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        go: asyncio.Future[None] = loop.create_future()
        end: list[object] = []
        entered = asyncio.Event()

        async def body() -> str:
            if kind == "scope":
                scope = Scope()
                end.append(scope)
                entered.set()
                try:
                    await go
                except asyncio.CancelledError as exc:
                    if scope.leave(exc):
                        return "timed out"
                    raise
                finally:
                    scope.leave(None)
                return "finished"
            timeout = asyncio.timeout(None)
            end.append(timeout)
            try:
                async with timeout:
                    entered.set()
                    await go
            except TimeoutError:
                return "timed out"
            return "finished"

        task = asyncio.create_task(body())
        await entered.wait()
        if ending == "scope":
            s = end[0]
            if isinstance(s, Scope):
                s.expire()
            else:
                assert isinstance(s, asyncio.Timeout)
                s.reschedule(loop.time())
        elif ending == "outside":
            task.cancel()
        else:
            go.set_result(None)
        try:
            outcome = await task
        except asyncio.CancelledError:
            outcome = "cancelled"
        return outcome, task.cancelling()

    async def main() -> list[tuple[str, int]]:
        return [await under(e) for e in ("scope", "outside", "finished")]

    assert asyncio.run(main()) == [("timed out", 0), ("cancelled", 1), ("finished", 0)]
