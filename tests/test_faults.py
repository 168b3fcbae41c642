"""The fault suite: every fault ``FakeVoxServer`` offers, with its exact outcome and attempts.

Each test asserts what the caller gets (a record, or an error class with its fields) and
exactly which requests the server saw. Retries wait no real time (the ``no_wait`` fixture),
except in the one test that proves a real ``Retry-After`` wait is honoured and in the
cancellation tests, which need a real backoff sleep to cancel.

A slow handler keeps running after the client gave up (aiohttp does not cancel it), and the
server records a request only when its handler ends: tests with ``Fault.slow`` call
:func:`settle` before they count requests.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from voxasync import (
    MAX_RETRY_AFTER,
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
    OrganizationTelephoneNumber,
    PermissionDeniedError,
    Provider,
    RateLimitError,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
    UnprocessableEntityError,
    Vox,
    VoxError,
)
from voxasync.testing import FakeVoxServer, Fault

pytestmark = pytest.mark.timeout(30)

KOREAN_5XX = "일시적인 오류가 발생했습니다."
RATE_LIMITED_MESSAGE = "요청이 너무 많습니다."
NOT_PENDING_MESSAGE = "해지 예약 상태의 번호가 아닙니다."
NOT_PENDING_DETAILS = {
    "field": "status",
    "reason": "not_cancel_requested",
    "allowed_values": ["cancel_requested"],
}


# -- helpers -------------------------------------------------------------------------------


def statuses(server: FakeVoxServer) -> list[int | None]:
    """The status of every request the server saw, in the order it answered them."""
    return [r.status for r in server.requests]


def calls(server: FakeVoxServer) -> list[tuple[str, str | None]]:
    """``(method, action)`` of every request the server saw."""
    return [(r.method, r.action) for r in server.requests]


def in_arrival_order(server: FakeVoxServer) -> list[Any]:
    return sorted(server.requests, key=lambda r: r.received_at)


async def settle(server: FakeVoxServer) -> None:
    """Wait until the server handles no request (a slow handler outlives its client)."""
    for _ in range(1000):
        if server.in_flight == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the fake server is still handling a request after 10 s")


def settle_sync(server: FakeVoxServer) -> None:
    for _ in range(1000):
        if server.in_flight == 0:
            return
        time.sleep(0.01)
    raise AssertionError("the fake server is still handling a request after 10 s")


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


def retry_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("retrying ")]


@pytest.fixture
def pending_id(server: FakeVoxServer) -> str:
    """A vox number whose termination is scheduled."""
    return server.seed_pending(1)[0]


@pytest.fixture
def active_id(server: FakeVoxServer) -> str:
    return str(server.add_number(status="active")["id"])


@pytest.fixture
def small_avox(server: FakeVoxServer) -> AsyncVox:
    """A client with a one-connection pool, so that a leaked slot or connection shows.

    Each test opens and closes it with ``async with`` on its own loop.
    """
    return AsyncVox(server.api_key, base_url=server.url, max_connections=1)


# == connection resets ======================================================================


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_reset_before_answer_is_retried(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.reset())
    record = await avox.organization_telephone_numbers.retrieve(active_id)
    assert record.id == active_id
    assert record.status == TelephoneNumberStatus.ACTIVE
    assert statuses(server) == [None, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_reset_before_answer_without_retries_is_a_connection_error(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.reset())
    with pytest.raises(APIConnectionError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=0)
    error = caught.value
    assert type(error) is APIConnectionError
    assert error.method == "GET"
    assert error.url == f"{server.url}/v3/organization-telephone-numbers/{active_id}"
    assert error.request_may_have_been_sent is True
    assert error.message.startswith(f"GET /v3/organization-telephone-numbers/{active_id} failed")
    assert statuses(server) == [None]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_persistent_resets_exhaust_the_default_two_retries(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.reset(), times=10)
    with pytest.raises(APIConnectionError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id)
    assert type(caught.value) is APIConnectionError
    assert statuses(server) == [None, None, None]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_reset_before_answer_on_revoke_cancel_took_no_effect_and_retry_succeeds(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str
) -> None:
    server.inject(Fault.reset(), action="revoke-cancel")
    record = await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert record.status == TelephoneNumberStatus.ACTIVE
    assert record.end_at is None
    assert record.cancel_requested_at is None
    assert calls(server) == [("POST", "revoke-cancel"), ("POST", "revoke-cancel")]
    assert statuses(server) == [None, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_reset_mid_body_is_retried(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.reset_mid_body())
    record = await avox.organization_telephone_numbers.retrieve(active_id)
    assert record.id == active_id
    assert statuses(server) == [None, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_reset_mid_body_without_retries_is_a_connection_error(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.reset_mid_body())
    with pytest.raises(APIConnectionError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=0)
    error = caught.value
    assert type(error) is APIConnectionError
    assert error.method == "GET"
    assert error.request_may_have_been_sent is True
    assert statuses(server) == [None]


# == slow answers and timeouts ==============================================================


def test_timeout_error_is_a_connection_error() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, VoxError)


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_slow_answer_beyond_the_per_call_timeout_is_a_timeout_error(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.slow(0.5))
    with pytest.raises(APIConnectionError) as caught:
        await avox.organization_telephone_numbers.retrieve(
            active_id, timeout=0.1, max_retries=0
        )
    error = caught.value
    assert type(error) is APITimeoutError
    assert error.method == "GET"
    assert error.message == f"GET /v3/organization-telephone-numbers/{active_id} timed out"
    assert error.request_may_have_been_sent is True
    await settle(server)
    # The server did answer, too late for the client.
    assert statuses(server) == [200]
    assert server.requests[0].fault == Fault.slow(0.5)


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_slow_answer_is_retried_after_the_timeout(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.slow(0.5))
    record = await avox.organization_telephone_numbers.retrieve(active_id, timeout=0.1)
    assert record.id == active_id
    await settle(server)
    first, second = in_arrival_order(server)
    assert (first.fault, first.status) == (Fault.slow(0.5), 200)
    assert (second.fault, second.status) == (None, 200)


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_persistently_slow_server_exhausts_retries_with_a_timeout_error(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.slow(0.3), times=3)
    with pytest.raises(APITimeoutError):
        await avox.organization_telephone_numbers.retrieve(active_id, timeout=0.05)
    await settle(server)
    assert statuses(server) == [200, 200, 200]
    assert all(r.fault == Fault.slow(0.3) for r in server.requests)


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_slow_revoke_cancel_times_out_and_the_retry_wins(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str
) -> None:
    """The retry overtakes the slow first attempt, which is then refused (409) too late."""
    server.inject(Fault.slow(0.5), action="revoke-cancel")
    record = await avox.organization_telephone_numbers.revoke_cancel(pending_id, timeout=0.1)
    assert record.status == TelephoneNumberStatus.ACTIVE
    await settle(server)
    first, second = in_arrival_order(server)
    assert (first.method, first.fault, first.status) == ("POST", Fault.slow(0.5), 409)
    assert (second.method, second.fault, second.status) == ("POST", None, 200)
    assert server.number(pending_id)["status"] == "active"


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_per_call_timeout_overrides_the_client_timeout(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    impatient = avox.with_options(timeout=0.1, max_retries=0)
    server.inject(Fault.slow(0.3))
    with pytest.raises(APITimeoutError):
        await impatient.organization_telephone_numbers.retrieve(active_id)
    server.inject(Fault.slow(0.3))
    record = await impatient.organization_telephone_numbers.retrieve(active_id, timeout=5.0)
    assert record.id == active_id
    await settle(server)
    assert statuses(server) == [200, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_explicit_timeout_none_means_no_timeout(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    impatient = avox.with_options(timeout=0.1, max_retries=0)
    server.inject(Fault.slow(0.3))
    record = await impatient.organization_telephone_numbers.retrieve(active_id, timeout=None)
    assert record.id == active_id
    relaxed = impatient.with_options(timeout=None)
    server.inject(Fault.slow(0.3))
    assert (await relaxed.organization_telephone_numbers.retrieve(active_id)).id == active_id
    assert statuses(server) == [200, 200]


@pytest.mark.anyio
async def test_timeout_none_only_when_given(server: FakeVoxServer) -> None:
    async with (
        AsyncVox(server.api_key, base_url=server.url) as default,
        AsyncVox(server.api_key, base_url=server.url, timeout=None) as unlimited,
    ):
        assert default._options.timeout.total == 30.0
        assert default._options.timeout.connect == 5.0
        assert unlimited._options.timeout.total is None
        # Leaving timeout out of with_options keeps the client's; None removes it.
        assert default.with_options(max_retries=1)._options.timeout.total == 30.0
        assert default.with_options(timeout=None)._options.timeout.total is None


# == the overall deadline ===================================================================


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_deadline_bounds_the_total_time_across_attempts() -> None:
    """Each attempt fits the per-attempt timeout; together they overrun the deadline."""
    async with FakeVoxServer(latency=0.3) as slow_server:
        number_id = slow_server.add_number()["id"]
        slow_server.inject(Fault.status(503), times=10)
        async with AsyncVox(
            slow_server.api_key, base_url=slow_server.url, max_retries=10, deadline=0.5,
            timeout=5.0,
        ) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError) as caught:
                await client.organization_telephone_numbers.retrieve(number_id)
            elapsed = time.monotonic() - started
        await settle(slow_server)
        error = caught.value
        assert error.message.startswith(
            f"GET /v3/organization-telephone-numbers/{number_id}: deadline of 0.5s exceeded "
            "after 2 attempt(s)"
        )
        assert isinstance(error.__cause__, APITimeoutError)
        assert elapsed >= 0.49
        # First attempt: 503 after 0.3 s. Second: cut off by the deadline at 0.5 s.
        assert statuses(slow_server) == [503, 503]


@pytest.mark.anyio
async def test_a_retry_after_wait_that_crosses_the_deadline_is_not_slept(
    server: FakeVoxServer, active_id: str
) -> None:
    # No `no_wait` here: the wait (5 s) must be compared with the deadline (1 s) unscaled.
    # It is never slept, so this test takes no real time.
    server.inject(Fault.rate_limited(retry_after="5"))
    async with AsyncVox(server.api_key, base_url=server.url, deadline=1.0) as client:
        with pytest.raises(APITimeoutError) as caught:
            await client.organization_telephone_numbers.retrieve(active_id)
    assert "deadline of 1.0s exceeded after 1 attempt(s)" in caught.value.message
    cause = caught.value.__cause__
    assert isinstance(cause, RateLimitError)
    assert cause.retry_after == 5.0
    assert statuses(server) == [429]


# == 429 and Retry-After ===================================================================


@pytest.mark.parametrize(
    ("fault", "retry_after"),
    [
        pytest.param(Fault.rate_limited(retry_after="2"), 2.0, id="retry-after-seconds"),
        pytest.param(Fault.rate_limited(retry_after="0.5"), 0.5, id="retry-after-fraction"),
        pytest.param(Fault.rate_limited(retry_after_ms=1500), 1.5, id="retry-after-ms"),
        pytest.param(
            Fault.rate_limited(retry_after="30", retry_after_ms=250), 0.25,
            id="retry-after-ms-wins",
        ),
        pytest.param(Fault.rate_limited(), None, id="no-retry-after"),
    ],
)
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_rate_limited_without_retries_raises_rate_limit_error(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, fault: Fault,
    retry_after: float | None,
) -> None:
    server.inject(fault)
    with pytest.raises(RateLimitError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=0)
    error = caught.value
    assert error.status_code == 429
    assert error.code == "RATE_LIMITED"
    assert error.message == RATE_LIMITED_MESSAGE
    assert error.details == {}
    assert error.retry_after == retry_after
    assert statuses(server) == [429]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_rate_limited_with_an_http_date_retry_after(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.rate_limited(retry_after=http_date(30)))
    with pytest.raises(RateLimitError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=0)
    # The date has whole seconds: 30 s from now, minus what the fraction and the trip took.
    retry_after = caught.value.retry_after
    assert retry_after is not None
    assert 28.0 < retry_after <= 30.0
    assert statuses(server) == [429]


# Faults are built when the test runs, so that HTTP dates are relative to that moment.
@pytest.mark.parametrize(
    "make_fault",
    [
        pytest.param(lambda: Fault.rate_limited(retry_after="2"), id="retry-after-seconds"),
        pytest.param(
            lambda: Fault.rate_limited(retry_after=http_date(20)), id="retry-after-date"
        ),
        pytest.param(
            lambda: Fault.rate_limited(retry_after=http_date(-60)), id="retry-after-past"
        ),
        pytest.param(lambda: Fault.rate_limited(retry_after_ms=800), id="retry-after-ms"),
        pytest.param(lambda: Fault.rate_limited(), id="no-retry-after"),
        pytest.param(lambda: Fault.rate_limited(retry_after="soon"), id="retry-after-garbage"),
    ],
)
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_rate_limited_once_is_retried(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str, make_fault: Callable[[], Fault]
) -> None:
    server.inject(make_fault(), action="revoke-cancel")
    record = await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert record.status == TelephoneNumberStatus.ACTIVE
    assert statuses(server) == [429, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_persistent_rate_limit_exhausts_retries(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.rate_limited(retry_after="1"), times=10)
    with pytest.raises(RateLimitError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id)
    assert caught.value.retry_after == 1.0
    assert statuses(server) == [429, 429, 429]


@pytest.mark.parametrize(
    ("make_fault", "low", "high"),
    [
        pytest.param(lambda: Fault.rate_limited(retry_after="120"), 120.0, 120.0, id="seconds"),
        pytest.param(
            lambda: Fault.rate_limited(retry_after=str(MAX_RETRY_AFTER + 0.5)),
            MAX_RETRY_AFTER + 0.5, MAX_RETRY_AFTER + 0.5, id="just-above-cap",
        ),
        pytest.param(
            lambda: Fault.rate_limited(retry_after=http_date(300)), 298.0, 300.0, id="date"
        ),
        pytest.param(lambda: Fault.rate_limited(retry_after_ms=90_000), 90.0, 90.0, id="ms"),
    ],
)
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_retry_after_above_the_cap_is_raised_at_once(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, caplog: pytest.LogCaptureFixture,
    make_fault: Callable[[], Fault], low: float, high: float,
) -> None:
    caplog.set_level(logging.INFO, logger="voxasync")
    server.inject(make_fault(), times=3)
    with pytest.raises(RateLimitError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id)  # max_retries=2
    retry_after = caught.value.retry_after
    assert retry_after is not None
    assert low <= retry_after <= high
    assert retry_after > MAX_RETRY_AFTER
    assert statuses(server) == [429]
    assert retry_records(caplog) == []


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_retry_after_at_the_cap_is_still_waited(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.rate_limited(retry_after=str(int(MAX_RETRY_AFTER))))
    assert (await avox.organization_telephone_numbers.retrieve(active_id)).id == active_id
    assert statuses(server) == [429, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_rate_limited_client_with_a_pacer_pauses_and_retries(
    server: FakeVoxServer, active_id: str
) -> None:
    server.inject(Fault.rate_limited(retry_after="1"))
    async with AsyncVox(server.api_key, base_url=server.url, rate_limit=1000) as client:
        record = await client.organization_telephone_numbers.retrieve(active_id)
    assert record.id == active_id
    assert statuses(server) == [429, 200]


@pytest.mark.anyio
async def test_a_real_retry_after_wait_is_honoured(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The one test that waits for real: retry-after-ms 300 holds the retry back 0.3 s."""
    caplog.set_level(logging.INFO, logger="voxasync")
    server.inject(Fault.rate_limited(retry_after_ms=300), action="revoke-cancel")
    record = await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert record.status == TelephoneNumberStatus.ACTIVE
    first, second = server.requests
    assert (first.status, second.status) == (429, 200)
    assert second.received_at - first.received_at >= 0.3
    (retry,) = retry_records(caplog)
    assert retry.getMessage().endswith(" (attempt 2 of 3) in 0.30s after HTTP 429 RATE_LIMITED")


