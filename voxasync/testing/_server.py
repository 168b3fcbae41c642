"""The fake server itself: its thread and loop, the request log, faults to deliver.

The routing table (:data:`ROUTES`) lives in ``_routes``."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any, Self
from urllib.parse import parse_qsl

import attrs
from aiohttp import web

from ._faults import Fault, serve
from ._routes import ROUTES, Call, decoded, find_route, target
from ._store import ApiError, NumberStore

__all__ = ["ROUTES", "FakeVoxServer", "RecordedRequest"]


async def _add_request_id(_: web.Request, response: web.StreamResponse) -> None:
    """Every answer carries an ``x-request-id``, as vox.ai's do (a Fault may set its own)."""
    response.headers.setdefault("x-request-id", f"req_{uuid.uuid4().hex}")


async def _send_then_close(request: web.Request, response: web.StreamResponse) -> None:
    """Send the whole answer now, then close the connection without a word."""
    await response.prepare(request)
    await response.write_eof()
    if request.transport is not None:
        request.transport.close()  # flushes what is buffered, then sends FIN


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request the server saw. The Authorization header is not kept, only whether it
    carried the right key."""

    method: str
    path: str
    """The path as sent on the wire, still percent-encoded."""
    number_id: str | None
    """The decoded id segment, for single-number endpoints."""
    action: str | None
    """What follows the id (``"revoke-cancel"``, ``"agent"``, ``"sip"``; ``""`` for the
    number itself), or the last segment under ``/v3/telephone-numbers`` (``"register"``,
    ``"available"``)."""
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    authorized: bool
    received_at: float
    """``time.monotonic()`` when the request arrived, for pacing checks."""
    status: int | None = None
    """The status answered, or ``None`` when the connection was reset instead."""
    fault: Fault | None = None
    peer: str = ""
    """The client's ``host:port``: requests on one kept-alive connection share it."""
    json: Any = attrs.field(default=None, repr=False)
    """The decoded JSON body, or ``None`` (no body, or not JSON). Left out of the repr: it
    may hold a SIP password."""


@attrs.define
class _Rule:
    faults: deque[Fault]
    number_id: str | None
    method: str | None
    action: str | None

    def matches(self, method: str, number_id: str | None, action: str | None) -> bool:
        return (
            (self.number_id is None or self.number_id == number_id)
            and (self.method is None or self.method == method)
            and (self.action is None or self.action == action)
        )


