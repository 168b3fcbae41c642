"""Unit tests of ``voxasync._retry`` (what is retried, how long to wait) and ``_pacer``."""

from __future__ import annotations

import asyncio
import email.utils
import itertools

import pytest
from multidict import CIMultiDict

from voxasync import (
    MAX_RETRY_AFTER,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    VoxError,
)
from voxasync._pacer import Pacer
from voxasync._retry import (
    DEFAULT_BACKOFF,
    Backoff,
    is_retryable,
    retry_after_seconds,
    retry_wait,
)
from voxasync.errors import make_status_error
from voxasync.testing import instant_retries

NOW = 1_700_000_000.0  # a whole second, so HTTP dates give exact differences


def headers(**values: str) -> CIMultiDict[str]:
    """Response headers as aiohttp gives them (case-insensitive), from keyword arguments."""
    return CIMultiDict({name.replace("_", "-"): value for name, value in values.items()})


def status_error(status: int, **header_values: str) -> APIStatusError:
    """The error the pipeline builds: the answer's Retry-After read once, into the error."""
    answer_headers = headers(**header_values)
    return make_status_error(
        status, b"", answer_headers, retry_after=retry_after_seconds(answer_headers)
    )


# == retry_after_seconds ===================================================================


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("3", 3.0),
        ("120", 120.0),
        ("1.5", 1.5),
        ("0.25", 0.25),
        (" 7 ", 7.0),
        ("-5", 0.0),
    ],
)
def test_retry_after_in_seconds(value: str, expected: float) -> None:
    assert retry_after_seconds(headers(Retry_After=value)) == expected


def test_retry_after_header_name_is_case_insensitive() -> None:
    assert retry_after_seconds(CIMultiDict({"RETRY-AFTER": "4"})) == 4.0
    assert retry_after_seconds(CIMultiDict({"Retry-After-Ms": "400"})) == 0.4


@pytest.mark.parametrize("seconds_ahead", [1, 42, 3600])
def test_retry_after_http_date_in_the_future(seconds_ahead: int) -> None:
    date = email.utils.formatdate(NOW + seconds_ahead, usegmt=True)
    assert retry_after_seconds(headers(Retry_After=date), now=NOW) == float(seconds_ahead)


@pytest.mark.parametrize("seconds_ago", [1, 3600, 10 * 365 * 86400])
def test_retry_after_http_date_in_the_past_means_no_wait(seconds_ago: int) -> None:
    date = email.utils.formatdate(NOW - seconds_ago, usegmt=True)
    assert retry_after_seconds(headers(Retry_After=date), now=NOW) == 0.0


def test_retry_after_http_date_in_every_form_http_allows() -> None:
    # RFC 9110: IMF-fixdate, the obsolete RFC 850 form and asctime (which is GMT, zone-less).
    for date in (
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ):
        assert retry_after_seconds(headers(Retry_After=date), now=784111777.0 - 10) == 10.0


def test_retry_after_http_date_uses_the_clock_when_now_is_not_given() -> None:
    date = email.utils.formatdate(None, usegmt=True)  # now, whole seconds
    wait = retry_after_seconds(headers(Retry_After=date))
    assert wait is not None
    assert 0.0 <= wait < 1.0


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0.0), ("250", 0.25), ("1500", 1.5), ("2.5", 0.0025)]
)
def test_retry_after_ms(value: str, expected: float) -> None:
    assert retry_after_seconds(headers(retry_after_ms=value)) == expected


def test_retry_after_ms_takes_precedence_over_retry_after() -> None:
    both = headers(retry_after_ms="250", Retry_After="30")
    assert retry_after_seconds(both) == 0.25
    date = email.utils.formatdate(NOW + 30, usegmt=True)
    assert retry_after_seconds(headers(retry_after_ms="100", Retry_After=date), now=NOW) == 0.1


def test_garbage_retry_after_ms_falls_back_to_retry_after() -> None:
    assert retry_after_seconds(headers(retry_after_ms="soon", Retry_After="4")) == 4.0
    assert retry_after_seconds(headers(retry_after_ms="nan", Retry_After="4")) == 4.0


@pytest.mark.parametrize(
    "value",
    ["", " ", "soon", "3s", "1,5", "0x10", "1_0", "nan", "inf", "-inf", "1e400",
     "Someday, 99 Foo 2024 99:99:99 GMT", "Sun, 06 Nov 1994"],
)
def test_garbage_retry_after_means_none(value: str) -> None:
    assert retry_after_seconds(headers(Retry_After=value)) is None
    assert retry_after_seconds(headers(retry_after_ms=value)) is None


