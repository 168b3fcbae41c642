"""A fake vox.ai server for tests and the sandbox: a real ``aiohttp.web`` app on loopback.

It runs on its own thread with its own event loop, so the same server serves async tests,
sync tests, and sync code called from inside an async test::

    from voxasync import AsyncVox
    from voxasync.testing import Fault, FakeVoxServer

    with FakeVoxServer() as server:
        number_id = server.add_number(status="cancel_requested")["id"]
        server.inject(Fault.status(503))                   # the next request fails once
        async with AsyncVox(server.api_key, base_url=server.url) as vox:
            record = await vox.organization_telephone_numbers.revoke_cancel(number_id)
        assert record.status == "active"
        assert [r.status for r in server.requests] == [503, 200]

What it implements, following the public API reference:

- ``POST .../{id}/revoke-cancel``: ``cancel_requested`` -> ``active`` with ``end_at`` and
  ``cancel_requested_at`` cleared. An unknown id is 404 ``NOT_FOUND``; a ``custom`` number is
  400 ``VALIDATION_ERROR``; a number in another state is 409 ``INVALID_STATUS`` (the real
  service does not document these two codes; these are this fake's choice).
- ``GET`` list (``status`` defaults to ``active``, repeated ``status``, ``provider``,
  ``cursor``, ``limit`` 1..100, ``sort_by=created_at``, ``sort_order``; ``status[]`` is 400),
  ``GET`` one, and ``DELETE`` (vox numbers go to ``cancel_requested`` until the end of the
  paid period; custom numbers expire at once).
- A wrong or missing bearer key is 401 ``UNAUTHORIZED``.

Faults (:class:`Fault`) are queued with :meth:`FakeVoxServer.inject` and consumed one per
matching request; every request is logged in :attr:`FakeVoxServer.requests`.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, unquote

import attrs
from aiohttp import web

from ._retry import instant_retries

__all__ = ["FakeVoxServer", "Fault", "RecordedRequest", "instant_retries"]

_DAY_MS = 24 * 60 * 60 * 1000
_PREFIX = ("v3", "organization-telephone-numbers")
_LIST_KEYS = frozenset({"provider", "status", "cursor", "limit", "sort_by", "sort_order"})


def now_ms() -> int:
    return int(time.time() * 1000)


FaultKind = Literal["reset", "reset_mid_body", "slow", "status", "body", "transform"]


@attrs.frozen(kw_only=True)
class Fault:
    """One misbehaviour of the server, for one request. Build it with the class methods.

    ``after_effect=True`` (where offered) first performs the real operation, then fails to
    deliver its answer: how a retry meets a request that already took effect.
    """

    kind: FaultKind
    status_code: int = 200
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: Mapping[str, str] = attrs.field(factory=dict)
    delay: float = 0.0
    after_effect: bool = False
    drop_fields: tuple[str, ...] = ()
    set_fields: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def reset(cls, *, after_effect: bool = False) -> Fault:
        """Close the connection (TCP reset) before any byte of the answer."""
        return cls(kind="reset", after_effect=after_effect)

    @classmethod
    def reset_mid_body(cls) -> Fault:
        """Perform the operation, send the headers and half the body, then reset."""
        return cls(kind="reset_mid_body", after_effect=True)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before handling the request normally."""
        return cls(kind="slow", delay=seconds)

    @classmethod
    def status(
        cls,
        status: int,
        *,
        body: Literal["envelope", "html", "empty"] | bytes = "envelope",
        code: str | None = None,
        message: str = "일시적인 오류가 발생했습니다.",
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        after_effect: bool = False,
    ) -> Fault:
        """Answer ``status`` with an error envelope, an HTML page, an empty body, or bytes."""
        content_type: str | None = "application/json"
        if body == "envelope":
            payload = _envelope(code or _default_code(status), message, details or {})
        elif body == "html":
            payload = f"<html><body><h1>{status} Bad Gateway</h1></body></html>".encode()
            content_type = "text/html"
        elif body == "empty":
            payload, content_type = b"", None
        else:
            payload = bytes(body)
        return cls(
            kind="status",
            status_code=status,
            body=payload,
            content_type=content_type,
            headers=dict(headers or {}),
            after_effect=after_effect,
        )

    @classmethod
    def rate_limited(
        cls, *, retry_after: str | None = None, retry_after_ms: int | None = None
    ) -> Fault:
        """429 ``RATE_LIMITED``, with ``Retry-After`` (seconds or HTTP date) and/or
        ``retry-after-ms`` when given."""
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        if retry_after_ms is not None:
            headers["retry-after-ms"] = str(retry_after_ms)
        return cls.status(429, code="RATE_LIMITED", message="요청이 너무 많습니다.",
                          headers=headers)

    @classmethod
    def not_json(cls, status: int = 200) -> Fault:
        """A 2xx whose body is not JSON."""
        return cls(
            kind="body", status_code=status, body=b"<html>OK</html>", content_type="text/html"
        )

    @classmethod
    def missing_fields(cls, *names: str) -> Fault:
        """The real answer (the operation takes effect) without these fields."""
        return cls(kind="transform", drop_fields=names or ("id",), after_effect=True)

    @classmethod
    def extra_fields(cls, **fields: Any) -> Fault:
        """The real answer with fields added (or replaced), e.g. unknown fields or enum values."""
        return cls(kind="transform", set_fields=fields or {"surprise": {"new": True}},
                   after_effect=True)

    @classmethod
    def wrong_content_type(cls, content_type: str = "text/plain") -> Fault:
        """The real answer, with a content type that is not JSON."""
        return cls(kind="transform", content_type=content_type, after_effect=True)


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
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    authorized: bool
    received_at: float
    """``time.monotonic()`` when the request arrived, for pacing checks."""
    status: int | None = None
    """The status answered, or ``None`` when the connection was reset instead."""
    fault: Fault | None = None


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


