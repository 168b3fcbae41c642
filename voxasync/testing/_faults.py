"""Faults: what a misbehaving server does to one request, and how it is delivered.

This is the one place that reads :attr:`Fault.kind`; the server only asks :func:`serve`
to answer a request, with or without a fault.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs
from aiohttp import web

from ._store import default_code, error_payload

FaultKind = Literal["reset", "reset_mid_body", "slow", "status", "body", "transform", "raw"]

HostileBody = Literal[
    "deep_json", "long_open", "huge_number", "long_integer", "invalid_utf8", "bom",
    "huge_message",
]
Malformed = Literal["status_line", "header", "gzip"]

_HOSTILE_BODIES: Mapping[str, bytes] = {
    "deep_json": b"[" * 10_000 + b"]" * 10_000,  # valid JSON, nested past any recursion limit
    "long_open": b"[" * 1_000_000,  # a million brackets, never closed
    "huge_number": b"1e999999",  # a float literal past float range
    "long_integer": b"9" * 100_000,  # an integer past Python's int-from-text limit
    "invalid_utf8": b'{"error": {"code": "\xff\xfe", "message": "\xc3("}}',
    "bom": b"\xef\xbb\xbf" + json.dumps(error_payload("INTERNAL", "bom", {})).encode(),
    "huge_message": json.dumps(error_payload("INTERNAL", "x" * 5_000_000, {})).encode(),
}

_MALFORMED: Mapping[str, bytes] = {
    "status_line": b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\n{}",
    "header": b"HTTP/1.1 200 OK\r\nContent-Length 2\r\nX-Bad\x01Header: 1\r\n\r\n{}",
}

_ANSWERED_FIRST: frozenset[FaultKind] = frozenset({"reset", "status", "body", "raw"})
"""Kinds that, without ``after_effect``, answer before the operation is performed."""

Perform = Callable[[], tuple[int, Any]]
"""Performs the request's operation; returns the real (status, payload)."""
Log = Callable[[int | None], None]
"""Records the request with the status answered (``None``: the connection was reset)."""


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
            envelope = error_payload(code or default_code(status), message, details or {})
            payload = json.dumps(envelope, ensure_ascii=False).encode()
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
    def hostile_body(cls, kind: HostileBody, *, status: int = 200) -> Fault:
        """Answer ``status`` with a body built to break a JSON decoder: ``"deep_json"`` (ten
        thousand nested ``[``), ``"long_open"`` (a million ``[``), ``"huge_number"``
        (``1e999999``), ``"long_integer"`` (100,000 digits), ``"invalid_utf8"``, ``"bom"`` (an
        error envelope after a UTF-8 byte-order mark), ``"huge_message"`` (an envelope whose
        message is 5 MB)."""
        return cls(kind="status", status_code=status, body=_HOSTILE_BODIES[kind])

    @classmethod
    def malformed(cls, kind: Malformed) -> Fault:
        """An answer that is not valid HTTP: ``"status_line"`` (``HTTP/1.1 2OO OK``),
        ``"header"`` (a header line without a colon, a control character in a name), or
        ``"gzip"`` (a 200 that says ``Content-Encoding: gzip`` over bytes that are not)."""
        if kind == "gzip":
            return cls(kind="status", body=b"this is not gzip", headers={
                "Content-Encoding": "gzip"})
        return cls(kind="raw", body=_MALFORMED[kind], content_type=None)

    @classmethod
    def raw(cls, data: bytes) -> Fault:
        """Write ``data`` to the connection instead of an answer, then close it."""
        return cls(kind="raw", body=bytes(data), content_type=None)

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


async def serve(
    request: web.Request, fault: Fault | None, perform: Perform, log: Log
) -> web.StreamResponse:
    """Answer ``request``: normally when ``fault`` is ``None``, else as the fault says."""
    if fault is None:
        return _answer(*perform(), log)
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay)
        return _answer(*perform(), log)
    if not fault.after_effect and fault.kind in _ANSWERED_FIRST:
        return await _deliver(request, fault, None, None, log)
    status, payload = perform()
    return await _deliver(request, fault, status, payload, log)


async def _deliver(
    request: web.Request, fault: Fault, status: int | None, payload: Any, log: Log
) -> web.StreamResponse:
    """Answer with ``fault``; ``status``/``payload`` are the real answer, if it was made."""
    if fault.kind == "reset":
        log(None)
        _reset(request)
        raise asyncio.CancelledError  # aiohttp drops the handler quietly
    if fault.kind == "raw":
        log(None)
        if request.transport is not None:
            request.transport.write(fault.body)
            request.transport.close()  # sends what was written, then closes
        raise asyncio.CancelledError
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
        return _answer(status, payload, log)  # only a success is transformed
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


def _answer(status: int, payload: Any, log: Log) -> web.Response:
    """The real answer, as the API sends it."""
    log(status)
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