def test_no_retry_after_means_none() -> None:
    assert retry_after_seconds(headers()) is None
    assert retry_after_seconds(headers(Content_Type="application/json")) is None


# == Backoff ===============================================================================


def test_backoff_without_jitter_doubles_up_to_the_cap() -> None:
    backoff = Backoff(initial=0.5, maximum=8.0, jitter=0.0)
    assert [backoff.delay(n) for n in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]


def test_backoff_cap_holds_for_huge_retry_numbers() -> None:
    backoff = Backoff(initial=1.0, maximum=3.0, jitter=0.0)
    assert backoff.delay(1000) == 3.0


def test_default_backoff() -> None:
    assert Backoff(initial=0.5, maximum=8.0, jitter=0.25) == DEFAULT_BACKOFF


@pytest.mark.parametrize("jitter", [0.25, 0.5, 1.0])
@pytest.mark.parametrize("retry_number", [0, 1, 2, 3, 4, 10])
def test_backoff_jitter_stays_within_bounds(retry_number: int, jitter: float) -> None:
    backoff = Backoff(initial=0.5, maximum=8.0, jitter=jitter)
    base = min(8.0, 0.5 * 2**retry_number)
    delays = [backoff.delay(retry_number) for _ in range(2000)]
    assert all(base * (1 - jitter) <= d <= base for d in delays)
    # The jitter really varies the wait, across most of its range.
    assert len(set(delays)) > 1000
    assert min(delays) < base * (1 - 0.8 * jitter)
    assert max(delays) > base * (1 - 0.2 * jitter)


def test_backoff_grows_exponentially_on_average() -> None:
    means = [sum(DEFAULT_BACKOFF.delay(n) for _ in range(500)) / 500 for n in range(5)]
    for smaller, larger in itertools.pairwise(means):
        assert larger / smaller == pytest.approx(2.0, rel=0.1)


# == is_retryable ==========================================================================


@pytest.mark.parametrize(
    "error",
    [
        APIConnectionError("refused", request_may_have_been_sent=False),
        APIConnectionError("reset"),
        APITimeoutError("slow"),
    ],
    ids=["refused", "reset", "timeout"],
)
def test_connection_errors_and_timeouts_are_retryable(error: VoxError) -> None:
    assert is_retryable(error) is True


@pytest.mark.parametrize("status", [408, 429, 500, 501, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable(status_error(status)) is True


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 410, 413, 422, 451])
def test_other_4xx_are_never_retried(status: int) -> None:
    assert is_retryable(status_error(status)) is False


def test_other_errors_are_not_retried() -> None:
    assert is_retryable(VoxError("misuse")) is False
    assert is_retryable(APIResponseValidationError("bad", status_code=200, body="")) is False


# == retry_wait ============================================================================


def test_retry_wait_is_none_for_errors_that_are_not_retried() -> None:
    assert retry_wait(status_error(409), 0) is None
    assert retry_wait(status_error(400, Retry_After="1"), 0) is None


def test_retry_wait_follows_retry_after() -> None:
    assert retry_wait(status_error(429, Retry_After="3"), 0) == 3.0
    assert retry_wait(status_error(503, Retry_After="2"), 5) == 2.0
    assert retry_wait(status_error(429, retry_after_ms="1"), 0) == 0.001


def test_retry_wait_at_the_cap_is_waited_and_above_it_is_not() -> None:
    assert retry_wait(status_error(429, Retry_After=str(MAX_RETRY_AFTER)), 0) == MAX_RETRY_AFTER
    assert retry_wait(status_error(429, Retry_After=str(MAX_RETRY_AFTER + 0.001)), 0) is None
    assert retry_wait(status_error(429, retry_after_ms="60001"), 0) is None


def test_retry_wait_without_retry_after_backs_off() -> None:
    backoff = Backoff(initial=1.0, maximum=10.0, jitter=0.0)
    assert retry_wait(status_error(429), 0, backoff) == 1.0
    assert retry_wait(status_error(502), 2, backoff) == 4.0
    assert retry_wait(APIConnectionError("reset"), 3, backoff) == 8.0
    assert retry_wait(APITimeoutError("slow"), 9, backoff) == 10.0
    wait = retry_wait(APIConnectionError("reset"), 0)
    assert wait is not None
    assert 0.375 <= wait <= 0.5