class _ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


class FakeVoxServer:
    """A fake vox.ai API on ``127.0.0.1``, on a thread of its own.

    Use ``with FakeVoxServer() as server:`` (or ``async with``), or :meth:`start` and
    :meth:`stop`. Pass :attr:`url` as ``base_url`` and :attr:`api_key` as ``api_key``.

    Args:
        api_key: the key the server accepts.
        latency: seconds every request waits before it is handled (simulates a network).
    """

    def __init__(self, *, api_key: str = "vox-test-key", latency: float = 0.0) -> None:
        self.api_key = api_key
        self.latency = latency
        self._numbers: dict[str, dict[str, Any]] = {}
        self._rules: list[_Rule] = []
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        """Most requests the server was handling at one time."""
        self._serial = 0
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
            # [\s\S], not ".": an id may hold a (percent-encoded) newline.
            app.router.add_route("*", r"/{tail:[\s\S]*}", self._handle)
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
            try:
                await site.start()
                server = site._server
                assert isinstance(server, asyncio.base_events.Server)
                port = server.sockets[0].getsockname()[1]
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
            self._serial += 1
            now = now_ms()
            record: dict[str, Any] = {
                "id": id or str(uuid.uuid4()),
                "number": number or f"070{self._serial:08d}",
                "provider": provider,
                "status": status,
                "start_at": now - 90 * _DAY_MS,
                "created_at": now - 90 * _DAY_MS + self._serial,
                "updated_at": now,
                "monthly_fee": 3000 if provider == "vox" else None,
                "address": None,
                "inbound_trunk_id": None,
                "outbound_trunk_id": None,
                "inbound_agent": {"agent_id": str(uuid.uuid4()), "agent_version": "production"},
                "outbound_agent": None,
                "memo": None,
                "end_at": None,
                "cancel_requested_at": None,
            }
            if status == "cancel_requested":
                record["cancel_requested_at"] = now - _DAY_MS
                record["end_at"] = _end_of_period(record, now)
            record.update(fields)
            self._numbers[record["id"]] = record
            return copy.deepcopy(record)

    def seed_pending(self, count: int, *, provider: str = "vox") -> list[str]:
        """Add ``count`` numbers pending termination; return their ids."""
        return [
            self.add_number(provider=provider, status="cancel_requested")["id"]
            for _ in range(count)
        ]

    def number(self, number_id: str) -> dict[str, Any]:
        """The current record of a number (a copy)."""
        with self._lock:
            record = self._numbers.get(number_id)
            if record is None:
                raise KeyError(f"no number with id {number_id!r} on this FakeVoxServer")
            return copy.deepcopy(record)

    @property
    def numbers(self) -> list[dict[str, Any]]:
        """Every record (copies), in the order they were added."""
        with self._lock:
            return copy.deepcopy(list(self._numbers.values()))

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
            return await self._handle_counted(request)
        finally:
            with self._lock:
                self._in_flight -= 1

    async def _handle_counted(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0]
        segments = raw_path.strip("/").split("/")
        number_id = unquote(segments[2]) if len(segments) >= 3 else None
        action = segments[3] if len(segments) == 4 else ("" if len(segments) == 3 else None)
        query = tuple(parse_qsl(request.query_string, keep_blank_values=True))
        authorized = request.headers.get("Authorization") == f"Bearer {self.api_key}"
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        fault = self._take_fault(request.method, number_id, action)
        received_at = time.monotonic()

        def log(status: int | None) -> None:
            entry = RecordedRequest(
                method=request.method, path=raw_path, number_id=number_id, action=action,
                query=query, headers=headers, authorized=authorized, received_at=received_at,
                status=status, fault=fault,
            )
            with self._lock:
                self._requests.append(entry)

        if self.latency:
            await asyncio.sleep(self.latency)
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)

        if fault is not None and not fault.after_effect and fault.kind in ("reset", "status",
                                                                             "body"):
            return await self._deliver_fault(request, fault, None, None, log)

        try:
            if not authorized:
                raise _ApiError(401, "UNAUTHORIZED", "유효하지 않은 API 키입니다.")
            status, payload = self._route(request.method, segments, number_id, action, query)
        except _ApiError as error:
            status, payload = error.status, {"error": {
                "code": error.code, "message": error.message, "details": error.details}}

        if fault is not None and fault.kind != "slow":
            return await self._deliver_fault(request, fault, status, payload, log)
        log(status)
        return _json_response(status, payload)

    async def _deliver_fault(
        self, request: web.Request, fault: Fault, status: int | None, payload: Any, log: Any
    ) -> web.StreamResponse:
        """Answer with ``fault``; ``status``/``payload`` are the real answer, if it was made."""
        if fault.kind == "reset":
            log(None)
            _reset(request)
            raise asyncio.CancelledError  # aiohttp drops the handler quietly
        if fault.kind == "reset_mid_body":
            body = json.dumps(payload).encode()
            response = web.StreamResponse(status=status or 200, headers={
                "Content-Type": "application/json", "Content-Length": str(len(body))})
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            log(None)
            _reset(request)
            raise asyncio.CancelledError
        if fault.kind == "transform" and status is not None and status >= 400:
            log(status)  # only a success is transformed; an error answer goes out as it is
            return _json_response(status, payload)
        if fault.kind == "transform":
            payload = {k: v for k, v in payload.items() if k not in fault.drop_fields}
            payload.update(fault.set_fields)
            log(200)
            response = web.Response(status=200, body=json.dumps(payload).encode())
            if fault.content_type:
                response.headers["Content-Type"] = fault.content_type
            return response
        log(fault.status_code)
        response = web.Response(status=fault.status_code, body=fault.body, headers=fault.headers)
        if fault.content_type:
            response.headers["Content-Type"] = fault.content_type + (
                "; charset=utf-8" if "json" in fault.content_type else "")
        return response

    def _route(
        self,
        method: str,
        segments: Sequence[str],
        number_id: str | None,
        action: str | None,
        query: tuple[tuple[str, str], ...],
    ) -> tuple[int, Any]:
        if tuple(segments[:2]) != _PREFIX:
            raise _ApiError(404, "NOT_FOUND", "요청한 경로를 찾을 수 없습니다.")
        if len(segments) == 2 and method == "GET":
            return 200, self._list(query)
        if number_id is not None and action == "" and method == "GET":
            return 200, self._get(number_id)
        if number_id is not None and action == "" and method == "DELETE":
            return 200, self._delete(number_id)
        if number_id is not None and action == "revoke-cancel" and method == "POST":
            return 200, self._revoke_cancel(number_id)
        raise _ApiError(405, "METHOD_NOT_ALLOWED", "지원하지 않는 요청입니다.")

    def _existing(self, number_id: str) -> dict[str, Any]:
        record = self._numbers.get(number_id)
        if record is None:
            raise _ApiError(404, "NOT_FOUND", "전화번호를 찾을 수 없습니다.",
                            field="organization_telephone_number_id")
        return record

    def _get(self, number_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._existing(number_id))

    def _revoke_cancel(self, number_id: str) -> dict[str, Any]:
        with self._lock:
            record = self._existing(number_id)
            if record["provider"] != "vox":
                raise _ApiError(400, "VALIDATION_ERROR",
                                "vox에서 구매한 번호만 해지 예약을 취소할 수 있습니다.",
                                field="provider", reason="not_vox_number",
                                allowed_values=["vox"])
            if record["status"] != "cancel_requested":
                raise _ApiError(409, "INVALID_STATUS", "해지 예약 상태의 번호가 아닙니다.",
                                field="status", reason="not_cancel_requested",
                                allowed_values=["cancel_requested"])
            record.update(status="active", end_at=None, cancel_requested_at=None,
                          updated_at=now_ms())
            return copy.deepcopy(record)

    def _delete(self, number_id: str) -> dict[str, Any]:
        with self._lock:
            record = self._existing(number_id)
            if record["status"] in ("cancel_requested", "expired"):
                raise _ApiError(409, "INVALID_STATUS", "이미 해지되었거나 해지 예약된 번호입니다.",
                                field="status", reason=record["status"])
            now = now_ms()
            if record["provider"] == "vox":
                end = _end_of_period(record, now)
                record.update(status="cancel_requested", cancel_requested_at=now, end_at=end,
                              updated_at=now)
            else:
                end = now
                record.update(status="expired", end_at=now, updated_at=now)
            return {"id": record["id"], "number": record["number"],
                    "provider": record["provider"], "effective_at": end}

    def _list(self, query: tuple[tuple[str, str], ...]) -> dict[str, Any]:
        keys = {key for key, _ in query}
        unknown = keys - _LIST_KEYS
        if unknown:
            raise _ApiError(400, "VALIDATION_ERROR", "알 수 없는 파라미터입니다.",
                            field=sorted(unknown)[0], reason="unknown_parameter")
        single = {}
        for key in ("provider", "cursor", "limit", "sort_by", "sort_order"):
            values = [v for k, v in query if k == key]
            if len(values) > 1:
                raise _ApiError(400, "VALIDATION_ERROR", "중복된 파라미터입니다.", field=key)
            single[key] = values[0] if values else None
        statuses = [v for k, v in query if k == "status"] or ["active"]
        _check_choice("provider", single["provider"], ("vox", "custom"), optional=True)
        for status in statuses:
            _check_choice("status", status,
                          ("active", "scheduled", "cancel_requested", "expired"))
        _check_choice("sort_by", single["sort_by"], ("created_at",), optional=True)
        _check_choice("sort_order", single["sort_order"], ("asc", "desc"), optional=True)
        limit = 50
        if single["limit"] is not None:
            try:
                limit = int(single["limit"])
            except ValueError:
                limit = 0
            if not 1 <= limit <= 100:
                raise _ApiError(400, "VALIDATION_ERROR", "limit은 1에서 100 사이여야 합니다.",
                                field="limit", reason="out_of_range")
        offset = 0
        if single["cursor"] is not None:
            offset = _decode_cursor(single["cursor"])
        with self._lock:
            matching = [
                r for r in self._numbers.values()
                if r["status"] in statuses
                and (single["provider"] is None or r["provider"] == single["provider"])
            ]
            matching.sort(key=lambda r: (r["created_at"], r["id"]),
                          reverse=single["sort_order"] == "desc")
            page = copy.deepcopy(matching[offset: offset + limit])
        end = offset + len(page)
        return {
            "items": page,
            "total_count": len(matching),
            "next_cursor": _encode_cursor(end) if end < len(matching) else None,
        }