# == 5xx ===================================================================================


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_5xx_with_an_error_envelope(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, status: int
) -> None:
    server.inject(Fault.status(status, details={"trace_id": "abc"}))
    with pytest.raises(InternalServerError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=0)
    error = caught.value
    assert error.status_code == status
    assert error.code == "INTERNAL_ERROR"
    assert error.message == KOREAN_5XX
    assert error.details == {"trace_id": "abc"}
    assert error.body == {
        "error": {"code": "INTERNAL_ERROR", "message": KOREAN_5XX, "details": {"trace_id": "abc"}}
    }
    assert str(error) == f"HTTP {status} INTERNAL_ERROR: {KOREAN_5XX}"
    assert statuses(server) == [status]


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_5xx_with_an_html_body(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, status: int
) -> None:
    server.inject(Fault.status(status, body="html"))
    with pytest.raises(InternalServerError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=0)
    error = caught.value
    html = f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
    assert error.status_code == status
    assert error.code is None
    assert error.message == f"non-JSON response body: {html}"
    assert error.details == {}
    assert error.body == html
    assert error.headers["Content-Type"] == "text/html"
    assert statuses(server) == [status]


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_5xx_with_an_empty_body(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, status: int
) -> None:
    server.inject(Fault.status(status, body="empty"))
    with pytest.raises(InternalServerError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=0)
    error = caught.value
    assert error.status_code == status
    assert error.code is None
    assert error.message == "empty response body"
    assert error.details == {}
    assert error.body == ""
    assert statuses(server) == [status]


