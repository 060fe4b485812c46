"""analysis.lean.Connection reads as asyncio's StreamReader does.

The same bytes, cut into random pieces and ended by an EOF or a connection error, are
fed to a ``StreamReader`` and to a :class:`~analysis.lean.Connection`; the same random
reads (``readuntil``, ``read``, ``readexactly``, the synchronous ``take_until`` and
``take_exactly`` where the stream reader has the bytes already) must give the same
bytes, the same ``at_eof()`` and the same errors, whether each read finds its bytes
buffered or waits for them — but for one case where the stream reader misses an error
(see below). A full buffer pauses the socket's reading until a read drains it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import pytest

from analysis.lean import Connection


class _Transport:
    """What a Connection asks of its transport, recorded."""

    def __init__(self) -> None:
        self.paused = False
        self.written = bytearray()
        self.aborted = False

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def write(self, data: bytes) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True


async def _until(condition: Callable[[], bool]) -> None:
    """Let the loop turn until ``condition`` holds (the state a test waits for)."""
    while not condition():
        await asyncio.sleep(0)


def _outcome(exc: BaseException) -> tuple[str, Any]:
    if isinstance(exc, asyncio.IncompleteReadError):
        return ("incomplete", (exc.partial, exc.expected))
    if isinstance(exc, asyncio.LimitOverrunError):
        return ("overrun", None)
    return (type(exc).__name__, str(exc))


async def _run(seed: int) -> None:
    rng = random.Random(seed)
    words = [b"ab", b"\r\n", b"\r\n\r\n", b"x" * rng.randint(1, 300), b";", b"0"]
    stream = b"".join(rng.choice(words) for _ in range(rng.randint(0, 40)))
    if rng.random() < 0.1:
        stream += b"y" * (70 * 1024)  # past the limit without a separator
    inner = range(1, len(stream))
    cuts = sorted(rng.sample(inner, min(len(inner), rng.randint(0, 8))))
    pieces = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    ending = rng.choice(["eof", "error", "none"])
    ops = [
        rng.choice(
            [
                ("readuntil", b"\r\n"),
                ("readuntil", b"\r\n\r\n"),
                ("read", rng.randint(1, 500)),
                ("readexactly", rng.randint(0, 200)),
            ]
        )
        for _ in range(rng.randint(1, 12))
    ]

    reader = asyncio.StreamReader()
    conn = Connection()
    transport = _Transport()
    conn.connection_made(transport)  # type: ignore[arg-type]
    feed_all = rng.random() < 0.5  # every byte buffered before the reads, or fed as they wait

    async def feed() -> None:
        for piece in pieces:
            if not feed_all:
                await asyncio.sleep(0)  # a turn for the readers between pieces: interleaved
            reader.feed_data(piece)
            conn.data_received(piece)
        if ending == "eof":
            reader.feed_eof()
            conn.eof_received()
        elif ending == "error":
            error = ConnectionResetError("reset by peer")
            reader.set_exception(error)
            conn.connection_lost(error)

    feeder = asyncio.ensure_future(feed())
    if feed_all:
        await feeder
    for name, arg in ops:
        if name == "readuntil" and feed_all and ending == "eof":
            # Where the stream reader would find the separator buffered, the
            # synchronous take must too (and take nothing where it would not).
            at = bytes(reader._buffer).find(arg)
            taken = conn.take_until(arg)
            if at >= 0 and at + len(arg) <= Connection.LIMIT:
                assert taken == await reader.readuntil(arg)
                continue
            assert taken is None

        async def one(source: Any, name: str = name, arg: Any = arg) -> tuple[str, Any]:
            try:
                result = await getattr(source, name)(arg)
            except Exception as exc:
                return _outcome(exc)
            return ("ok", result)

        # Both read at once, so that both see the same bytes arrive. Once every byte
        # and the ending were fed, a read that is waiting for more waits for good.
        reads = [asyncio.ensure_future(one(reader)), asyncio.ensure_future(one(conn))]
        await feeder
        await _until(
            lambda reads=reads: (
                (reads[0].done() or reader._waiter is not None)
                and (reads[1].done() or conn._waiter is not None)
            )
        )
        got = [r.result() if r.done() else ("waits", None) for r in reads]
        for r in reads:
            r.cancel()
        if got[0] == ("waits", None) and ending == "error":
            # A stream reader woken by bytes that were not enough, after which the error
            # came, waits for more for good (it looks at the error only when a read
            # begins): the connection raises the error instead. The one difference.
            assert got[1] == ("ConnectionResetError", "reset by peer"), (seed, got)
            break
        assert got[0] == got[1], (seed, name, arg, got)
        if got[0][0] in ("waits", "overrun"):
            break  # what a stream does after these is not what is compared here
        assert reader.at_eof() == conn.at_eof(), seed
    feeder.cancel()


@pytest.mark.parametrize("block", range(6))
def test_reads_answer_as_a_stream_readers_do(block: int) -> None:
    async def main() -> None:
        for seed in range(block * 40, block * 40 + 40):
            await _run(seed)

    asyncio.run(main())


def test_a_full_buffer_pauses_reading_until_a_read_drains_it() -> None:
    async def main() -> None:
        conn = Connection()
        transport = _Transport()
        conn.connection_made(transport)  # type: ignore[arg-type]
        conn.data_received(b"z" * (Connection.HIGH_WATER + 1))
        assert transport.paused
        assert await conn.read(Connection.HIGH_WATER // 2 + 2) == b"z" * (
            Connection.HIGH_WATER // 2 + 2
        )
        assert not transport.paused  # below half the mark: read again
        conn.write(b"GET / HTTP/1.1\r\n\r\n")
        assert bytes(transport.written) == b"GET / HTTP/1.1\r\n\r\n"

    asyncio.run(main())


def test_drain_waits_while_the_socket_is_full_and_fails_when_it_is_lost() -> None:
    async def main() -> None:
        conn = Connection()
        conn.connection_made(_Transport())  # type: ignore[arg-type]
        await conn.drain()  # nothing to wait for
        conn.pause_writing()
        waiting = asyncio.ensure_future(conn.drain())
        await _until(lambda: conn._draining is not None)
        assert not waiting.done()
        conn.resume_writing()
        await asyncio.wait_for(waiting, 5)
        conn.pause_writing()
        lost = asyncio.ensure_future(conn.drain())
        await _until(lambda: conn._draining is not None)
        conn.connection_lost(ConnectionResetError("gone"))
        with pytest.raises(ConnectionResetError):
            await asyncio.wait_for(lost, 5)
        assert not conn.reusable()

    asyncio.run(main())


def test_an_expired_read_raises_where_it_waits_or_at_the_next() -> None:
    from analysis import lean

    async def main() -> None:
        conn = Connection()
        conn.connection_made(_Transport())  # type: ignore[arg-type]
        waiting = asyncio.ensure_future(conn.readuntil(b"\r\n"))
        await _until(lambda: conn._waiter is not None)
        conn.expire()
        with pytest.raises(lean._Expired):
            await asyncio.wait_for(waiting, 5)
        with pytest.raises(lean._Expired):
            await asyncio.wait_for(conn.read(10), 5)

    asyncio.run(main())
