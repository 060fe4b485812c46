"""The in-flight window (analysis/window.py): halves on overload, grows back, queues in
order; and through ProxyClient, a proxy answering 429 gets fewer requests at once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from test_proxy import Recorder, make_client, run

from analysis.window import Window


def test_overload_halves_once_per_round_and_success_grows_back() -> None:
    async def main() -> None:
        w = Window(16, floor=4)
        tickets = [await w.acquire() for _ in range(16)]
        assert w.in_flight == 16 and w.limit == 16
        # Every answer of this round says "overloaded": the limit halves once.
        for t in tickets:
            w.overloaded(t)
        assert w.limit == 8 and w.decreases == 1
        for _ in tickets:
            w.release()
        # A request started after the cut may halve it again, down to the floor.
        for _ in range(3):
            t = await w.acquire()
            w.overloaded(t)
            w.release()
        assert w.limit == 4 and w.lowest == 4
        # A round of successes adds about one (1/limit each).
        for _ in range(4):
            w.succeeded()
        assert w.limit == 4
        w.succeeded()
        assert w.limit == 5
        for _ in range(500):
            w.succeeded()
        assert w.limit == 16

    asyncio.run(main())


def test_requests_beyond_the_limit_wait_in_order() -> None:
    async def main() -> None:
        w = Window(2)
        order: list[int] = []
        await w.acquire()
        await w.acquire()

        async def waiter(i: int) -> None:
            await w.acquire()
            order.append(i)

        tasks = [asyncio.create_task(waiter(i)) for i in range(3)]
        await asyncio.sleep(0)
        assert order == [] and w.in_flight == 2
        w.release()
        await asyncio.sleep(0)
        assert order == [0]
        w.release()
        w.release()
        await asyncio.gather(*tasks)
        assert order == [0, 1, 2] and w.in_flight == 2

    asyncio.run(main())


def test_first_waiters_go_before_the_others_and_in_order() -> None:
    """A request that continues a query (``first``) waits behind the other first ones
    only; a plain waiter that came earlier still waits for them."""

    async def main() -> None:
        w = Window(1)
        order: list[str] = []
        await w.acquire()

        async def waiter(name: str, first: bool) -> None:
            await w.acquire(first=first)
            order.append(name)
            w.release()

        tasks = [
            asyncio.create_task(waiter(name, name.startswith("f")))
            for name in ("p1", "f1", "p2", "f2")
        ]
        await asyncio.sleep(0)
        assert order == [] and w.in_flight == 1
        w.release()
        await asyncio.gather(*tasks)
        assert order == ["f1", "f2", "p1", "p2"] and w.in_flight == 0
        # With room to spare nobody waits, first or not.
        await asyncio.wait_for(w.acquire(first=True), 1)
        assert w.in_flight == 1

    asyncio.run(main())


@pytest.mark.parametrize("first", [False, True])
@pytest.mark.parametrize("granted", [False, True])
def test_a_cancelled_waiter_keeps_no_room(granted: bool, first: bool) -> None:
    async def main() -> None:
        w = Window(1)
        await w.acquire()
        task = asyncio.create_task(w.acquire(first=first))
        await asyncio.sleep(0)
        if granted:
            w.release()  # the room goes to the waiter, which is cancelled before it runs
            assert w.in_flight == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert w.in_flight == (0 if granted else 1)
        if not granted:
            w.release()
        assert w.in_flight == 0
        await asyncio.wait_for(w.acquire(), 1)  # room is there for the next one

    asyncio.run(main())


def test_a_throttling_proxy_gets_fewer_requests_at_once() -> None:
    """32 lists asked at once of a proxy that refuses the first attempt at each with 429:
    the retries come at most 16 at a time (the window halved once for that round)."""
    paths = [f"example.com/m{i}" for i in range(32)]
    state: dict[str, Any] = {"in_flight": 0, "max_after_429": 0, "refused": set()}
    all_asked = asyncio.Event()  # every first attempt is in flight before any answer

    class Throttling(Recorder):
        async def handle(self, request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            path = request.url.raw_path.decode()
            state["in_flight"] += 1
            try:
                if path not in state["refused"]:
                    state["refused"].add(path)
                    if len(state["refused"]) == len(paths):
                        all_asked.set()
                    await all_asked.wait()
                    return httpx.Response(429, headers={"Retry-After": "0"})
                state["max_after_429"] = max(state["max_after_429"], state["in_flight"])
                return httpx.Response(200, content=b"v1.0.0\n")
            finally:
                state["in_flight"] -= 1

    rec = Throttling()
    client, _ = make_client(rec, "https://a.example", concurrency=32)
    window = client._backend.http.window

    async def main() -> list[Any]:
        async with client:
            return list(await asyncio.gather(*(client.versions(p) for p in paths)))

    lists = run(main)
    assert [v.versions for v in lists] == [("v1.0.0",)] * 32
    assert window.decreases == 1 and window.lowest == 16
    assert 1 <= state["max_after_429"] <= 16
    assert rec.hits() == 64