@pytest.mark.parametrize("body", ["envelope", "html", "empty"])
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_5xx_once_is_retried(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, body: Any
) -> None:
    server.inject(Fault.status(503, body=body))
    assert (await avox.organization_telephone_numbers.retrieve(active_id)).id == active_id
    assert statuses(server) == [503, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_persistent_503_exhausts_the_default_max_retries(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.status(503), times=10)
    with pytest.raises(InternalServerError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id)
    assert caught.value.status_code == 503
    assert statuses(server) == [503, 503, 503]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_max_retries_zero_on_the_client_means_one_request(
    server: FakeVoxServer, active_id: str
) -> None:
    server.inject(Fault.status(503), times=10)
    async with AsyncVox(server.api_key, base_url=server.url, max_retries=0) as client:
        with pytest.raises(InternalServerError):
            await client.organization_telephone_numbers.retrieve(active_id)
    assert statuses(server) == [503]


@pytest.mark.parametrize(("max_retries", "requests"), [(0, 1), (1, 2), (4, 5)])
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_per_call_max_retries_override(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, max_retries: int, requests: int
) -> None:
    server.inject(Fault.status(503), times=10)
    with pytest.raises(InternalServerError):
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=max_retries)
    assert statuses(server) == [503] * requests


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_per_call_max_retries_applies_to_revoke_cancel_and_delete(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str, active_id: str
) -> None:
    server.inject(Fault.status(503), times=10)
    with pytest.raises(InternalServerError):
        await avox.organization_telephone_numbers.revoke_cancel(pending_id, max_retries=3)
    with pytest.raises(InternalServerError):
        await avox.organization_telephone_numbers.delete(active_id, max_retries=0)
    assert calls(server) == [("POST", "revoke-cancel")] * 4 + [("DELETE", "")]
    assert statuses(server) == [503] * 5
    # 503 before the operation: nothing changed, so no convergence check either.
    assert server.number(pending_id)["status"] == "cancel_requested"
    assert server.number(active_id)["status"] == "active"


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_list_retries_a_503_per_page(server: FakeVoxServer, avox: AsyncVox) -> None:
    for _ in range(3):
        server.add_number()
    server.inject(Fault.status(503, body="html"), Fault.reset(), method="GET")
    numbers = [n async for n in avox.organization_telephone_numbers.list(limit=2)]
    assert len(numbers) == 3
    assert statuses(server) == [503, None, 200, 200]
    assert [dict(r.query).get("cursor") is None for r in server.requests] == [
        True, True, True, False
    ]


