"""analysis.memo: one computation per key, shared by concurrent callers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import anyio
import pytest

from analysis.memo import Memo


class Known(Exception):
    """An error that is an answer (remembered)."""


class Flaky(Exception):
    """An error that is not an answer (forgotten)."""


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    # As the command line runs the engine: anyio on the asyncio backend.
    anyio.run(main, backend="asyncio")


class Counter:
    """A computation that counts its runs and finishes when released."""

    def __init__(self, answer: Callable[[int], object] = lambda n: f"answer {n}") -> None:
        self.runs = 0
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.answer = answer

    async def __call__(self) -> object:
        self.runs += 1
        self.started.set()
        await self.release.wait()
        result = self.answer(self.runs)
        if isinstance(result, BaseException):
            raise result
        return result


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_concurrent_callers_share_one_computation() -> None:
    async def main() -> None:
        memo = Memo()
        compute = Counter()
        tasks = [asyncio.ensure_future(memo.get("k", compute)) for _ in range(5)]
        await compute.started.wait()
        await settle()
        compute.release.set()
        assert await asyncio.gather(*tasks) == ["answer 1"] * 5
        assert await memo.get("k", compute) == "answer 1"
        assert compute.runs == 1
        other = Counter()
        other.release.set()
        assert await memo.get("other", other) == "answer 1"  # keys are independent
        assert other.runs == 1

    run(main)


def test_remembered_error_is_the_answer() -> None:
    async def main() -> None:
        memo = Memo(remember=Known)
        compute = Counter(lambda n: Known(f"no such module ({n})"))
        tasks = [asyncio.ensure_future(memo.get("k", compute)) for _ in range(3)]
        await compute.started.wait()
        await settle()
        compute.release.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert [str(r) for r in results] == ["no such module (1)"] * 3
        assert all(r is results[0] for r in results)
        with pytest.raises(Known, match=r"\(1\)"):
            await memo.get("k", compute)
        assert compute.runs == 1

    run(main)


def test_other_error_is_shared_then_forgotten() -> None:
    async def main() -> None:
        memo = Memo(remember=Known)
        compute = Counter(lambda n: Flaky(f"timeout ({n})") if n == 1 else f"answer {n}")
        tasks = [asyncio.ensure_future(memo.get("k", compute)) for _ in range(3)]
        await compute.started.wait()
        await settle()
        compute.release.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        # Those waiting get the failure they waited for (no pile of retries)...
        assert [str(r) for r in results] == ["timeout (1)"] * 3
        # ...and the next caller tries again.
        assert await memo.get("k", compute) == "answer 2"
        assert await memo.get("k", compute) == "answer 2"
        assert compute.runs == 2

    run(main)


def test_cancelled_first_caller_does_not_poison_the_others() -> None:
    async def main() -> None:
        memo = Memo(remember=Known)
        compute = Counter()
        first = asyncio.ensure_future(memo.get("k", compute))
        await compute.started.wait()
        waiters = [asyncio.ensure_future(memo.get("k", compute)) for _ in range(3)]
        await settle()
        first.cancel()
        await settle()
        # One waiter took over; the others wait for it, not for the cancelled caller.
        assert compute.runs == 2
        compute.release.set()
        assert await asyncio.gather(*waiters) == ["answer 2"] * 3
        with pytest.raises(asyncio.CancelledError):
            await first
        assert await memo.get("k", compute) == "answer 2"
        assert compute.runs == 2

    run(main)


def test_cancelled_caller_alone_is_forgotten() -> None:
    async def main() -> None:
        memo = Memo()
        compute = Counter()
        with anyio.move_on_after(0.01):  # an anyio cancel scope, as the client's deadlines
            await memo.get("k", compute)
        assert compute.runs == 1
        compute.release.set()
        assert await memo.get("k", compute) == "answer 2"

    run(main)


def test_cancelled_waiter_does_not_cancel_the_computation() -> None:
    async def main() -> None:
        memo = Memo()
        compute = Counter()
        first = asyncio.ensure_future(memo.get("k", compute))
        await compute.started.wait()
        waiter = asyncio.ensure_future(memo.get("k", compute))
        other = asyncio.ensure_future(memo.get("k", compute))
        await settle()
        waiter.cancel()
        await settle()
        assert waiter.cancelled()
        assert not first.done() and not other.done()
        compute.release.set()
        assert await first == "answer 1"
        assert await other == "answer 1"
        assert compute.runs == 1

    run(main)


def test_waiter_in_anyio_task_group_cancelled_by_scope() -> None:
    async def main() -> None:
        memo = Memo()
        compute = Counter()
        got: list[object] = []

        async def ask(sink: list[object]) -> None:
            sink.append(await memo.get("k", compute))

        async with anyio.create_task_group() as outer:
            outer.start_soon(ask, got)
            await compute.started.wait()
            async with anyio.create_task_group() as inner:
                inner.start_soon(ask, [])
                await settle()
                inner.cancel_scope.cancel()
            compute.release.set()
        assert got == ["answer 1"]
        assert compute.runs == 1

    run(main)


def test_compute_is_any_awaitable_factory() -> None:
    async def main() -> None:
        memo = Memo()

        def factory() -> Awaitable[int]:
            return asyncio.sleep(0, result=7)

        assert await memo.get(("a", 1), factory) == 7

    run(main)


def test_peek_and_clear() -> None:
    async def main() -> None:
        memo = Memo()
        assert memo.peek("k") == (False, None)
        assert await memo.get("k", _value(1)) == 1
        assert memo.peek("k") == (True, 1)
        memo.clear()
        assert memo.peek("k") == (False, None)
        assert await memo.get("k", _value(2)) == 2

    asyncio.run(main())


def _value(v: int) -> Callable[[], Awaitable[int]]:
    async def compute() -> int:
        return v

    return compute


def test_put_records_an_answer_found_elsewhere_unless_one_is_on_its_way() -> None:
    async def main() -> None:
        memo = Memo()
        assert not memo.asked("k")
        assert memo.put("k", 7)
        assert memo.asked("k") and memo.peek("k") == (True, 7)
        counter = Counter()
        assert await memo.get("k", counter) == 7 and counter.runs == 0  # never computed
        assert not memo.put("k", 8)  # answered already: kept
        assert await memo.get("k", counter) == 7

        slow = Counter()
        pending = asyncio.ensure_future(memo.get("s", slow))
        await slow.started.wait()
        assert memo.asked("s") and not memo.put("s", "elsewhere")  # being computed
        slow.release.set()
        assert await pending == "answer 1"
        assert memo.peek("s") == (True, "answer 1")

    asyncio.run(main())
