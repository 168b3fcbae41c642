"""What ``bench/run.py`` measures the SDK against, and the server it all runs on.

- :func:`canned_server`: ``bench/server.py`` in a process of its own.
- :class:`AsyncSide`: one event loop (an ``asyncio.Runner``) holding an ``AsyncVox``, a raw
  ``aiohttp.ClientSession`` and an ``httpx.AsyncClient`` for the whole run, with one call each
  written the way a user would write it.
- Workload shapes: :func:`gather_all`, :func:`gather_bounded`, :func:`sequential` and
  :func:`workers` (the fair batch peer: a fixed number of tasks pulling from one iterator).
- :class:`BoxLimit`: the box's limit, a raw ``asyncio.Protocol`` client that writes pre-built
  HTTP/1.1 requests over keep-alive connections and reads each answer by its
  ``Content-Length``: no HTTP library, no JSON, so what is left is the loop, the sockets and
  the server.
"""

from __future__ import annotations

import asyncio
import selectors
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import aiohttp

from voxasync import AsyncVox

try:
    import httpx
except ImportError:  # the `bench` extra is not installed
    httpx = None  # type: ignore[assignment]
try:
    import uvloop
except ImportError:  # not installed: --uvloop is ignored, and says so
    uvloop = None  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent
API_KEY = "bench-key"
NUMBERS_PATH = "/v3/organization-telephone-numbers"
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
MAX_IN_FLIGHT = 100  # the SDK's default pool, aiohttp's default limit, and the httpx bound
BATCH_IN_FLIGHT = 64  # the batch comparisons and the box's limit


# -- the server ------------------------------------------------------------------------------


@contextmanager
def canned_server(startup_timeout: float = 20.0) -> Iterator[str]:
    """Start ``bench/server.py`` in its own process; always terminate it on the way out."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            if not selector.select(startup_timeout):
                raise RuntimeError("the benchmark server did not start in time")
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"unexpected output from the benchmark server: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def number_ids(n: int) -> list[str]:
    return [str(uuid.UUID(int=i + 1)) for i in range(n)]


def revoke_url(base_url: str, number_id: str) -> str:
    return f"{base_url}{NUMBERS_PATH}/{number_id}/revoke-cancel"


# -- the event loop --------------------------------------------------------------------------


def loop_factory(use_uvloop: bool) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """``uvloop.new_event_loop`` when asked for and installed; else asyncio's default."""
    if use_uvloop and uvloop is not None:
        return uvloop.new_event_loop  # type: ignore[no-any-return]
    return None


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    kind = type(loop)
    return f"{kind.__module__}.{kind.__qualname__}"


# -- clients on one loop ---------------------------------------------------------------------


class AsyncSide:
    """Clients that live on one event loop (an ``asyncio.Runner``) for the whole run."""

    def __init__(self, base_url: str, max_in_flight: int, *, use_uvloop: bool = False) -> None:
        self.base_url = base_url
        self.max_in_flight = max_in_flight
        self.runner = asyncio.Runner(loop_factory=loop_factory(use_uvloop))
        self.vox: AsyncVox | None = None
        self.session: aiohttp.ClientSession | None = None
        self.httpx: Any = None

    @property
    def loop_name(self) -> str:
        return loop_name(self.runner.get_loop())

    def open(self) -> None:
        async def open_clients() -> None:
            self.vox = AsyncVox(API_KEY, base_url=self.base_url, max_connections=self.max_in_flight)
            self.session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_in_flight), headers=HEADERS
            )
            if httpx is not None:
                limit = self.max_in_flight
                self.httpx = httpx.AsyncClient(
                    headers=HEADERS,
                    limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
                )

        self.runner.run(open_clients())

    def close(self) -> None:
        async def close_clients() -> None:
            if self.vox is not None:
                await self.vox.aclose()
            if self.session is not None:
                await self.session.close()
            if self.httpx is not None:
                await self.httpx.aclose()

        try:
            self.runner.run(close_clients())
        finally:
            self.runner.close()

    # One call each, the way a user would write it.

    async def sdk_call(self, number_id: str) -> object:
        assert self.vox is not None
        return await self.vox.organization_telephone_numbers.revoke_cancel(number_id)

    async def raw_call(self, number_id: str) -> object:
        assert self.session is not None
        async with self.session.post(revoke_url(self.base_url, number_id)) as response:
            return await response.json()

    async def httpx_call(self, number_id: str) -> object:
        response = await self.httpx.post(revoke_url(self.base_url, number_id))
        return response.json()

    def sdk_batch(self, ids: Sequence[str], concurrency: int) -> Callable[[], Awaitable[object]]:
        async def workload() -> None:
            assert self.vox is not None
            numbers = self.vox.organization_telephone_numbers
            results = await numbers.revoke_cancel_many(ids, concurrency=concurrency)
            check_batch(results)

        return workload

    # Running workloads on this side's loop.

    def timed(self, workload: Callable[[], Awaitable[object]]) -> Callable[[], float]:
        async def timed_run() -> float:
            started = time.perf_counter()
            await workload()
            return time.perf_counter() - started

        return lambda: self.runner.run(timed_run())

    def warm(self, workload: Callable[[], Awaitable[object]]) -> Callable[[], object]:
        return lambda: self.runner.run(_awaited(workload))


