"""Hostile answers: whatever bytes come back, the error is typed, retried by its status, and
nothing reachable from it holds the key.

Two real servers on loopback: the :class:`FakeVoxServer` with its hostile faults, and a raw
asyncio TCP server that answers any bytes at all.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import logging
import pickle
import traceback
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import pytest

from voxasync import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncVox,
    ConflictError,
    InternalServerError,
    NotFoundError,
    VoxError,
)
from voxasync.testing import FakeVoxServer, Fault

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("no_wait")]

KEY = "vox-sk-live-7d1e-HOSTILE-SECRET-key-0001"


# -- the walker: everything reachable from an exception ---------------------------------


def reachable(root: BaseException) -> Iterator[object]:
    """Every object reachable from ``root`` through cause, context, args, attributes,
    containers and mappings (not through traceback frames: their locals hold the client)."""
    seen: set[int] = set()
    stack: list[object] = [root]
    while stack:
        obj = stack.pop()
        if obj is None or id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, BaseException):
            stack += [obj.__cause__, obj.__context__, *obj.args]
        if isinstance(obj, str | bytes | int | float | bool):
            continue
        if isinstance(obj, Mapping):
            stack += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            stack += list(obj)
        stack += list(getattr(obj, "__dict__", {}).values())
        for name in getattr(type(obj), "__slots__", ()):
            stack.append(getattr(obj, name, None))


def assert_key_nowhere(error: BaseException) -> None:
    """The key is in nothing reachable, nor in any rendering of the error."""
    for obj in reachable(error):
        text = obj.decode("latin-1") if isinstance(obj, bytes) else repr(obj)
        assert KEY not in text, f"the key is reachable through {type(obj).__name__}"
        assert "Authorization" not in text or "***" in text, type(obj).__name__
        assert type(obj).__module__.split(".")[0] != "aiohttp", (
            f"an aiohttp object is reachable: {type(obj).__name__}")
    assert error.__cause__ is None or isinstance(error.__cause__, VoxError | ValueError)
    assert KEY.encode() not in pickle.dumps(error)
    assert KEY not in "".join(traceback.format_exception(error))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("test_hostile.reporter")
    log.addHandler(handler)
    try:
        try:
            raise error
        except VoxError:
            log.exception("a Sentry-style report")
    finally:
        log.removeHandler(handler)
    assert KEY not in stream.getvalue()


# -- a raw TCP server that answers any bytes --------------------------------------------


class RawServer:
    """Reads one request head, then writes ``answer`` and closes (or just closes)."""

    def __init__(self) -> None:
        self.answer = b""
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            writer.write(self.answer)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServer]:
    raw = RawServer()
    raw.server = await asyncio.start_server(raw.handle, "127.0.0.1", 0)
    async with raw.server:
        yield raw


@pytest.fixture
def key_server() -> Iterator[FakeVoxServer]:
    with FakeVoxServer(api_key=KEY) as fake:
        yield fake


def http(status: str, headers: dict[str, str], body: bytes) -> bytes:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


RAW_ANSWERS: dict[str, tuple[bytes, type[VoxError]]] = {
    "bad status line": (b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", APIConnectionError),
    "not http at all": (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", APIConnectionError),
    "header without colon": (b"HTTP/1.1 200 OK\r\nBroken header\r\n\r\n", APIConnectionError),
    "control char in header": (b"HTTP/1.1 200 OK\r\nX-A\x01: 1\r\n\r\n", APIConnectionError),
    "bad gzip": (http("200 OK", {"Content-Encoding": "gzip", "Content-Length": "7"},
                      b"notgzip"), APIConnectionError),
    "bad deflate": (http("503 Unavailable", {"Content-Encoding": "deflate",
                                             "Content-Length": "4"}, b"nope"),
                    APIConnectionError),
    "body cut short": (http("200 OK", {"Content-Length": "100"}, b"{\"id\":"),
                       APIConnectionError),
    "bad chunking": (http("200 OK", {"Transfer-Encoding": "chunked"}, b"zz\r\nxx\r\n"),
                     APIConnectionError),
    "closed at once": (b"", APIConnectionError),
    "200 not JSON": (http("200 OK", {"Content-Length": "5"}, b"hello"),
                     APIResponseValidationError),
    # An object that is not whole JSON: json's scanner signals some of these with
    # StopIteration, which must never escape (it would surface as a RuntimeError).
    "200 object cut short": (http("200 OK", {"Content-Length": "7"}, b'{"id": '),
                             APIResponseValidationError),
    "200 object with a bad value": (http("200 OK", {"Content-Length": "8"}, b'{"a": x}'),
                                    APIResponseValidationError),
    "200 object with a stray comma": (http("200 OK", {"Content-Length": "11"},
                                           b'{"a": [1,]}'), APIResponseValidationError),
    "200 object then more": (http("200 OK", {"Content-Length": "7"}, b'{} {"a"'),
                             APIResponseValidationError),
    "200 deep JSON": (http("200 OK", {"Content-Length": "20000"},
                           b"[" * 10_000 + b"]" * 10_000), APIResponseValidationError),
    "500 deep JSON": (http("500 Oops", {"Content-Length": "20000"},
                           b"[" * 10_000 + b"]" * 10_000), InternalServerError),
    "404 invalid UTF-8": (http("404 Not Found", {"Content-Length": "4"}, b"\xff\xfe\xc3("),
                          NotFoundError),
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("case", sorted(RAW_ANSWERS))
async def test_any_bytes_end_in_a_typed_error_that_holds_no_key(
    raw_server: RawServer, case: str, method: str
) -> None:
    raw_server.answer, expected = RAW_ANSWERS[case]
    async with AsyncVox(KEY, base_url=raw_server.url, max_retries=1) as vox:
        numbers = vox.organization_telephone_numbers
        call = numbers.retrieve if method == "GET" else numbers.revoke_cancel
        with pytest.raises(VoxError) as caught:
            await call("n-1")
    assert type(caught.value) is expected, repr(caught.value)
    assert_key_nowhere(caught.value)
    retried = issubclass(expected, APIConnectionError | InternalServerError)
    assert raw_server.requests in ((2, 3) if retried else (1,))  # (a POST may also recover)


FAKE_FAULTS: dict[str, tuple[Fault, type[VoxError]]] = {
    "malformed status line": (Fault.malformed("status_line"), APIConnectionError),
    "malformed header": (Fault.malformed("header"), APIConnectionError),
    "bad gzip": (Fault.malformed("gzip"), APIConnectionError),
    "reset": (Fault.reset(), APIConnectionError),
    "reset mid body": (Fault.reset_mid_body(), APIConnectionError),
    "timeout": (Fault.slow(1.0), APITimeoutError),
    "503": (Fault.status(503), InternalServerError),
    "409": (Fault.status(409), ConflictError),
    "200 not JSON": (Fault.not_json(), APIResponseValidationError),
    "200 deep JSON": (Fault.hostile_body("deep_json"), APIResponseValidationError),
    "503 long open": (Fault.hostile_body("long_open", status=503), InternalServerError),
}


@pytest.mark.parametrize("case", sorted(FAKE_FAULTS))
async def test_no_fault_leaves_the_key_reachable(key_server: FakeVoxServer, case: str) -> None:
    fault, expected = FAKE_FAULTS[case]
    number_id = key_server.add_number()["id"]
    key_server.inject(fault, times=5)
    async with AsyncVox(KEY, base_url=key_server.url, max_retries=0, timeout=0.2) as vox:
        with pytest.raises(VoxError) as caught:
            await vox.organization_telephone_numbers.retrieve(number_id)
    assert type(caught.value) is expected, repr(caught.value)
    assert_key_nowhere(caught.value)


async def test_a_deadline_error_holds_no_key(key_server: FakeVoxServer) -> None:
    key_server.inject(Fault.slow(1.0))
    async with AsyncVox(KEY, base_url=key_server.url, deadline=0.1) as vox:
        with pytest.raises(APITimeoutError) as caught:
            await vox.organization_telephone_numbers.retrieve(key_server.add_number()["id"])
    assert_key_nowhere(caught.value)


# -- hostile bodies: typed, retried by status -------------------------------------------

HOSTILE = ["deep_json", "long_open", "huge_number", "long_integer", "invalid_utf8", "bom",
           "huge_message"]


@pytest.mark.parametrize("kind", HOSTILE)
async def test_a_hostile_2xx_body_is_a_validation_error(
    server: FakeVoxServer, avox: AsyncVox, kind: Any
) -> None:
    server.inject(Fault.hostile_body(kind))
    with pytest.raises(APIResponseValidationError) as caught:
        await avox.organization_telephone_numbers.retrieve(server.add_number()["id"])
    assert len(str(caught.value)) < 2_000
    assert len(caught.value.body) <= 500


@pytest.mark.parametrize("kind", HOSTILE)
async def test_a_hostile_5xx_body_is_retried(
    server: FakeVoxServer, avox: AsyncVox, kind: Any
) -> None:
    number_id = server.add_number()["id"]
    server.inject(Fault.hostile_body(kind, status=503))
    record = await avox.organization_telephone_numbers.retrieve(number_id)
    assert record.id == number_id
    assert [r.status for r in server.requests] == [503, 200]


@pytest.mark.parametrize("kind", HOSTILE)
async def test_a_hostile_5xx_body_is_an_internal_server_error(
    server: FakeVoxServer, kind: Any
) -> None:
    server.inject(Fault.hostile_body(kind, status=502))
    async with AsyncVox(server.api_key, base_url=server.url, max_retries=0) as vox:
        with pytest.raises(InternalServerError) as caught:
            await vox.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.status_code == 502
    assert len(str(caught.value)) < 1_200


async def test_a_50_mb_error_message_is_bounded_in_text_and_kept_in_body(
    server: FakeVoxServer,
) -> None:
    message = "가" * 50_000_000
    body = ('{"error": {"code": "INTERNAL", "message": "' + message + '"}}').encode()
    server.inject(Fault.status(500, body=body))
    async with AsyncVox(server.api_key, base_url=server.url, max_retries=0) as vox:
        with pytest.raises(InternalServerError) as caught:
            await vox.organization_telephone_numbers.retrieve("n-1")
    error = caught.value
    assert len(str(error)) < 1_100 and len(repr(error)) < 1_200
    assert error.message.endswith("…") and len(error.message) <= 1_001
    assert isinstance(error.body, dict)  # the whole body stays where it was kept
    assert error.body["error"]["message"] == message


def test_a_status_error_built_by_hand_has_bounded_text() -> None:
    error = APIStatusError("x" * 10**6, status_code=418, code="C" * 10**5)
    assert len(str(error)) < 1_200


# -- a session with settings of its own -------------------------------------------------


def gzipped_answer(payload: bytes) -> bytes:
    body = gzip.compress(payload)
    return http("200 OK", {"Content-Type": "application/json", "Content-Encoding": "gzip",
                           "Content-Length": str(len(body))}, body)


async def test_the_users_session_settings_do_not_change_our_semantics(
    server: FakeVoxServer,
) -> None:
    import aiohttp

    async with aiohttp.ClientSession(
        raise_for_status=True,
        base_url="http://127.0.0.1:9/elsewhere/",
        headers={"Authorization": "Bearer not-the-key", "Accept": "text/html"},
        timeout=aiohttp.ClientTimeout(total=0.000_1),
        auto_decompress=False,
    ) as session:
        vox = AsyncVox(server.api_key, base_url=server.url, session=session)
        numbers = vox.organization_telephone_numbers
        # A 404 is a NotFoundError after one attempt, not a retried connection error.
        with pytest.raises(NotFoundError):
            await numbers.retrieve("no-such-id")
        # A refused revoke-cancel is sent once.
        active = server.add_number(status="active")["id"]
        with pytest.raises(ConflictError):
            await numbers.revoke_cancel(active)
        assert [(r.method, r.status) for r in server.requests] == [("GET", 404), ("POST", 409)]
        assert all(r.authorized and r.headers["Accept"] == "application/json"
                   for r in server.requests)
        # A gzip answer is decoded although the session would not decompress it.
        record = server.add_number()
        server.inject(Fault.raw(gzipped_answer(_json(record))))
        assert (await numbers.retrieve(record["id"])).id == record["id"]
        await vox.aclose()
    assert session.closed  # (closed by its own `async with`, never by us)


def _json(value: object) -> bytes:
    import json

    return json.dumps(value).encode()


# -- an unusable key --------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["\x01", "\x1b[31m", "\x7f", "\t", " ", "\x85", "é", "키", "\u2028", "\ud800"]
)
def test_a_key_that_cannot_go_in_a_header_is_refused_without_quoting_it(bad: str) -> None:
    key = f"vox-sk-{bad}-SECRETPART"
    with pytest.raises(VoxError) as caught:
        AsyncVox(key, base_url="http://127.0.0.1:9")
    assert "SECRETPART" not in str(caught.value)
    assert bad.isspace() or bad not in str(caught.value)
    assert "cannot go in an HTTP header" in str(caught.value)
    assert "position 8 of" in str(caught.value)


# -- a locally refused id is small ------------------------------------------------------


async def test_a_batch_keeps_each_locally_refused_id_small(server: FakeVoxServer) -> None:
    import gc
    import tracemalloc

    from voxasync import RateLimitError

    count = 20_000
    server.inject(Fault.rate_limited(retry_after="3600"), times=20)
    ids = [f"id-{i}" for i in range(count)]
    async with AsyncVox(server.api_key, base_url=server.url) as vox:
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            results = await vox.organization_telephone_numbers.revoke_cancel_many(
                ids, concurrency=4
            )
            gc.collect()
            per_id = (tracemalloc.get_traced_memory()[0] - before) / count
        finally:
            tracemalloc.stop()
    refused = [r for r in results if isinstance(r, RateLimitError)]
    assert len(refused) >= count - 20
    assert all(r.__traceback__ is None and r.__context__ is None for r in refused)
    assert refused[-2].headers is refused[-1].headers  # shared, not copied per id
    assert per_id < 1_000, per_id  # about 3,400 bytes before; the batch's own list included