class FakeVoxServer:
    """A fake vox.ai API on ``127.0.0.1``, on a thread of its own.

    Use ``with FakeVoxServer() as server:`` (or ``async with``), or :meth:`start` and
    :meth:`stop`. Pass :attr:`url` as ``base_url`` and :attr:`api_key` as ``api_key``.

    Args:
        api_key: the key the server accepts.
        latency: seconds every request waits before it is handled (simulates a network).
        close_connections: close every connection right after its answer, without saying
            so (no ``Connection: close``): how a server or load balancer whose idle timeout
            is shorter than the client's behaves. A client that reuses pooled connections
            then meets connections already closed.
    """

    def __init__(
        self, *, api_key: str = "vox-test-key", latency: float = 0.0,
        close_connections: bool = False,
    ) -> None:
        self.api_key = api_key
        self.latency = latency
        self.close_connections = close_connections
        self._store = NumberStore()
        self._rules: list[_Rule] = []
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        """Most requests the server was handling at one time."""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._url: str | None = None

    # -- running -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:41234``."""
        if self._url is None:
            raise RuntimeError("the FakeVoxServer is not running; use `with FakeVoxServer()`")
        return self._url

    def start(self) -> Self:
        if self._thread is not None:
            return self
        ready: Future[str] = Future()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="voxasync-fake-server", daemon=True
        )
        self._thread.start()
        self._url = ready.result(timeout=30)
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        assert self._loop is not None and self._stopped is not None
        self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join()
        self._thread = None
        self._url = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stop)

    def _serve(self, ready: Future[str]) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopped = asyncio.Event()
            app = web.Application()
            app.on_response_prepare.append(_add_request_id)
            # One catch-all route: ROUTES is matched on the raw path, so that an id may
            # hold a percent-encoded "/" or newline ([\s\S], not ".").
            app.router.add_route("*", r"/{tail:[\s\S]*}", self._handle)
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
            try:
                await site.start()
                port = runner.addresses[0][1]  # public; was aiohttp's private site._server
                ready.set_result(f"http://127.0.0.1:{port}")
                await self._stopped.wait()
            finally:
                await runner.cleanup()

        try:
            asyncio.run(main())
        except BaseException as exc:  # pragma: no cover - failed to start
            if not ready.done():
                ready.set_exception(exc)

    # -- seeding and inspecting ----------------------------------------------------------

    def add_number(
        self,
        *,
        id: str | None = None,
        number: str | None = None,
        provider: str = "vox",
        status: str = "active",
        **fields: Any,
    ) -> dict[str, Any]:
        """Add a number and return (a copy of) its record.

        A ``cancel_requested`` vox number gets ``cancel_requested_at`` and ``end_at`` unless
        given. Any other record field may be passed to override its default.
        """
        with self._lock:
            return self._store.add(id=id, number=number, provider=provider, status=status,
                                   **fields)

    def seed_pending(self, count: int, *, provider: str = "vox") -> list[str]:
        """Add ``count`` numbers pending termination; return their ids."""
        return [
            self.add_number(provider=provider, status="cancel_requested")["id"]
            for _ in range(count)
        ]

    def number(self, number_id: str) -> dict[str, Any]:
        """The current record of a number (a copy)."""
        with self._lock:
            record = self._store.find(number_id)
        if record is None:
            raise KeyError(f"no number with id {number_id!r} on this FakeVoxServer")
        return record

    def add_available_number(self, number: str, **fields: Any) -> dict[str, Any]:
        """Put a number up for sale (``line_type``, ``monthly_fee``, ``sms_capable``, ...)."""
        with self._lock:
            return self._store.catalog.add(number=number, **fields)

    @property
    def available_numbers(self) -> list[dict[str, Any]]:
        """The numbers for sale (copies): a fixed seed set, and any added since."""
        with self._lock:
            return self._store.catalog.all()

    def sip_credentials(self, number_id: str) -> dict[str, Any]:
        """The SIP ``auth_username`` / ``auth_password`` last set for a number (never in
        its record, as on the real service)."""
        with self._lock:
            return self._store.credentials(number_id)

    @property
    def numbers(self) -> list[dict[str, Any]]:
        """Every record (copies), in the order they were added."""
        with self._lock:
            return self._store.all()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request seen so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def in_flight(self) -> int:
        """How many requests the server is handling right now.

        A request is logged when its handler finishes, and a slow handler can outlive the
        client that gave up on it: wait for ``in_flight == 0`` before counting requests.
        """
        with self._lock:
            return self._in_flight

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self.max_in_flight = self._in_flight

    # -- faults --------------------------------------------------------------------------

    def inject(
        self,
        *faults: Fault,
        id: str | None = None,
        method: str | None = None,
        action: str | None = None,
        times: int = 1,
    ) -> None:
        """Queue faults for the next matching requests, one fault per request, in order.

        Args:
            faults: what the next matching requests get; each is used once (``times`` times
                over). After they are used up, requests are served normally.
            id: only requests for this number id (decoded) match.
            method: only this HTTP method matches.
            action: only this action matches, e.g. ``"revoke-cancel"``; ``""`` for requests
                on a number itself (retrieve, delete).
        """
        if not faults:
            raise ValueError("inject() needs at least one Fault")
        queue = deque(fault for _ in range(times) for fault in faults)
        with self._lock:
            self._rules.append(_Rule(queue, id, method.upper() if method else None, action))

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    def _take_fault(self, method: str, number_id: str | None, action: str | None) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.faults and rule.matches(method, number_id, action):
                    fault = rule.faults.popleft()
                    if not rule.faults:
                        self._rules.remove(rule)
                    return fault
        return None

    # -- handling ------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            response = await self._handle_counted(request)
            if self.close_connections:
                await _send_then_close(request, response)
            return response
        finally:
            with self._lock:
                self._in_flight -= 1

    async def _handle_counted(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0]
        segments = raw_path.strip("/").split("/")
        number_id, action = target(segments)
        body = await request.read()
        query = tuple(parse_qsl(request.query_string, keep_blank_values=True))
        authorized = request.headers.get("Authorization") == f"Bearer {self.api_key}"
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        fault = self._take_fault(request.method, number_id, action)
        received_at = time.monotonic()
        peername = request.transport.get_extra_info("peername") if request.transport else None
        peer = f"{peername[0]}:{peername[1]}" if peername else ""

        def log(status: int | None) -> None:
            entry = RecordedRequest(
                method=request.method, path=raw_path, number_id=number_id, action=action,
                query=query, headers=headers, authorized=authorized, received_at=received_at,
                status=status, fault=fault, peer=peer, json=decoded(body),
            )
            with self._lock:
                self._requests.append(entry)

        def perform() -> tuple[int, Any]:
            try:
                if not authorized:
                    raise ApiError(401, "UNAUTHORIZED", "유효하지 않은 API 키입니다.")
                route, params = find_route(request.method, segments)
                with self._lock:
                    return 200, route.handler(self._store, Call(params, query, body))
            except ApiError as error:
                return error.status, error.payload()

        if self.latency:
            await asyncio.sleep(self.latency)
        return await serve(request, fault, perform, log)