async def _awaited(workload: Callable[[], Awaitable[object]]) -> object:
    return await workload()


def check_batch(results: Sequence[object]) -> None:
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        raise RuntimeError(f"{len(failed)} calls of the batch failed: {failed[0]!r}")


# -- workload shapes -------------------------------------------------------------------------


def gather_all(
    call: Callable[[str], Awaitable[object]], ids: Sequence[str]
) -> Callable[[], Awaitable[object]]:
    """One task per id, all at once: the pool queues what it cannot send yet."""

    async def workload() -> None:
        results = await asyncio.gather(*[call(i) for i in ids])
        assert len(results) == len(ids)

    return workload


def gather_bounded(
    call: Callable[[str], Awaitable[object]], ids: Sequence[str], bound: int
) -> Callable[[], Awaitable[object]]:
    """``asyncio.gather`` with a semaphore: what httpx-based SDKs do to bound in-flight calls."""

    async def workload() -> None:
        slots = asyncio.Semaphore(bound)

        async def bounded(number_id: str) -> object:
            async with slots:
                return await call(number_id)

        results = await asyncio.gather(*[bounded(i) for i in ids])
        assert len(results) == len(ids)

    return workload


def sequential(
    call: Callable[[str], Awaitable[object]], ids: Sequence[str]
) -> Callable[[], Awaitable[object]]:
    async def workload() -> None:
        for number_id in ids:
            await call(number_id)

    return workload


def workers(
    call: Callable[[str], Awaitable[object]], ids: Sequence[str], in_flight: int
) -> Callable[[], Awaitable[object]]:
    """``in_flight`` tasks taking ids from one shared iterator: a fixed number in flight.

    The fair peer of a batch call: no task is created per id and nothing waits in the
    connection pool's queue, exactly what a bounded batch does. Like the batch, it keeps
    every answer, in input order: the garbage collector's work grows with what a program
    keeps, so a peer that dropped its answers would skip part of the batch's job.
    """

    async def workload() -> list[object]:
        remaining = iter(enumerate(ids))
        results: list[object] = [None] * len(ids)

        async def worker() -> None:
            for index, number_id in remaining:
                results[index] = await call(number_id)

        await asyncio.gather(*[worker() for _ in range(in_flight)])
        assert all(result is not None for result in results)
        return results

    return workload