def test_instant_retries_zeroes_every_wait_and_is_restored() -> None:
    with instant_retries():
        assert retry_wait(status_error(429, Retry_After="30"), 0) == 0.0
        assert retry_wait(APIConnectionError("reset"), 3) == 0.0
        # The cap and the retry decision are unchanged.
        assert retry_wait(status_error(429, Retry_After="61"), 0) is None
        assert retry_wait(status_error(404), 0) is None
    assert retry_wait(status_error(429, Retry_After="30"), 0) == 30.0


# == Pacer =================================================================================


@pytest.mark.parametrize("rate_limit", [0, -1, -0.5, float("nan")])
def test_pacer_refuses_a_rate_that_is_not_positive(rate_limit: float) -> None:
    with pytest.raises(ValueError, match="rate_limit must be a positive"):
        Pacer(rate_limit)


def test_pacer_can_be_built_without_a_loop() -> None:
    Pacer(5)
    Pacer()


@pytest.mark.anyio
async def test_pacer_without_a_rate_never_suspends() -> None:
    pacer = Pacer()
    for _ in range(5):
        turn = pacer.wait_turn()
        with pytest.raises(StopIteration):
            turn.send(None)  # finished at once: no sleep, not even a yield to the loop


@pytest.mark.anyio
async def test_pacer_first_start_is_immediate_and_the_next_waits() -> None:
    pacer = Pacer(rate_limit=10)
    turn = pacer.wait_turn()
    with pytest.raises(StopIteration):
        turn.send(None)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await pacer.wait_turn()
    assert loop.time() - began >= 0.1 - 0.002


@pytest.mark.anyio
async def test_pacer_spaces_request_starts() -> None:
    pacer = Pacer(rate_limit=20)  # one start every 0.05 s
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def start() -> None:
        await pacer.wait_turn()
        starts.append(loop.time())

    began = loop.time()
    await asyncio.gather(*(start() for _ in range(5)))
    starts.sort()
    # Start n has the slot n intervals after the first. (Gaps between wake-ups can be
    # shorter when one waiter wakes late, so the bound is on the slot, not on each gap.)
    assert [s - began >= n * 0.05 - 0.002 for n, s in enumerate(starts)] == [True] * 5
    assert starts[-1] - starts[0] >= 4 * 0.05 - 0.01


@pytest.mark.anyio
async def test_pacer_pause_holds_every_start() -> None:
    pacer = Pacer()
    loop = asyncio.get_running_loop()
    pacer.pause(0.2)
    began = loop.time()
    starts: list[float] = []

    async def start() -> None:
        await pacer.wait_turn()
        starts.append(loop.time())

    await asyncio.gather(*(start() for _ in range(3)))
    assert all(s - began >= 0.2 - 0.002 for s in starts)


@pytest.mark.anyio
async def test_pacer_pause_never_shortens_a_longer_pause() -> None:
    pacer = Pacer()
    loop = asyncio.get_running_loop()
    pacer.pause(0.2)
    pacer.pause(0.01)
    began = loop.time()
    await pacer.wait_turn()
    assert loop.time() - began >= 0.2 - 0.002


@pytest.mark.anyio
async def test_pacer_pause_and_spacing_together() -> None:
    pacer = Pacer(rate_limit=20)
    loop = asyncio.get_running_loop()
    began = loop.time()
    pacer.pause(0.1)
    starts: list[float] = []

    async def start() -> None:
        await pacer.wait_turn()
        starts.append(loop.time())

    await asyncio.gather(*(start() for _ in range(3)))
    starts.sort()
    # The pause first, then one slot per interval.
    assert [s - began >= 0.1 + n * 0.05 - 0.002 for n, s in enumerate(starts)] == [True] * 3


@pytest.mark.anyio
async def test_a_pacer_is_clear_to_start_only_until_something_holds_it() -> None:
    child = Pacer(parent=Pacer())
    assert child.clear_to_start()
    assert not Pacer(rate_limit=5).clear_to_start()
    assert not Pacer(parent=Pacer(rate_limit=5)).clear_to_start()
    child.pause(0.01)  # a 429 held it: from then on every start goes through wait_turn
    assert not child.clear_to_start()
    await child.wait_turn()
