"""analysis.deadlines: many scopes' deadlines kept by one timer of the loop."""

from __future__ import annotations

import asyncio
import doctest

from analysis import deadlines as deadlines_module
from analysis.deadlines import Deadlines, expire

LONG = 3600.0  # a deadline no test reaches
BOUND = 60.0  # only a failure waits this long (a deadline that never passes)


def test_doctest() -> None:
    assert doctest.testmod(deadlines_module).failed == 0


async def _timed(
    d: Deadlines, scope: asyncio.Timeout, done: asyncio.Event, entered: asyncio.Event
) -> str:
    """Wait for ``done`` in ``scope`` (``entered`` says it is in): "finished", or
    "expired" when the scope ended."""
    try:
        async with scope:
            entered.set()
            try:
                await done.wait()
            finally:
                d.clear(scope)
    except TimeoutError:
        assert scope.expired()
        return "expired"
    return "finished"


def test_each_scope_ends_at_its_own_deadline() -> None:
    async def main() -> None:
        d = Deadlines()
        loop = asyncio.get_running_loop()
        now = loop.time()
        soon, moved, cleared, later = (asyncio.timeout(None) for _ in range(4))
        release = asyncio.Event()
        scopes = (soon, moved, cleared, later)
        entered = [asyncio.Event() for _ in scopes]
        tasks = [
            asyncio.create_task(_timed(d, s, release, e))
            for s, e in zip(scopes, entered, strict=True)
        ]
        for e in entered:
            await e.wait()
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
        scope = asyncio.timeout(None)
        release, entered = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(_timed(d, scope, release, entered))
        await entered.wait()
        # The timer is armed for this deadline when the loop closes.
        d.set(scope, asyncio.get_running_loop().time() + 0.05)
        expire(scope, asyncio.get_running_loop().time())
        expire(scope, asyncio.get_running_loop().time())  # ending already: no error
        return await asyncio.wait_for(task, BOUND)

    async def deadline_passes() -> str:
        scope = asyncio.timeout(None)
        entered = asyncio.Event()
        task = asyncio.create_task(_timed(d, scope, asyncio.Event(), entered))
        await entered.wait()
        # Later than the deadline the closed loop's timer was armed for.
        d.set(scope, asyncio.get_running_loop().time() + 0.1)
        return await asyncio.wait_for(task, BOUND)

    assert asyncio.run(ended_now()) == "expired"
    # The first loop is closed, and its timer with it.
    assert asyncio.run(deadline_passes()) == "expired"