def _check_choice(field: str, value: str | None, allowed: tuple[str, ...],
                  *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if value not in allowed:
        raise _ApiError(400, "VALIDATION_ERROR", f"{field} 값이 올바르지 않습니다.",
                        field=field, reason="invalid_value", allowed_values=list(allowed))


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset":
            raise ValueError(cursor)
        return int(number)
    except ValueError:
        raise _ApiError(400, "VALIDATION_ERROR", "cursor가 올바르지 않습니다.",
                        field="cursor", reason="invalid_cursor") from None


def _end_of_period(record: Mapping[str, Any], now: int) -> int:
    """The next monthly (30-day) anniversary of ``start_at`` after ``now``."""
    start = record.get("start_at") or now
    period = 30 * _DAY_MS
    return int(start + ((now - start) // period + 1) * period)


def _default_code(status: int) -> str:
    return {
        400: "VALIDATION_ERROR", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
        408: "REQUEST_TIMEOUT", 409: "CONFLICT", 422: "UNPROCESSABLE_ENTITY",
        429: "RATE_LIMITED",
    }.get(status, "INTERNAL_ERROR")


def _envelope(code: str, message: str, details: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {"error": {"code": code, "message": message, "details": dict(details)}},
        ensure_ascii=False,
    ).encode()


async def _add_request_id(_: web.Request, response: web.StreamResponse) -> None:
    """Every answer carries an ``x-request-id``, as vox.ai's do (a Fault may set its own)."""
    response.headers.setdefault("x-request-id", f"req_{uuid.uuid4().hex}")


def _json_response(status: int, payload: Any) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(payload, ensure_ascii=False).encode(),
        content_type="application/json",
        charset="utf-8",
    )


def _reset(request: web.Request) -> None:
    """Abort the connection with a TCP reset (SO_LINGER 0), not a graceful close."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