def timed_sync(workload: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        workload()
        return time.perf_counter() - started

    return run


# -- the box's limit -------------------------------------------------------------------------


def revoke_request(base_url: str, number_id: str) -> bytes:
    """The bytes of one revoke-cancel POST, as an HTTP client would put them on the wire."""
    netloc = urlsplit(base_url).netloc
    return (
        f"POST {NUMBERS_PATH}/{number_id}/revoke-cancel HTTP/1.1\r\n"
        f"Host: {netloc}\r\n"
        f"Authorization: Bearer {API_KEY}\r\n"
        "Accept: application/json\r\n"
        "User-Agent: voxasync-bench-box-limit\r\n"
        "Content-Length: 0\r\n"
        "\r\n"
    ).encode("ascii")


class BadResponse(Exception):
    pass


def response_body_length(head: bytes) -> int:
    """The ``Content-Length`` of a response head (status line and headers, no blank line).

    Only what the canned server sends is accepted: ``200``, a length, and keep-alive.
    """
    lines = head.split(b"\r\n")
    status = lines[0].split(b" ", 2)
    if len(status) < 2 or not status[0].startswith(b"HTTP/1.") or status[1] != b"200":
        raise BadResponse(f"unexpected status line {lines[0][:80]!r}")
    length = -1
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise BadResponse(f"malformed header line {line[:80]!r}")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding":
            raise BadResponse("chunked answers are not read by the box-limit client")
        elif name == b"connection" and value.strip().lower() == b"close":
            raise BadResponse("the server closed a keep-alive connection")
    if length < 0:
        raise BadResponse("an answer without Content-Length")
    return length


class BoxConnection(asyncio.Protocol):
    """One keep-alive connection: sends the next request when the last answer is all in."""

    def __init__(self, pool: BoxLimit) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer_end = -1  # index just past the answer being read; -1: head not in yet
        self.busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def send_next(self) -> None:
        request = next(self.pool.pending, None)
        if request is None:
            self.busy = False
            self.pool.connection_idle()
            return
        self.busy = True
        assert self.transport is not None
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while True:
            if self.answer_end < 0:
                head_end = buffer.find(b"\r\n\r\n")
                if head_end < 0:
                    return
                try:
                    length = response_body_length(bytes(buffer[:head_end]))
                except (BadResponse, ValueError) as exc:
                    self.pool.fail(exc)
                    return
                self.answer_end = head_end + 4 + length
            if len(buffer) < self.answer_end:
                return
            del buffer[: self.answer_end]
            self.answer_end = -1
            self.pool.answered += 1
            self.send_next()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.pool.fail(exc or ConnectionError("the server closed a keep-alive connection"))


class BoxLimit:
    """``connections`` keep-alive connections, opened once, sharing one iterator of requests.

    Each connection writes a request, reads the whole answer, then writes the next: the same
    shape as the 64-worker aiohttp peer, with nothing but the loop and the sockets in between.
    """

    def __init__(self, base_url: str, connections: int) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.base_url = base_url
        self.size = connections
        self.connections: list[BoxConnection] = []
        self.pending: Iterator[bytes] = iter(())
        self.answered = 0
        self.idle = 0
        self.finished: asyncio.Future[None] | None = None
        self.broken: BaseException | None = None  # a connection lost between runs
        self.closing = False

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(self.size):
            _, protocol = await loop.create_connection(
                lambda: BoxConnection(self), self.host, self.port
            )
            self.connections.append(protocol)

    async def close(self) -> None:
        self.closing = True
        connections, self.connections = self.connections, []
        for connection in connections:
            if connection.transport is not None:
                connection.transport.close()
        await asyncio.sleep(0)  # let the transports finish closing on this loop

    def requests(self, ids: Sequence[str]) -> list[bytes]:
        """Built before timing: the client under test only writes and reads."""
        return [revoke_request(self.base_url, number_id) for number_id in ids]

    async def run(self, requests: Sequence[bytes]) -> None:
        if self.broken is not None:
            raise RuntimeError("the box-limit client lost a connection") from self.broken
        if not self.connections:
            await self.open()
        self.pending = iter(requests)
        self.answered = 0
        self.idle = 0
        self.finished = asyncio.get_running_loop().create_future()
        for connection in self.connections:
            connection.send_next()
        await self.finished
        if self.answered != len(requests):
            raise RuntimeError(f"{self.answered} answers to {len(requests)} requests")

    def connection_idle(self) -> None:
        self.idle += 1
        if self.idle == len(self.connections) and self.finished and not self.finished.done():
            self.finished.set_result(None)

    def fail(self, exc: BaseException) -> None:
        if self.closing:
            return
        if self.finished is not None and not self.finished.done():
            self.finished.set_exception(exc)
        else:
            self.broken = exc

    def workload(self, ids: Sequence[str]) -> Callable[[], Awaitable[object]]:
        requests = self.requests(ids)
        return lambda: self.run(requests)
