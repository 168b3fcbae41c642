"""Every error class by status, from envelope, HTML and empty bodies, async and sync."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import voxasync
from voxasync import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncVox,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    Vox,
    VoxError,
)
from voxasync.errors import BODY_PREVIEW_CHARS, status_error_class
from voxasync.testing import FakeVoxServer, Fault

CLASS_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
    502: InternalServerError,
    503: InternalServerError,
    504: InternalServerError,
    418: APIStatusError,
}

KOREAN = "해지 예약 상태의 번호가 아닙니다. (요청 ID: 가나다)"


@pytest.fixture
async def avox0(server: FakeVoxServer) -> AsyncIterator[AsyncVox]:
    """A client that never retries, so each failure is exactly one request."""
    async with AsyncVox(server.api_key, base_url=server.url, max_retries=0) as client:
        yield client


# -- the tree ---------------------------------------------------------------------------------


def test_the_error_tree() -> None:
    assert issubclass(VoxError, Exception)
    for cls in (APIConnectionError, APIResponseValidationError, APIStatusError):
        assert cls.__bases__ == (VoxError,)
    assert APITimeoutError.__bases__ == (APIConnectionError,)
    for cls in set(CLASS_BY_STATUS.values()) - {APIStatusError}:
        assert cls.__bases__ == (APIStatusError,), cls
    # None of them is a ValueError/TypeError: those are for bad arguments.
    error_classes: list[type[VoxError]] = [VoxError, APIConnectionError, *CLASS_BY_STATUS.values()]
    for error_class in error_classes:
        assert not issubclass(error_class, ValueError | TypeError)


# -- the pure mapping -------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "cls"), sorted(CLASS_BY_STATUS.items()))
def test_status_error_class(status: int, cls: type[APIStatusError]) -> None:
    assert status_error_class(status) is cls


@given(status=st.integers(min_value=500, max_value=599))
def test_every_5xx_is_an_internal_server_error(status: int) -> None:
    assert status_error_class(status) is InternalServerError


@given(status=st.integers(min_value=400, max_value=499))
def test_every_unlisted_4xx_is_a_plain_status_error(status: int) -> None:
    expected = CLASS_BY_STATUS.get(status, APIStatusError)
    assert status_error_class(status) is expected


# -- every class from the server, envelope bodies ---------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "cls"), sorted(CLASS_BY_STATUS.items()))
async def test_every_status_from_an_envelope(
    server: FakeVoxServer, avox0: AsyncVox, status: int, cls: type[APIStatusError]
) -> None:
    server.inject(
        Fault.status(
            status,
            code="SOME_CODE",
            message=KOREAN,
            details={"field": "status", "reason": "not_cancel_requested",
                     "allowed_values": ["cancel_requested"]},
            headers={"X-Request-Id": "req-123"},
        )
    )
    with pytest.raises(APIStatusError) as caught:
        await avox0.organization_telephone_numbers.revoke_cancel("n-1")
    error = caught.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.code == "SOME_CODE"
    assert error.message == KOREAN
    assert error.details == {
        "field": "status",
        "reason": "not_cancel_requested",
        "allowed_values": ["cancel_requested"],
    }
    assert error.body == {"error": {"code": "SOME_CODE", "message": KOREAN,
                                    "details": dict(error.details)}}
    assert error.headers["X-Request-Id"] == "req-123"
    assert error.headers["x-request-id"] == "req-123"  # case-insensitive, like HTTP
    assert str(status) in str(error)
    assert "SOME_CODE" in str(error)
    assert KOREAN in str(error)
    assert len(server.requests) == 1


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "cls"), sorted(CLASS_BY_STATUS.items()))
@pytest.mark.parametrize("body", ["html", "empty"])
async def test_every_status_from_an_html_or_empty_body(
    server: FakeVoxServer, avox0: AsyncVox, status: int, cls: type[APIStatusError], body: str
) -> None:
    server.inject(Fault.status(status, body=body))  # type: ignore[arg-type]
    with pytest.raises(APIStatusError) as caught:
        await avox0.organization_telephone_numbers.retrieve("n-1")
    error = caught.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.code is None
    assert error.details == {}
    assert isinstance(error.message, str)
    assert error.message
    if body == "html":
        assert error.body == f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
        assert "Bad Gateway" in error.message
        assert error.headers["Content-Type"].startswith("text/html")
    else:
        assert error.body == ""
        assert "empty" in error.message


@pytest.mark.anyio
async def test_a_long_html_body_is_kept_truncated(server: FakeVoxServer, avox0: AsyncVox) -> None:
    page = "<html><body>" + "게이트웨이 오류 " * 400 + "</body></html>"
    server.inject(Fault.status(502, body=page.encode()))
    with pytest.raises(InternalServerError) as caught:
        await avox0.organization_telephone_numbers.retrieve("n-1")
    body = caught.value.body
    assert isinstance(body, str)
    assert page.startswith(body.rstrip("…"))
    assert BODY_PREVIEW_CHARS <= len(body) <= BODY_PREVIEW_CHARS + 1
    assert len(str(caught.value)) < 400  # the message stays readable


@pytest.mark.anyio
async def test_json_without_an_envelope_keeps_its_class_and_body(
    server: FakeVoxServer, avox0: AsyncVox
) -> None:
    server.inject(Fault.status(422, body=b'{"detail": "nope"}'))
    with pytest.raises(UnprocessableEntityError) as caught:
        await avox0.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.code is None
    assert caught.value.details == {}
    assert caught.value.body == {"detail": "nope"}


@pytest.mark.anyio
async def test_a_malformed_envelope_never_breaks_error_building(
    server: FakeVoxServer, avox0: AsyncVox
) -> None:
    weird = {"error": {"code": 7, "message": ["x"], "details": "not an object"}}
    server.inject(Fault.status(409, body=json.dumps(weird).encode()))
    with pytest.raises(ConflictError) as caught:
        await avox0.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.code is None
    assert caught.value.details == {}
    assert isinstance(caught.value.message, str)
    assert caught.value.body == weird


@pytest.mark.anyio
async def test_korean_bytes_in_a_non_json_body_are_intact(
    server: FakeVoxServer, avox0: AsyncVox
) -> None:
    server.inject(Fault.status(503, body="서비스 점검 중입니다".encode()))
    with pytest.raises(InternalServerError) as caught:
        await avox0.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.body == "서비스 점검 중입니다"
    assert "서비스 점검 중입니다" in str(caught.value)


# -- the fake server's own refusals (real state machine, not injected faults) -----------------


@pytest.mark.anyio
async def test_unknown_id_is_not_found(server: FakeVoxServer, avox0: AsyncVox) -> None:
    with pytest.raises(NotFoundError) as caught:
        await avox0.organization_telephone_numbers.revoke_cancel("no-such-number")
    assert caught.value.code == "NOT_FOUND"
    assert caught.value.message == "전화번호를 찾을 수 없습니다."
    assert caught.value.details == {"field": "organization_telephone_number_id"}


@pytest.mark.anyio
async def test_number_not_pending_is_refused(server: FakeVoxServer, avox0: AsyncVox) -> None:
    number_id = server.add_number(status="active")["id"]
    with pytest.raises(ConflictError) as caught:
        await avox0.organization_telephone_numbers.revoke_cancel(number_id)
    assert caught.value.code == "INVALID_STATUS"
    assert caught.value.details["reason"] == "not_cancel_requested"
    assert server.number(number_id)["status"] == "active"


@pytest.mark.anyio
async def test_custom_number_is_refused(server: FakeVoxServer, avox0: AsyncVox) -> None:
    number_id = server.add_number(provider="custom", status="cancel_requested")["id"]
    with pytest.raises(BadRequestError) as caught:
        await avox0.organization_telephone_numbers.revoke_cancel(number_id)
    assert caught.value.code == "VALIDATION_ERROR"
    assert caught.value.details["allowed_values"] == ["vox"]
    assert "vox" in caught.value.message


@pytest.mark.anyio
async def test_wrong_key_is_an_authentication_error(server: FakeVoxServer) -> None:
    async with AsyncVox("not-the-key", base_url=server.url, max_retries=0) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.code == "UNAUTHORIZED"
    assert server.requests[0].authorized is False


# -- retries and rate limits ------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_after_retries_run_out_keeps_its_class(
    server: FakeVoxServer, avox: AsyncVox, status: int
) -> None:
    server.inject(Fault.status(status, body="html"), times=3)
    with pytest.raises(InternalServerError) as caught:
        await avox.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.status_code == status
    assert [r.status for r in server.requests] == [status] * 3  # max_retries=2 by default


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 418, 422])
async def test_other_4xx_are_never_retried(
    server: FakeVoxServer, avox: AsyncVox, status: int
) -> None:
    server.inject(Fault.status(status), times=3)
    with pytest.raises(APIStatusError):
        await avox.organization_telephone_numbers.retrieve("n-1")
    assert len(server.requests) == 1


@pytest.mark.anyio
async def test_rate_limit_carries_retry_after(server: FakeVoxServer, avox0: AsyncVox) -> None:
    server.inject(Fault.rate_limited(retry_after="7"))
    with pytest.raises(RateLimitError) as caught:
        await avox0.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.retry_after == 7.0
    assert caught.value.code == "RATE_LIMITED"
    assert caught.value.headers["Retry-After"] == "7"

    server.inject(Fault.rate_limited())
    with pytest.raises(RateLimitError) as caught:
        await avox0.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.retry_after is None


@pytest.mark.anyio
async def test_retry_after_above_the_cap_is_raised_not_slept(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    too_long = voxasync.MAX_RETRY_AFTER + 60
    server.inject(Fault.rate_limited(retry_after=str(int(too_long))))
    with pytest.raises(RateLimitError) as caught:
        await avox.organization_telephone_numbers.retrieve("n-1")
    assert caught.value.retry_after == int(too_long)
    assert len(server.requests) == 1


# -- connection errors ------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_reset_connection_is_an_api_connection_error(
    server: FakeVoxServer, avox0: AsyncVox, method: str
) -> None:
    number_id = server.add_number(status="cancel_requested")["id"]
    server.inject(Fault.reset())
    numbers = avox0.organization_telephone_numbers
    call = {"GET": numbers.retrieve, "POST": numbers.revoke_cancel, "DELETE": numbers.delete}
    with pytest.raises(APIConnectionError) as caught:
        await call[method](number_id)
    assert not isinstance(caught.value, APIStatusError)
    assert caught.value.method == method
    assert f"/v3/organization-telephone-numbers/{number_id}" in caught.value.url
    # max_retries=0 means one request: no hidden resend by aiohttp either.
    assert [(r.method, r.status) for r in server.requests] == [(method, None)]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_delete_whose_answer_was_lost_converges(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number(provider="vox", status="active")["id"]
    server.inject(Fault.reset(after_effect=True))
    termination = await avox.organization_telephone_numbers.delete(number_id)
    assert termination.effective_at == server.number(number_id)["end_at"]
    assert [(r.method, r.status) for r in server.requests] == [
        ("DELETE", None),
        ("DELETE", 409),
        ("GET", 200),
    ]


@pytest.mark.anyio
async def test_refused_connection_was_never_sent(unused_tcp_port_url: str) -> None:
    async with AsyncVox("k", base_url=unused_tcp_port_url, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.organization_telephone_numbers.retrieve("n-1")
    assert type(caught.value) is APIConnectionError
    assert caught.value.request_may_have_been_sent is False


@pytest.mark.anyio
async def test_slow_answer_is_a_timeout(server: FakeVoxServer, avox0: AsyncVox) -> None:
    server.inject(Fault.slow(0.3))
    with pytest.raises(APITimeoutError):
        await avox0.organization_telephone_numbers.retrieve("n-1", timeout=0.05)


# -- the sync facade raises the very same classes ---------------------------------------------


@pytest.mark.parametrize(("status", "cls"), sorted(CLASS_BY_STATUS.items()))
def test_sync_client_raises_the_same_classes(
    server: FakeVoxServer, status: int, cls: type[APIStatusError]
) -> None:
    server.inject(Fault.status(status, message=KOREAN, details={"field": "x"}))
    with (
        Vox(server.api_key, base_url=server.url, max_retries=0) as client,
        pytest.raises(APIStatusError) as caught,
    ):
        client.organization_telephone_numbers.revoke_cancel("n-1")
    assert type(caught.value) is cls
    assert caught.value.message == KOREAN
    assert caught.value.details == {"field": "x"}


@pytest.fixture
def unused_tcp_port_url() -> str:
    """A loopback URL where nothing listens (the port was just bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.anyio
@pytest.mark.parametrize("status", [301, 302, 307])
async def test_a_redirect_is_a_status_error_not_followed(
    server: FakeVoxServer, avox0: AsyncVox, status: int
) -> None:
    (number_id,) = server.seed_pending(1)
    server.inject(Fault.status(status, body="html", headers={"Location": "https://elsewhere/"}))
    with pytest.raises(APIStatusError) as caught:
        await avox0.organization_telephone_numbers.revoke_cancel(number_id)
    assert type(caught.value) is APIStatusError
    assert caught.value.status_code == status
    assert len(server.requests) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("status", [404, 429, 503])
async def test_errors_survive_pickle_and_copy(
    server: FakeVoxServer, avox0: AsyncVox, status: int
) -> None:
    import copy
    import pickle

    server.inject(Fault.status(status, details={"field": "id"}, headers={"Retry-After": "7"}))
    with pytest.raises(APIStatusError) as caught:
        await avox0.organization_telephone_numbers.retrieve("n-1")
    original = caught.value
    for clone in (pickle.loads(pickle.dumps(original)), copy.copy(original)):
        assert type(clone) is type(original)
        assert str(clone) == str(original)
        assert (clone.status_code, clone.code, clone.message) == (
            original.status_code, original.code, original.message
        )
        assert clone.details == {"field": "id"}
        assert clone.headers["retry-after"] == "7"  # still case-insensitive
        if isinstance(original, RateLimitError):
            assert isinstance(clone, RateLimitError)
            assert clone.retry_after == 7.0


def test_connection_and_validation_errors_survive_pickle() -> None:
    import pickle

    timeout = pickle.loads(pickle.dumps(APITimeoutError("slow", method="GET", url="u")))
    assert isinstance(timeout, APITimeoutError)
    assert (str(timeout), timeout.method, timeout.url) == ("slow", "GET", "u")
    invalid = pickle.loads(
        pickle.dumps(APIResponseValidationError("bad", status_code=200, body="{}", errors=["x"]))
    )
    assert (invalid.status_code, invalid.body, invalid.errors) == (200, "{}", ["x"])