# == with_options ==========================================================================


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_with_options_max_retries_and_timeout_share_the_pool(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    await avox.organization_telephone_numbers.retrieve(active_id)  # opens the session
    derived = avox.with_options(max_retries=0, timeout=0.1)
    assert derived._transport is avox._transport
    connector = avox._transport._session.connector  # type: ignore[union-attr]

    server.inject(Fault.status(503), times=10)
    with pytest.raises(InternalServerError):
        await derived.organization_telephone_numbers.retrieve(active_id)
    assert statuses(server) == [200, 503]
    server.clear_faults()

    server.inject(Fault.slow(0.3))
    with pytest.raises(APITimeoutError):
        await derived.organization_telephone_numbers.retrieve(active_id)
    # The per-call override still wins over the derived client's options.
    server.inject(Fault.status(503), times=10)
    with pytest.raises(InternalServerError):
        await derived.organization_telephone_numbers.retrieve(active_id, max_retries=1)
    await settle(server)
    server.clear_faults()
    assert [r.status for r in in_arrival_order(server)] == [200, 503, 200, 503, 503]

    # The copy does not own the pool: closing it leaves the original working.
    await derived.aclose()
    assert avox._transport._session.connector is connector  # type: ignore[union-attr]
    assert not connector.closed  # type: ignore[union-attr]
    assert (await avox.organization_telephone_numbers.retrieve(active_id)).id == active_id


@pytest.mark.usefixtures("no_wait")
def test_sync_with_options_max_retries_and_timeout_share_the_pool(
    server: FakeVoxServer, vox: Vox, active_id: str
) -> None:
    derived = vox.with_options(max_retries=0, timeout=0.1)
    assert derived._async._transport is vox._async._transport
    assert derived._lifetime.portal is vox._lifetime.portal

    server.inject(Fault.status(503), times=10)
    with pytest.raises(InternalServerError):
        derived.organization_telephone_numbers.retrieve(active_id)
    server.clear_faults()
    server.inject(Fault.slow(0.3))
    with pytest.raises(APITimeoutError):
        derived.organization_telephone_numbers.retrieve(active_id)
    settle_sync(server)
    more_patient = vox.with_options(max_retries=4)
    assert more_patient._async._transport is vox._async._transport
    server.inject(Fault.status(503), times=4)
    assert more_patient.organization_telephone_numbers.retrieve(active_id).id == active_id
    assert statuses(server) == [503, 200, 503, 503, 503, 503, 200]

    derived.close()  # a no-op on a copy
    assert vox.organization_telephone_numbers.retrieve(active_id).id == active_id


# == 4xx ===================================================================================


@pytest.mark.parametrize(
    ("status", "error_class", "code"),
    [
        (400, BadRequestError, "VALIDATION_ERROR"),
        (401, AuthenticationError, "UNAUTHORIZED"),
        (403, PermissionDeniedError, "FORBIDDEN"),
        (404, NotFoundError, "NOT_FOUND"),
        (405, APIStatusError, "INTERNAL_ERROR"),
        (409, ConflictError, "CONFLICT"),
        (410, APIStatusError, "INTERNAL_ERROR"),
        (422, UnprocessableEntityError, "UNPROCESSABLE_ENTITY"),
    ],
)
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_4xx_other_than_408_and_429_is_never_retried(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, status: int,
    error_class: type[APIStatusError], code: str,
) -> None:
    server.inject(
        Fault.status(status, message="거부되었습니다.", details={"field": "x"}), times=10
    )
    with pytest.raises(APIStatusError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id, max_retries=5)
    error = caught.value
    assert type(error) is error_class
    assert (error.status_code, error.code, error.message) == (status, code, "거부되었습니다.")
    assert error.details == {"field": "x"}
    assert statuses(server) == [status]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_408_is_retried(server: FakeVoxServer, avox: AsyncVox, active_id: str) -> None:
    server.inject(Fault.status(408))
    assert (await avox.organization_telephone_numbers.retrieve(active_id)).id == active_id
    assert statuses(server) == [408, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_persistent_408_exhausts_retries(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.status(408, body="empty"), times=10)
    with pytest.raises(APIStatusError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id)
    error = caught.value
    assert type(error) is APIStatusError
    assert (error.status_code, error.code, error.message) == (408, None, "empty response body")
    assert statuses(server) == [408, 408, 408]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_real_404_from_the_server_is_not_retried(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    with pytest.raises(NotFoundError) as caught:
        await avox.organization_telephone_numbers.retrieve("no-such-number")
    error = caught.value
    assert (error.status_code, error.code) == (404, "NOT_FOUND")
    assert error.message == "전화번호를 찾을 수 없습니다."
    assert error.details == {"field": "organization_telephone_number_id"}
    assert statuses(server) == [404]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_wrong_key_is_not_retried(server: FakeVoxServer, active_id: str) -> None:
    async with AsyncVox("vox-wrong-key", base_url=server.url) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.organization_telephone_numbers.revoke_cancel(active_id)
    assert (caught.value.status_code, caught.value.code) == (401, "UNAUTHORIZED")
    assert "vox-wrong-key" not in str(caught.value)
    assert statuses(server) == [401]
    assert server.requests[0].authorized is False


# == 2xx bodies that do not fit ============================================================


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_200_that_is_not_json(server: FakeVoxServer, avox: AsyncVox, pending_id: str) -> None:
    server.inject(Fault.not_json(), times=3)
    with pytest.raises(APIResponseValidationError) as caught:
        await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    error = caught.value
    assert error.status_code == 200
    assert error.body == "<html>OK</html>"
    assert error.message == "the 200 answer is not JSON (text/html): '<html>OK</html>'"
    assert error.errors == []
    assert statuses(server) == [200]
    # This fault answers instead of the operation: nothing changed.
    assert server.number(pending_id)["status"] == "cancel_requested"


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_200_missing_required_fields(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.missing_fields("status", "created_at"), times=3)
    with pytest.raises(APIResponseValidationError) as caught:
        await avox.organization_telephone_numbers.retrieve(active_id)
    error = caught.value
    assert error.status_code == 200
    assert sorted(error.errors) == [
        "required field missing @ $.created_at",
        "required field missing @ $.status",
    ]
    assert error.message.startswith("the 200 answer does not fit OrganizationTelephoneNumber: ")
    assert active_id in error.body
    assert statuses(server) == [200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_200_missing_fields_on_revoke_cancel_is_raised_though_it_took_effect(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str
) -> None:
    server.inject(Fault.missing_fields("id"), action="revoke-cancel")
    with pytest.raises(APIResponseValidationError) as caught:
        await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert caught.value.errors == ["required field missing @ $.id"]
    assert statuses(server) == [200]
    assert server.number(pending_id)["status"] == "active"


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_200_with_unknown_fields_and_enum_values(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str
) -> None:
    server.inject(
        Fault.extra_fields(
            status="suspended", provider="kt", surprise={"new": True}, rank=7,
            inbound_agent={"agent_id": "a-1", "agent_version": "v9", "region": "kr"},
        ),
        action="revoke-cancel",
    )
    record = await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert isinstance(record, OrganizationTelephoneNumber)
    assert record.id == pending_id
    assert record.status == "suspended"
    assert type(record.status) is str
    assert record.provider == "kt"
    assert type(record.provider) is str
    assert record.inbound_agent is not None
    assert (record.inbound_agent.agent_id, record.inbound_agent.agent_version) == ("a-1", "v9")
    assert not hasattr(record, "surprise")
    assert statuses(server) == [200]
    assert server.number(pending_id)["status"] == "active"


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_200_with_known_enum_values_gives_members(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    server.inject(Fault.extra_fields(future_field=None))
    record = await avox.organization_telephone_numbers.retrieve(active_id)
    assert record.status is TelephoneNumberStatus.ACTIVE
    assert record.provider is Provider.VOX
    assert statuses(server) == [200]


@pytest.mark.parametrize("content_type", ["text/plain", "text/html", "application/octet-stream"])
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_200_json_with_a_wrong_content_type_is_accepted(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str, content_type: str
) -> None:
    server.inject(Fault.wrong_content_type(content_type), action="revoke-cancel")
    record = await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert record.id == pending_id
    assert record.status == TelephoneNumberStatus.ACTIVE
    assert statuses(server) == [200]


# == a retried revoke-cancel (and delete) converges =========================================


@pytest.mark.parametrize(
    ("fault", "first_status"),
    [
        pytest.param(Fault.reset(after_effect=True), None, id="reset-after-effect"),
        pytest.param(Fault.reset_mid_body(), None, id="reset-mid-body"),
        pytest.param(Fault.status(503, after_effect=True), 503, id="503-after-effect"),
        pytest.param(
            Fault.status(502, body="html", after_effect=True), 502, id="502-html-after-effect"
        ),
    ],
)
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_retried_revoke_cancel_converges(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str, caplog: pytest.LogCaptureFixture,
    fault: Fault, first_status: int | None,
) -> None:
    caplog.set_level(logging.INFO, logger="voxasync")
    server.inject(fault, action="revoke-cancel")
    record = await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert record.id == pending_id
    assert record.status == TelephoneNumberStatus.ACTIVE
    assert record.end_at is None
    assert record.cancel_requested_at is None
    assert calls(server) == [("POST", "revoke-cancel"), ("POST", "revoke-cancel"), ("GET", "")]
    assert statuses(server) == [first_status, 409, 200]
    assert server.number(pending_id)["status"] == "active"
    assert any("earlier attempt had already taken effect" in r.getMessage()
               for r in caplog.records)


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_refusal_on_the_first_revoke_cancel_attempt_is_raised(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    with pytest.raises(ConflictError) as caught:
        await avox.organization_telephone_numbers.revoke_cancel(active_id)
    error = caught.value
    assert (error.status_code, error.code) == (409, "INVALID_STATUS")
    assert error.message == NOT_PENDING_MESSAGE
    assert error.details == NOT_PENDING_DETAILS
    assert calls(server) == [("POST", "revoke-cancel")]
    assert statuses(server) == [409]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_revoke_cancel_of_a_custom_number_is_refused_once(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number(provider="custom", status="active")["id"]
    with pytest.raises(BadRequestError) as caught:
        await avox.organization_telephone_numbers.revoke_cancel(number_id)
    assert caught.value.code == "VALIDATION_ERROR"
    assert caught.value.details["reason"] == "not_vox_number"
    assert statuses(server) == [400]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_retry_refused_while_the_number_is_still_pending_raises_the_refusal(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str
) -> None:
    """The check finds termination still scheduled: the refusal is the true outcome."""
    server.inject(
        Fault.status(503, after_effect=False),
        Fault.status(409, code="INVALID_STATUS", message=NOT_PENDING_MESSAGE),
        action="revoke-cancel",
    )
    with pytest.raises(ConflictError) as caught:
        await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert caught.value.code == "INVALID_STATUS"
    assert calls(server) == [("POST", "revoke-cancel"), ("POST", "revoke-cancel"), ("GET", "")]
    assert statuses(server) == [503, 409, 200]
    assert server.number(pending_id)["status"] == "cancel_requested"


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_convergence_check_that_fails_raises_the_refusal(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str
) -> None:
    server.inject(Fault.reset(after_effect=True), action="revoke-cancel")
    server.inject(Fault.status(503), method="GET", times=10)
    with pytest.raises(ConflictError) as caught:
        await avox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert caught.value.code == "INVALID_STATUS"
    assert calls(server) == [("POST", "revoke-cancel")] * 2 + [("GET", "")] * 3
    assert statuses(server) == [None, 409, 503, 503, 503]
    assert server.number(pending_id)["status"] == "active"


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_no_convergence_check_without_retries(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str
) -> None:
    server.inject(Fault.reset(after_effect=True), action="revoke-cancel")
    with pytest.raises(APIConnectionError):
        await avox.organization_telephone_numbers.revoke_cancel(pending_id, max_retries=0)
    assert calls(server) == [("POST", "revoke-cancel")]
    assert server.number(pending_id)["status"] == "active"


@pytest.mark.parametrize(
    ("fault", "first_status"),
    [
        pytest.param(Fault.reset(after_effect=True), None, id="reset-after-effect"),
        pytest.param(Fault.reset_mid_body(), None, id="reset-mid-body"),
        pytest.param(Fault.status(503, after_effect=True), 503, id="503-after-effect"),
    ],
)
@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_retried_delete_converges(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, fault: Fault,
    first_status: int | None,
) -> None:
    server.inject(fault, method="DELETE")
    termination = await avox.organization_telephone_numbers.delete(active_id)
    after = server.number(active_id)
    assert after["status"] == "cancel_requested"
    assert termination == TelephoneNumberTermination(
        id=active_id, number=after["number"], provider=Provider.VOX, effective_at=after["end_at"]
    )
    assert calls(server) == [("DELETE", ""), ("DELETE", ""), ("GET", "")]
    assert statuses(server) == [first_status, 409, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_retried_delete_of_a_custom_number_converges(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    """A custom number ends at once (``expired``): that too is the delete taking effect."""
    number_id = server.add_number(provider="custom", status="active")["id"]
    server.inject(Fault.reset(after_effect=True), method="DELETE")
    termination = await avox.organization_telephone_numbers.delete(number_id)
    after = server.number(number_id)
    assert after["status"] == "expired"
    assert termination == TelephoneNumberTermination(
        id=number_id, number=after["number"], provider=Provider.CUSTOM,
        effective_at=after["end_at"],
    )
    assert calls(server) == [("DELETE", ""), ("DELETE", ""), ("GET", "")]
    assert statuses(server) == [None, 409, 200]


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_refusal_on_the_first_delete_attempt_is_raised(
    server: FakeVoxServer, avox: AsyncVox, pending_id: str
) -> None:
    with pytest.raises(ConflictError) as caught:
        await avox.organization_telephone_numbers.delete(pending_id)
    error = caught.value
    assert (error.status_code, error.code) == (409, "INVALID_STATUS")
    assert error.details == {"field": "status", "reason": "cancel_requested"}
    assert calls(server) == [("DELETE", "")]


@pytest.mark.usefixtures("no_wait")
def test_sync_retried_revoke_cancel_converges(
    server: FakeVoxServer, vox: Vox, pending_id: str
) -> None:
    server.inject(Fault.status(503, after_effect=True), action="revoke-cancel")
    record = vox.organization_telephone_numbers.revoke_cancel(pending_id)
    assert record.status == TelephoneNumberStatus.ACTIVE
    assert calls(server) == [("POST", "revoke-cancel"), ("POST", "revoke-cancel"), ("GET", "")]
    assert statuses(server) == [503, 409, 200]


@pytest.mark.usefixtures("no_wait")
def test_sync_refusal_on_the_first_attempt_is_raised(
    server: FakeVoxServer, vox: Vox, active_id: str
) -> None:
    with pytest.raises(ConflictError):
        vox.organization_telephone_numbers.revoke_cancel(active_id)
    assert statuses(server) == [409]


@pytest.mark.usefixtures("no_wait")
def test_sync_persistent_503_and_max_retries(
    server: FakeVoxServer, vox: Vox, active_id: str
) -> None:
    server.inject(Fault.status(503, body="empty"), times=10)
    with pytest.raises(InternalServerError) as caught:
        vox.organization_telephone_numbers.retrieve(active_id)
    assert caught.value.message == "empty response body"
    assert statuses(server) == [503] * 3
    server.clear_requests()
    with pytest.raises(InternalServerError):
        vox.organization_telephone_numbers.retrieve(active_id, max_retries=0)
    assert statuses(server) == [503]


@pytest.mark.usefixtures("no_wait")
def test_sync_retry_after_above_the_cap(server: FakeVoxServer, vox: Vox, active_id: str) -> None:
    server.inject(Fault.rate_limited(retry_after="61"), times=3)
    with pytest.raises(RateLimitError) as caught:
        vox.organization_telephone_numbers.retrieve(active_id)
    assert caught.value.retry_after == 61.0
    assert statuses(server) == [429]


@pytest.mark.usefixtures("no_wait")
def test_sync_timeout(server: FakeVoxServer, vox: Vox, active_id: str) -> None:
    server.inject(Fault.slow(0.3))
    with pytest.raises(APITimeoutError):
        vox.organization_telephone_numbers.retrieve(active_id, timeout=0.05, max_retries=0)
    server.inject(Fault.slow(0.3))
    assert vox.organization_telephone_numbers.retrieve(active_id, timeout=None).id == active_id
    settle_sync(server)
    assert statuses(server) == [200, 200]


# == cancellation ==========================================================================


def _assert_pool_clean(client: AsyncVox) -> None:
    transport = client._transport
    assert transport._session is not None
    connector = transport._session.connector
    assert connector is not None
    assert connector._acquired == set()
    assert transport._slots is not None
    assert not transport._slots.locked()


@pytest.mark.anyio
async def test_asyncio_timeout_around_a_slow_call(
    server: FakeVoxServer, small_avox: AsyncVox, active_id: str
) -> None:
    async with small_avox as client:
        tasks_before = asyncio.all_tasks()
        server.inject(Fault.slow(0.6))
        with pytest.raises(TimeoutError) as caught:
            async with asyncio.timeout(0.1):
                await client.organization_telephone_numbers.retrieve(active_id)
        assert type(caught.value) is TimeoutError
        assert not isinstance(caught.value, VoxError)
        assert asyncio.all_tasks() == tasks_before
        _assert_pool_clean(client)
        # The one slot and the pool are free: the next call goes through.
        assert (await client.organization_telephone_numbers.retrieve(active_id)).id == active_id
        _assert_pool_clean(client)
        await settle(server)
    assert sorted(r.fault is not None for r in server.requests) == [False, True]


@pytest.mark.anyio
async def test_task_cancelled_mid_request(
    server: FakeVoxServer, small_avox: AsyncVox, active_id: str
) -> None:
    async with small_avox as client:
        tasks_before = asyncio.all_tasks()
        server.inject(Fault.slow(0.6))
        task = asyncio.create_task(client.organization_telephone_numbers.retrieve(active_id))
        for _ in range(500):
            if server.in_flight:
                break
            await asyncio.sleep(0.01)
        assert server.in_flight == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()
        assert asyncio.all_tasks() == tasks_before
        _assert_pool_clean(client)
        assert (await client.organization_telephone_numbers.retrieve(active_id)).id == active_id
        await settle(server)
    assert len(server.requests) == 2


@pytest.mark.parametrize("how", ["task.cancel", "asyncio.timeout"])
@pytest.mark.anyio
async def test_cancelled_mid_backoff(
    server: FakeVoxServer, small_avox: AsyncVox, active_id: str,
    caplog: pytest.LogCaptureFixture, how: str,
) -> None:
    """A 503, then a real backoff sleep (0.375..0.5 s) that the cancellation interrupts."""
    caplog.set_level(logging.INFO, logger="voxasync")
    async with small_avox as client:
        tasks_before = asyncio.all_tasks()
        server.inject(Fault.status(503))
        call = client.organization_telephone_numbers.retrieve(active_id)
        if how == "task.cancel":
            task = asyncio.create_task(call)
            # The retry is logged just before the sleep, with no await in between.
            for _ in range(500):
                if retry_records(caplog):
                    break
                await asyncio.sleep(0.005)
            assert len(retry_records(caplog)) == 1
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert task.cancelled()
        else:
            with pytest.raises(TimeoutError) as caught:
                async with asyncio.timeout(0.2):
                    await call
            assert type(caught.value) is TimeoutError
            assert len(retry_records(caplog)) == 1
        assert asyncio.all_tasks() == tasks_before
        _assert_pool_clean(client)
        # The backoff was interrupted: only the first request reached the server.
        assert statuses(server) == [503]
        assert (await client.organization_telephone_numbers.retrieve(active_id)).id == active_id
    assert statuses(server) == [503, 200]


@pytest.mark.anyio
async def test_cancelled_revoke_cancel_batch_leaves_nothing_pending(
    server: FakeVoxServer, small_avox: AsyncVox
) -> None:
    ids = server.seed_pending(4)
    async with small_avox as client:
        tasks_before = asyncio.all_tasks()
        server.inject(Fault.slow(0.6), action="revoke-cancel", times=4)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await client.organization_telephone_numbers.revoke_cancel_many(
                    ids, concurrency=2
                )
        assert asyncio.all_tasks() == tasks_before
        _assert_pool_clean(client)
        await settle(server)
    # One connection: the second worker never got to send.
    assert [(r.number_id, r.status) for r in server.requests] == [(ids[0], 200)]


# == faults per id, in a batch ==============================================================


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_faults_for_one_id_in_a_batch_touch_only_that_id(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = server.seed_pending(4)
    server.inject(Fault.status(503, body="html"), id=ids[1], times=10)
    server.inject(Fault.reset(after_effect=True), id=ids[2])
    server.inject(Fault.rate_limited(retry_after="1"), id=ids[3])
    results = await avox.organization_telephone_numbers.revoke_cancel_many(ids, concurrency=4)

    assert isinstance(results[1], InternalServerError)
    assert results[1].status_code == 503
    for index in (0, 2, 3):
        record = results[index]
        assert isinstance(record, OrganizationTelephoneNumber)
        assert (record.id, record.status) == (ids[index], TelephoneNumberStatus.ACTIVE)

    def seen(number_id: str) -> list[tuple[str, int | None]]:
        return [(r.method, r.status) for r in server.requests if r.number_id == number_id]

    assert seen(ids[0]) == [("POST", 200)]
    assert seen(ids[1]) == [("POST", 503)] * 3
    assert seen(ids[2]) == [("POST", None), ("POST", 409), ("GET", 200)]
    assert seen(ids[3]) == [("POST", 429), ("POST", 200)]
    assert [server.number(i)["status"] for i in ids] == [
        "active", "cancel_requested", "active", "active"
    ]


# == logging ===============================================================================


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_each_retry_is_logged_with_attempt_reason_and_wait(
    server: FakeVoxServer, avox: AsyncVox, active_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voxasync")
    # Not Fault.reset(): on the reused connection, that is resent at once, unlogged as a retry.
    server.inject(Fault.status(503), Fault.malformed("status_line"))
    await avox.organization_telephone_numbers.retrieve(active_id)
    assert statuses(server) == [503, None, 200]
    first, second = retry_records(caplog)
    path = f"/v3/organization-telephone-numbers/{active_id}"
    assert (first.name, first.levelno) == ("voxasync", logging.INFO)
    assert first.getMessage() == (
        f"retrying GET {path} (attempt 2 of 3) in 0.00s after HTTP 503 INTERNAL_ERROR"
    )
    assert (second.name, second.levelno) == ("voxasync", logging.INFO)
    assert second.getMessage().startswith(
        f"retrying GET {path} (attempt 3 of 3) in 0.00s after APIConnectionError: "
        f"GET {path} failed: "
    )


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_logs_never_hold_the_key_and_numbers_only_at_debug(
    server: FakeVoxServer, avox: AsyncVox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pending = server.add_number(status="cancel_requested", number="07011112222")
    active = server.add_number(status="active", number="07033334444")
    numbers = avox.organization_telephone_numbers

    # The server's message quotes the number: INFO logs give status and code only.
    server.inject(
        Fault.status(503, message="07011112222 처리 중 오류", after_effect=True),
        action="revoke-cancel",
    )
    await numbers.revoke_cancel(pending["id"])  # retry, refusal, convergence
    server.inject(Fault.rate_limited(retry_after="1"), Fault.reset_mid_body(), method="GET")
    await numbers.retrieve(active["id"])
    with pytest.raises(ConflictError):
        await numbers.revoke_cancel(active["id"])
    _ = [n async for n in numbers.list(status=["active", "cancel_requested"])]
    async with AsyncVox("vox-wrong-key", base_url=server.url) as wrong:
        with pytest.raises(AuthenticationError):
            await wrong.organization_telephone_numbers.retrieve(active["id"])

    texts = [
        (r.levelno, r.getMessage() + (r.exc_text or "")) for r in caplog.records
    ]
    assert len(retry_records(caplog)) == 3
    for _, text in texts:
        assert server.api_key not in text
        assert "vox-wrong-key" not in text
        # The debug log shows the Authorization header only redacted.
        assert text.count("Bearer") == text.count("Bearer ***")
    for phone in ("07011112222", "07033334444"):
        at_info_or_above = [t for level, t in texts if level >= logging.INFO and phone in t]
        assert at_info_or_above == []
        # The check can fail: at DEBUG the numbers are there, in the bodies.
        assert any(level == logging.DEBUG and phone in t for level, t in texts)
    assert server.api_key not in repr(avox)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "fault",
    [Fault.missing_fields("id"), Fault.extra_fields(surprise=1), Fault.wrong_content_type()],
    ids=["missing_fields", "extra_fields", "wrong_content_type"],
)
async def test_a_transform_fault_leaves_an_error_answer_as_it_is(
    server: FakeVoxServer, avox: AsyncVox, fault: Fault
) -> None:
    active_id = server.add_number(status="active")["id"]
    server.inject(fault)
    with pytest.raises(ConflictError) as caught:
        await avox.organization_telephone_numbers.revoke_cancel(active_id)
    assert caught.value.code == "INVALID_STATUS"
    assert [r.status for r in server.requests] == [409]


def test_number_of_an_unknown_id_says_which(server: FakeVoxServer) -> None:
    with pytest.raises(KeyError, match="nope"):
        server.number("nope")


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
@pytest.mark.parametrize("status_seen", ["scheduled", "suspended"])
async def test_convergence_accepts_only_an_active_number(
    server: FakeVoxServer, avox: AsyncVox, status_seen: str
) -> None:
    (number_id,) = server.seed_pending(1)
    server.inject(Fault.reset(after_effect=True), method="POST")
    server.inject(Fault.extra_fields(status=status_seen), method="GET")
    with pytest.raises(ConflictError):
        await avox.organization_telephone_numbers.revoke_cancel(number_id)
    assert [(r.method, r.status) for r in server.requests] == [
        ("POST", None), ("POST", 409), ("GET", 200)
    ]


@pytest.mark.anyio
async def test_the_deadline_covers_waiting_for_a_connection_slot() -> None:
    with FakeVoxServer(latency=0.3) as slow:
        ids = slow.seed_pending(5)
        async with AsyncVox(
            slow.api_key, base_url=slow.url, max_connections=1, deadline=0.5
        ) as vox:
            results = await asyncio.gather(
                *(vox.organization_telephone_numbers.retrieve(i) for i in ids),
                return_exceptions=True,
            )
            for _ in range(100):  # let the server finish what it was handed
                if slow.in_flight == 0:
                    break
                await asyncio.sleep(0.05)
    assert isinstance(results[0], OrganizationTelephoneNumber)
    # The rest waited in line for the one connection; their deadline ran out there.
    timed_out = [r for r in results if isinstance(r, APITimeoutError)]
    assert len(timed_out) >= 3
    assert all("deadline of 0.5s exceeded" in str(r) for r in timed_out)
    assert len(slow.requests) <= 2
