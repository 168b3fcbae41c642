"""The fault table: every fault ``FakeVoxServer`` can inject, and what the SDK then does.

One table serves twice. ``tests/test_faults.py`` runs each :class:`FaultCase` (set the server
up, make the call, check the outcome and the requests the server saw), and
``docs/fault-table.md`` is rendered from the same rows::

    python tests/fault_cases.py --write    # regenerate docs/fault-table.md
    python tests/fault_cases.py --check    # exit 1 if it is out of date

A :class:`Row` is one line of the doc. Its ``cases`` are what the table's runner executes;
a row whose scenario does not fit the common shape (a batch, a cancellation with real waits,
a check of the client's internals) names instead the test that pins it, in ``pinned_by``.

The classes a case is made of, and the matchers, are in ``tests/fault_table.py``.
"""

# The doc's text uses the multiplication sign and the en dash on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import email.utils
import sys
import time
from collections.abc import Callable
from pathlib import Path

from voxasync import (
    MAX_RETRY_AFTER,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    Provider,
    RateLimitError,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
    UnprocessableEntityError,
)
from voxasync.testing import Fault

from fault_table import (
    DELETE,
    GET,
    POST_RC,
    Above,
    Absent,
    AllOf,
    Between,
    Contains,
    EndsWith,
    FaultCase,
    Fmt,
    Is,
    IsA,
    NotContains,
    Returns,
    Row,
    Section,
    SortedEq,
    StartsWith,
    Step,
    TerminationOf,
    Typed,
    case,
    inject,
    raises,
    returns,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "fault-table.md"
REGENERATE = "python tests/fault_cases.py --write"

KOREAN_5XX = "일시적인 오류가 발생했습니다."
RATE_LIMITED_MESSAGE = "요청이 너무 많습니다."
NOT_PENDING_MESSAGE = "해지 예약 상태의 번호가 아닙니다."
NOT_PENDING_DETAILS = {
    "field": "status",
    "reason": "not_cancel_requested",
    "allowed_values": ["cancel_requested"],
}
ACTIVE = TelephoneNumberStatus.ACTIVE



def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


FAULTS = "tests/test_faults.py::"
BATCH = "tests/test_batch.py::"
HOSTILE = "tests/test_hostile.py::"
STALE = "tests/test_stale_connections.py::"
FORK = "tests/test_fork.py::"


# -- the table ------------------------------------------------------------------------------


def _rate_limited_once(name: str, make: Callable[[], Fault]) -> FaultCase:
    return case(f"429-once-{name}", "revoke_cancel", "pending", returns(status=ACTIVE),
                (429, 200), inject(make, action="revoke-cancel"))


def _rate_limited_no_retry(name: str, fault: Fault, retry_after: float | None) -> FaultCase:
    return case(
        f"429-no-retry-{name}", "retrieve", "active",
        raises(RateLimitError, status_code=429, code="RATE_LIMITED",
               message=RATE_LIMITED_MESSAGE, details={}, retry_after=retry_after),
        (429,), inject(fault), kwargs={"max_retries": 0},
    )


def _above_the_cap(name: str, make: Callable[[], Fault], low: float, high: float) -> FaultCase:
    return case(
        f"429-above-cap-{name}", "retrieve", "active",
        raises(RateLimitError, retry_after=AllOf((Between(low, high), Above(MAX_RETRY_AFTER)))),
        (429,), inject(make, times=3), retry_logs=(),
    )


def _5xx_envelope(status: int) -> FaultCase:
    body = {"error": {"code": "INTERNAL_ERROR", "message": KOREAN_5XX,
                      "details": {"trace_id": "abc"}}}
    return case(
        f"{status}-envelope", "retrieve", "active",
        raises(InternalServerError, status_code=status, code="INTERNAL_ERROR",
               message=KOREAN_5XX, details={"trace_id": "abc"}, body=body,
               **{"str()": f"HTTP {status} INTERNAL_ERROR: {KOREAN_5XX}"}),
        (status,), inject(Fault.status(status, details={"trace_id": "abc"})),
        kwargs={"max_retries": 0},
    )


def _5xx_html(status: int) -> FaultCase:
    html = f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
    return case(
        f"{status}-html", "retrieve", "active",
        raises(InternalServerError, status_code=status, code=None,
               message=f"non-JSON response body: {html}", details={}, body=html,
               **{"headers.Content-Type": "text/html"}),
        (status,), inject(Fault.status(status, body="html")), kwargs={"max_retries": 0},
    )


def _5xx_empty(status: int) -> FaultCase:
    return case(
        f"{status}-empty", "retrieve", "active",
        raises(InternalServerError, status_code=status, code=None,
               message="empty response body", details={}, body=""),
        (status,), inject(Fault.status(status, body="empty")), kwargs={"max_retries": 0},
    )


def _4xx(status: int, error: type[APIStatusError], code: str) -> FaultCase:
    return case(
        f"{status}-not-retried", "retrieve", "active",
        raises(error, status_code=status, code=code, message="거부되었습니다.",
               details={"field": "x"}),
        (status,),
        inject(Fault.status(status, message="거부되었습니다.", details={"field": "x"}), times=10),
        kwargs={"max_retries": 5},
    )


def _converges(name: str, fault: Fault, first_status: int | None) -> FaultCase:
    return case(
        f"revoke-cancel-converges-{name}", "revoke_cancel", "pending",
        returns(id=Fmt("{id}"), status=ACTIVE, end_at=None, cancel_requested_at=None),
        (first_status, 409, 200), inject(fault, action="revoke-cancel"),
        calls=(POST_RC, POST_RC, GET), after={"pending": "active"},
        log_contains="earlier attempt had already taken effect",
    )


def _delete_converges(name: str, fault: Fault, first_status: int | None) -> FaultCase:
    return case(
        f"delete-converges-{name}", "delete", "active",
        returns(TerminationOf(Provider.VOX), type=TelephoneNumberTermination),
        (first_status, 409, 200), inject(fault, method="DELETE"),
        calls=(DELETE, DELETE, GET), after={"active": "cancel_requested"},
    )


def _transform_on_409(name: str, fault: Fault) -> FaultCase:
    return case(f"{name}-on-a-409", "revoke_cancel", "active",
                raises(ConflictError, code="INVALID_STATUS"), (409,), inject(fault))


def _converges_only_to_active(status_seen: str) -> FaultCase:
    return case(
        f"convergence-sees-{status_seen}", "revoke_cancel", "pending", raises(ConflictError),
        (None, 409, 200),
        inject(Fault.reset(after_effect=True), method="POST"),
        inject(Fault.extra_fields(status=status_seen), method="GET"),
        calls=(POST_RC, POST_RC, GET),
    )


SLOW_05 = Fault.slow(0.5)
SLOW_03 = Fault.slow(0.3)
IMPATIENT = {"timeout": 0.1, "max_retries": 0}
RECORD = returns(id=Fmt("{id}"))

SECTIONS: tuple[Section, ...] = (
    Section("Connection faults", (
        Row("`Fault.reset()` once (GET)", "record", "2 [reset, 200]", (
            case("reset-once", "retrieve", "active", returns(id=Fmt("{id}"), status=ACTIVE),
                 (None, 200), inject(Fault.reset())),
        )),
        Row("`Fault.reset()` once, `max_retries=0`",
            '`APIConnectionError` (`method="GET"`, `url`, `request_may_have_been_sent=True`)',
            "1 [reset]", (
                case("reset-once-no-retry", "retrieve", "active",
                     raises(APIConnectionError, method="GET", url=Fmt("{url}"),
                            request_may_have_been_sent=True,
                            message=StartsWith("GET {path} failed")),
                     (None,), inject(Fault.reset()), kwargs={"max_retries": 0}),
            )),
        Row("`Fault.reset()` persistent", "`APIConnectionError`", "3 [reset ×3]", (
            case("reset-persistent", "retrieve", "active", raises(APIConnectionError),
                 (None, None, None), inject(Fault.reset(), times=10)),
        )),
        Row("`Fault.reset()` once on revoke-cancel (no effect)", "record, `active`",
            "2 [reset, 200]", (
                case("reset-once-revoke-cancel", "revoke_cancel", "pending",
                     returns(status=ACTIVE, end_at=None, cancel_requested_at=None),
                     (None, 200), inject(Fault.reset(), action="revoke-cancel"),
                     calls=(POST_RC, POST_RC)),
            )),
        Row("`Fault.reset_mid_body()` once (GET)", "record", "2 [reset, 200]", (
            case("reset-mid-body-once", "retrieve", "active", RECORD, (None, 200),
                 inject(Fault.reset_mid_body())),
        )),
        Row("`Fault.reset_mid_body()`, `max_retries=0`", "`APIConnectionError`", "1 [reset]", (
            case("reset-mid-body-no-retry", "retrieve", "active",
                 raises(APIConnectionError, method="GET", request_may_have_been_sent=True),
                 (None,), inject(Fault.reset_mid_body()), kwargs={"max_retries": 0}),
        )),
    )),
    Section("Slow answers, timeouts, deadline", (
        Row("`Fault.slow(0.5)`, per-call `timeout=0.1`, `max_retries=0`",
            '`APITimeoutError` ("GET … timed out", an `APIConnectionError`)',
            "1 [200, too late]", (
                case("slow-timeout-no-retry", "retrieve", "active",
                     raises(APITimeoutError, method="GET", message=Fmt("GET {path} timed out"),
                            request_may_have_been_sent=True),
                     (200,), inject(SLOW_05), kwargs={"timeout": 0.1, "max_retries": 0},
                     faults=(SLOW_05,)),
            )),
        Row("`Fault.slow(0.5)` once, per-call `timeout=0.1`", "record", "2 [200 late, 200]", (
            case("slow-once-retried", "retrieve", "active", RECORD, (200, 200),
                 inject(SLOW_05), kwargs={"timeout": 0.1}, faults=(SLOW_05, None),
                 order="arrival"),
        )),
        Row("`Fault.slow(0.3)` persistent, `timeout=0.05`", "`APITimeoutError`", "3", (
            case("slow-persistent", "retrieve", "active", raises(APITimeoutError),
                 (200, 200, 200), inject(SLOW_03, times=3), kwargs={"timeout": 0.05},
                 faults=(SLOW_03,) * 3),
        )),
        Row("`Fault.slow(0.5)` on revoke-cancel, `timeout=0.1`",
            "record `active` (the retry wins; the late first attempt is refused)",
            "2 [409 late, 200]", (
                case("slow-revoke-cancel-retry-wins", "revoke_cancel", "pending",
                     returns(status=ACTIVE), (409, 200),
                     inject(SLOW_05, action="revoke-cancel"), kwargs={"timeout": 0.1},
                     calls=(POST_RC, POST_RC), faults=(SLOW_05, None), order="arrival",
                     after={"pending": "active"}),
            )),
        Row("`Fault.slow(0.3)`, client `timeout=0.1` / per-call `timeout=5`",
            "`APITimeoutError` / record", "1 / 1", (
                FaultCase("per-call-timeout-overrides-the-client", (
                    Step("retrieve", "active", raises(APITimeoutError), (200,),
                         inject=(inject(SLOW_03),), options=(IMPATIENT,)),
                    Step("retrieve", "active", RECORD, (200,), kwargs={"timeout": 5.0},
                         inject=(inject(SLOW_03),), options=(IMPATIENT,)),
                )),
            )),
        Row("`Fault.slow(0.3)`, client `timeout=0.1`, per-call `timeout=None` or "
            "`with_options(timeout=None)`", "record (no timeout)", "1 each", (
                FaultCase("timeout-none-means-no-timeout", (
                    Step("retrieve", "active", RECORD, (200,), kwargs={"timeout": None},
                         inject=(inject(SLOW_03),), options=(IMPATIENT,)),
                    Step("retrieve", "active", RECORD, (200,), inject=(inject(SLOW_03),),
                         options=(IMPATIENT, {"timeout": None})),
                )),
            )),
        Row("sync: `Fault.slow(0.3)`, `timeout=0.05` / `timeout=None`",
            "`APITimeoutError` / record", "1 / 1", (
                FaultCase("sync-timeout", (
                    Step("retrieve", "active", raises(APITimeoutError), (200,),
                         kwargs={"timeout": 0.05, "max_retries": 0}, inject=(inject(SLOW_03),)),
                    Step("retrieve", "active", RECORD, (200,), kwargs={"timeout": None},
                         inject=(inject(SLOW_03),)),
                ), sync=True),
            )),
        Row("server latency 0.3 s + persistent 503, `deadline=0.5`, `max_retries=10`",
            '`APITimeoutError` "deadline of 0.5s exceeded after 2 attempt(s)"', "2 [503, 503]", (
                # Each attempt fits the per-attempt timeout; together they overrun the
                # deadline. First attempt: 503 after 0.3 s; the second is cut off at 0.5 s.
                case("deadline-across-attempts", "retrieve", "active",
                     raises(APITimeoutError,
                            message=StartsWith("GET {path}: deadline of 0.5s exceeded "
                                               "after 2 attempt(s)"),
                            __cause__=IsA(APITimeoutError)),
                     (503, 503), inject(Fault.status(503), times=10), min_elapsed=0.49,
                     latency=0.3, client={"max_retries": 10, "deadline": 0.5, "timeout": 5.0}),
            )),
        Row("429 `Retry-After: 5` with `deadline=1`",
            "`APITimeoutError` at once (cause `RateLimitError`, `retry_after=5.0`); not slept",
            "1 [429]", (
                # Not instant: the wait (5 s) is compared with the deadline (1 s) unscaled.
                # It is never slept, so this takes no real time.
                case("retry-after-beyond-the-deadline", "retrieve", "active",
                     raises(APITimeoutError,
                            message=Contains("deadline of 1.0s exceeded after 1 attempt(s)"),
                            __cause__=IsA(RateLimitError),
                            **{"__cause__.retry_after": 5.0}),
                     (429,), inject(Fault.rate_limited(retry_after="5")),
                     client={"deadline": 1.0}, instant=False),
            )),
    )),
    Section("429 and Retry-After", (
        Row('`rate_limited(retry_after="2")`, `max_retries=0`',
            '`RateLimitError` 429 `RATE_LIMITED` "요청이 너무 많습니다." `retry_after=2.0`', "1", (
                _rate_limited_no_retry("seconds", Fault.rate_limited(retry_after="2"), 2.0),
            )),
        Row('`rate_limited(retry_after="0.5")`, `max_retries=0`',
            "`RateLimitError`, `retry_after=0.5`", "1", (
                _rate_limited_no_retry("fraction", Fault.rate_limited(retry_after="0.5"), 0.5),
            )),
        Row("`rate_limited(retry_after_ms=1500)`, `max_retries=0`",
            "`RateLimitError`, `retry_after=1.5`", "1", (
                _rate_limited_no_retry("ms", Fault.rate_limited(retry_after_ms=1500), 1.5),
            )),
        Row("`Retry-After: 30` + `retry-after-ms: 250`, `max_retries=0`",
            "`RateLimitError`, `retry_after=0.25` (ms wins)", "1", (
                _rate_limited_no_retry(
                    "ms-wins", Fault.rate_limited(retry_after="30", retry_after_ms=250), 0.25),
            )),
        Row("`rate_limited()` (no header), `max_retries=0`",
            "`RateLimitError`, `retry_after=None`", "1", (
                _rate_limited_no_retry("no-header", Fault.rate_limited(), None),
            )),
        Row("`Retry-After: <HTTP date +30 s>`, `max_retries=0`",
            "`RateLimitError`, `28 < retry_after <= 30`", "1", (
                # The date has whole seconds: 30 s from now, minus the fraction and the trip.
                case("429-no-retry-date", "retrieve", "active",
                     raises(RateLimitError, retry_after=Between(28.0, 30.0, open_low=True)),
                     (429,), inject(lambda: Fault.rate_limited(retry_after=http_date(30))),
                     kwargs={"max_retries": 0}),
            )),
        Row("429 once: seconds / HTTP date / past date / ms / no header / garbage", "record",
            "2 [429, 200]", (
                _rate_limited_once("seconds", lambda: Fault.rate_limited(retry_after="2")),
                _rate_limited_once(
                    "date", lambda: Fault.rate_limited(retry_after=http_date(20))),
                _rate_limited_once(
                    "past-date", lambda: Fault.rate_limited(retry_after=http_date(-60))),
                _rate_limited_once("ms", lambda: Fault.rate_limited(retry_after_ms=800)),
                _rate_limited_once("no-header", lambda: Fault.rate_limited()),
                _rate_limited_once("garbage", lambda: Fault.rate_limited(retry_after="soon")),
            )),
        Row("429 persistent, `Retry-After: 1`", "`RateLimitError`, `retry_after=1.0`", "3", (
            case("429-persistent", "retrieve", "active",
                 raises(RateLimitError, retry_after=1.0), (429, 429, 429),
                 inject(Fault.rate_limited(retry_after="1"), times=10)),
        )),
        Row("`Retry-After: 120` / `60.5` / HTTP date +300 s / `retry-after-ms: 90000` (above "
            "the 60 s cap)", "`RateLimitError` raised at once, `retry_after` set; no retry logged",
            "1", (
                _above_the_cap("seconds", lambda: Fault.rate_limited(retry_after="120"),
                               120.0, 120.0),
                _above_the_cap(
                    "just-above",
                    lambda: Fault.rate_limited(retry_after=str(MAX_RETRY_AFTER + 0.5)),
                    MAX_RETRY_AFTER + 0.5, MAX_RETRY_AFTER + 0.5),
                _above_the_cap("date", lambda: Fault.rate_limited(retry_after=http_date(300)),
                               298.0, 300.0),
                _above_the_cap("ms", lambda: Fault.rate_limited(retry_after_ms=90_000),
                               90.0, 90.0),
            )),
        Row("`Retry-After: 60` (at the cap)", "record", "2", (
            case("429-at-the-cap", "retrieve", "active", RECORD, (429, 200),
                 inject(Fault.rate_limited(retry_after=str(int(MAX_RETRY_AFTER))))),
        )),
        Row("429 on a client with `rate_limit=` (pacer pauses instead of sleeping)", "record",
            "2", (
                case("429-with-a-pacer", "retrieve", "active", RECORD, (429, 200),
                     inject(Fault.rate_limited(retry_after="1")), client={"rate_limit": 1000}),
            )),
        Row("**real wait**: `retry-after-ms: 300` on revoke-cancel",
            'record; 2nd request ≥ 0.3 s after the 1st; logged "in 0.30s"', "2 [429, 200]", (
                # The one case that waits for real.
                case("429-real-wait", "revoke_cancel", "pending", returns(status=ACTIVE),
                     (429, 200), inject(Fault.rate_limited(retry_after_ms=300),
                                        action="revoke-cancel"),
                     retry_gap=0.3, instant=False,
                     retry_logs=(EndsWith(" (attempt 2 of 3) in 0.30s after HTTP 429 "
                                          "RATE_LIMITED"),)),
            )),
        Row("sync: `Retry-After: 61`", "`RateLimitError`, `retry_after=61.0`", "1", (
            case("sync-429-above-the-cap", "retrieve", "active",
                 raises(RateLimitError, retry_after=61.0), (429,),
                 inject(Fault.rate_limited(retry_after="61"), times=3), sync=True),
        )),
    )),
    Section("5xx", (
        Row("`status(500/502/503/504)` envelope, `max_retries=0`",
            '`InternalServerError` (`status_code`, `code="INTERNAL_ERROR"`, Korean `message`, '
            "`details`, `body`=envelope)", "1",
            tuple(_5xx_envelope(s) for s in (500, 502, 503, 504))),
        Row('`status(502/503/504, body="html")`, `max_retries=0`',
            '`InternalServerError`, `code=None`, `message="non-JSON response body: <html>…"`, '
            "`body`=the HTML", "1", tuple(_5xx_html(s) for s in (502, 503, 504))),
        Row('`status(502/503/504, body="empty")`, `max_retries=0`',
            '`InternalServerError`, `code=None`, `message="empty response body"`, `body=""`',
            "1", tuple(_5xx_empty(s) for s in (502, 503, 504))),
        Row("`status(503)` once (envelope / html / empty)", "record", "2 [503, 200]", tuple(
            case(f"503-once-{body}", "retrieve", "active", RECORD, (503, 200),
                 inject(Fault.status(503, body=body)))
            for body in ("envelope", "html", "empty")
        )),
        Row("`status(503)` persistent, default `max_retries=2`", "`InternalServerError`",
            "3 [503 ×3]", (
                case("503-persistent", "retrieve", "active",
                     raises(InternalServerError, status_code=503), (503, 503, 503),
                     inject(Fault.status(503), times=10)),
            )),
        Row("`status(503)` persistent, client `max_retries=0`", "`InternalServerError`", "1", (
            case("503-client-max-retries-0", "retrieve", "active", raises(InternalServerError),
                 (503,), inject(Fault.status(503), times=10), client={"max_retries": 0}),
        )),
        Row("`status(503)` persistent, per-call `max_retries=0 / 1 / 4`",
            "`InternalServerError`", "1 / 2 / 5", tuple(
                case(f"503-per-call-max-retries-{n}", "retrieve", "active",
                     raises(InternalServerError), (503,) * (n + 1),
                     inject(Fault.status(503), times=10), kwargs={"max_retries": n})
                for n in (0, 1, 4)
            )),
        Row("`status(503)` persistent: `revoke_cancel(max_retries=3)`, `delete(max_retries=0)`",
            "`InternalServerError` each; nothing changed, no GET", "4 + 1", (
                # 503 before the operation: nothing changed, so no convergence check either.
                FaultCase("503-per-call-max-retries-revoke-cancel-and-delete", (
                    Step("revoke_cancel", "pending", raises(InternalServerError), (503,) * 4,
                         kwargs={"max_retries": 3}, calls=(POST_RC,) * 4,
                         inject=(inject(Fault.status(503), times=10),)),
                    Step("delete", "active", raises(InternalServerError), (503,),
                         kwargs={"max_retries": 0}, calls=(DELETE,)),
                ), after={"pending": "cancel_requested", "active": "active"}),
            )),
        Row("list: 503 (html) then reset on page 1", "every number, both pages",
            "4 [503, reset, 200, 200]", pinned_by=(FAULTS + "test_list_retries_a_503_per_page",)),
        Row('sync: `status(503, body="empty")` persistent / with `max_retries=0`',
            '`InternalServerError` "empty response body"', "3 / 1", (
                FaultCase("sync-503-persistent-and-max-retries", (
                    Step("retrieve", "active",
                         raises(InternalServerError, message="empty response body"), (503,) * 3,
                         inject=(inject(Fault.status(503, body="empty"), times=10),)),
                    Step("retrieve", "active", raises(InternalServerError), (503,),
                         kwargs={"max_retries": 0}),
                ), sync=True),
            )),
    )),
    Section("with_options", (
        Row("async `with_options(max_retries=0, timeout=0.1)`: persistent 503 / `slow(0.3)` / "
            "503 with per-call `max_retries=1`",
            "`InternalServerError` / `APITimeoutError` / `InternalServerError`; same "
            "`Transport` object; closing the copy keeps the pool", "1 / 1 / 2",
            pinned_by=(FAULTS + "test_with_options_max_retries_and_timeout_share_the_pool",)),
        Row("sync `with_options(max_retries=0, timeout=0.1)`: persistent 503 / `slow(0.3)`; "
            "`with_options(max_retries=4)`: 4×503",
            "errors / record; same transport and portal", "1 / 1 / 5",
            pinned_by=(FAULTS + "test_sync_with_options_max_retries_and_timeout_share_the_pool",)),
    )),
    Section("4xx", (
        Row("`status(400/401/403/404/405/409/410/422)` persistent, `max_retries=5`",
            "`BadRequestError` / `AuthenticationError` / `PermissionDeniedError` / "
            "`NotFoundError` / `APIStatusError` / `ConflictError` / `APIStatusError` / "
            "`UnprocessableEntityError`, with `code`, `message`, `details`", "1", (
                _4xx(400, BadRequestError, "VALIDATION_ERROR"),
                _4xx(401, AuthenticationError, "UNAUTHORIZED"),
                _4xx(403, PermissionDeniedError, "FORBIDDEN"),
                _4xx(404, NotFoundError, "NOT_FOUND"),
                _4xx(405, APIStatusError, "INTERNAL_ERROR"),
                _4xx(409, ConflictError, "CONFLICT"),
                _4xx(410, APIStatusError, "INTERNAL_ERROR"),
                _4xx(422, UnprocessableEntityError, "UNPROCESSABLE_ENTITY"),
            )),
        Row("`status(408)` once", "record", "2 [408, 200]", (
            case("408-once", "retrieve", "active", RECORD, (408, 200), inject(Fault.status(408))),
        )),
        Row('`status(408, body="empty")` persistent', "`APIStatusError` 408, `code=None`", "3", (
            case("408-persistent", "retrieve", "active",
                 raises(APIStatusError, status_code=408, code=None,
                        message="empty response body"),
                 (408, 408, 408), inject(Fault.status(408, body="empty"), times=10)),
        )),
        Row("real 404 (unknown id)",
            '`NotFoundError` `NOT_FOUND`, `details={"field": "organization_telephone_number_id"}`',
            "1", (
                case("real-404", "retrieve", "missing",
                     raises(NotFoundError, status_code=404, code="NOT_FOUND",
                            message="전화번호를 찾을 수 없습니다.",
                            details={"field": "organization_telephone_number_id"}),
                     (404,)),
            )),
        Row("wrong API key", "`AuthenticationError` 401 `UNAUTHORIZED`, key not in the message",
            "1", (
                case("wrong-key", "revoke_cancel", "active",
                     raises(AuthenticationError, status_code=401, code="UNAUTHORIZED",
                            **{"str()": NotContains("vox-wrong-key")}),
                     (401,), authorized=(False,), api_key="vox-wrong-key"),
            )),
    )),
    Section("2xx bodies that do not fit", (
        Row("`not_json()` on revoke-cancel",
            '`APIResponseValidationError` (200, `body="<html>OK</html>"`); nothing changed', "1", (
                # This fault answers instead of the operation: nothing changed.
                case("200-not-json", "revoke_cancel", "pending",
                     raises(APIResponseValidationError, status_code=200, body="<html>OK</html>",
                            message="the 200 answer is not JSON (text/html): '<html>OK</html>'",
                            errors=[]),
                     (200,), inject(Fault.not_json(), times=3),
                     after={"pending": "cancel_requested"}),
            )),
        Row('`missing_fields("status", "created_at")`',
            '`APIResponseValidationError`, `errors=["required field missing @ $.created_at", '
            '"… @ $.status"]`', "1", (
                case("200-missing-fields", "retrieve", "active",
                     raises(APIResponseValidationError, status_code=200,
                            errors=SortedEq(["required field missing @ $.created_at",
                                             "required field missing @ $.status"]),
                            message=StartsWith("the 200 answer does not fit "
                                               "OrganizationTelephoneNumber: "),
                            body=Contains("{id}")),
                     (200,), inject(Fault.missing_fields("status", "created_at"), times=3)),
            )),
        Row('`missing_fields("id")` on revoke-cancel',
            "`APIResponseValidationError`, though the revoke took effect", "1", (
                case("200-missing-id-on-revoke-cancel", "revoke_cancel", "pending",
                     raises(APIResponseValidationError,
                            errors=["required field missing @ $.id"]),
                     (200,), inject(Fault.missing_fields("id"), action="revoke-cancel"),
                     after={"pending": "active"}),
            )),
        Row('`extra_fields(status="suspended", provider="kt", surprise=…, …)`',
            'record; `status == "suspended"` and `provider == "kt"` kept as plain `str`; '
            "unknown fields kept in `record.extra`", "1", (
                case("200-unknown-fields-and-values", "revoke_cancel", "pending",
                     Returns({"id": Fmt("{id}"), "status": Typed("suspended", str),
                              "provider": Typed("kt", str), "surprise": Absent(),
                              "extra.surprise": {"new": True}, "extra.rank": 7,
                              "inbound_agent.agent_id": "a-1",
                              "inbound_agent.agent_version": "v9"}),
                     (200,),
                     inject(Fault.extra_fields(
                         status="suspended", provider="kt", surprise={"new": True}, rank=7,
                         inbound_agent={"agent_id": "a-1", "agent_version": "v9",
                                        "region": "kr"},
                     ), action="revoke-cancel"),
                     after={"pending": "active"}),
            )),
        Row("`extra_fields(future_field=None)`", "record; known values are enum members", "1", (
            case("200-known-values-are-members", "retrieve", "active",
                 returns(status=Is(ACTIVE), provider=Is(Provider.VOX)), (200,),
                 inject(Fault.extra_fields(future_field=None))),
        )),
        Row('`wrong_content_type("text/plain" / "text/html" / "application/octet-stream")`',
            "record (a JSON body is accepted whatever its content type)", "1", tuple(
                case(f"200-content-type-{content_type.replace('/', '-')}", "revoke_cancel",
                     "pending", returns(id=Fmt("{id}"), status=ACTIVE), (200,),
                     inject(Fault.wrong_content_type(content_type), action="revoke-cancel"))
                for content_type in ("text/plain", "text/html", "application/octet-stream")
            )),
    )),
    Section("A retried revoke-cancel (and delete) converges", (
        Row("revoke-cancel `reset(after_effect=True)`",
            "record `active` (logged: earlier attempt took effect)",
            "3 [POST reset, POST 409, GET 200]", (
                _converges("reset-after-effect", Fault.reset(after_effect=True), None),
            )),
        Row("revoke-cancel `reset_mid_body()`", "record `active`",
            "3 [POST reset, POST 409, GET 200]", (
                _converges("reset-mid-body", Fault.reset_mid_body(), None),
            )),
        Row("revoke-cancel `status(503, after_effect=True)`", "record `active`",
            "3 [POST 503, POST 409, GET 200]", (
                _converges("503-after-effect", Fault.status(503, after_effect=True), 503),
            )),
        Row('revoke-cancel `status(502, body="html", after_effect=True)`', "record `active`",
            "3 [POST 502, POST 409, GET 200]", (
                _converges("502-html-after-effect",
                           Fault.status(502, body="html", after_effect=True), 502),
            )),
        Row("revoke-cancel on an `active` number (refused on the first attempt)",
            "`ConflictError` 409 `INVALID_STATUS`, details `field/reason/allowed_values`; no GET",
            "1", (
                case("revoke-cancel-refused-at-once", "revoke_cancel", "active",
                     raises(ConflictError, status_code=409, code="INVALID_STATUS",
                            message=NOT_PENDING_MESSAGE, details=NOT_PENDING_DETAILS),
                     (409,), calls=(POST_RC,)),
            )),
        Row("revoke-cancel on a `custom` number", "`BadRequestError` `VALIDATION_ERROR`", "1", (
            case("revoke-cancel-custom", "revoke_cancel", "custom",
                 raises(BadRequestError, code="VALIDATION_ERROR",
                        **{"details.reason": "not_vox_number"}),
                 (400,)),
        )),
        Row("503 (no effect), then an injected 409; number still pending",
            "`ConflictError` (the check finds termination still scheduled)",
            "3 [POST 503, POST 409, GET 200]", (
                # The refusal is the true outcome.
                case("retry-refused-while-still-pending", "revoke_cancel", "pending",
                     raises(ConflictError, code="INVALID_STATUS"), (503, 409, 200),
                     inject(Fault.status(503, after_effect=False),
                            Fault.status(409, code="INVALID_STATUS",
                                         message=NOT_PENDING_MESSAGE),
                            action="revoke-cancel"),
                     calls=(POST_RC, POST_RC, GET), after={"pending": "cancel_requested"}),
            )),
        Row("`reset(after_effect=True)`, then the check's GET fails 503 ×3",
            "`ConflictError` (the refusal)", "5 [POST reset, POST 409, GET 503 ×3]", (
                case("convergence-check-fails", "revoke_cancel", "pending",
                     raises(ConflictError, code="INVALID_STATUS"), (None, 409, 503, 503, 503),
                     inject(Fault.reset(after_effect=True), action="revoke-cancel"),
                     inject(Fault.status(503), method="GET", times=10),
                     calls=(POST_RC, POST_RC, GET, GET, GET), after={"pending": "active"}),
            )),
        Row("`reset(after_effect=True)` with `max_retries=0`",
            "`APIConnectionError` (no retry, so no check)", "1", (
                case("no-convergence-check-without-retries", "revoke_cancel", "pending",
                     raises(APIConnectionError), (None,),
                     inject(Fault.reset(after_effect=True), action="revoke-cancel"),
                     kwargs={"max_retries": 0}, calls=(POST_RC,), after={"pending": "active"}),
            )),
        Row("delete `reset(after_effect=True)` / `reset_mid_body()` / "
            "`status(503, after_effect=True)`",
            "`TelephoneNumberTermination` with `effective_at` = the number's `end_at`",
            "3 [DELETE, DELETE 409, GET 200]", (
                _delete_converges("reset-after-effect", Fault.reset(after_effect=True), None),
                _delete_converges("reset-mid-body", Fault.reset_mid_body(), None),
                _delete_converges("503-after-effect", Fault.status(503, after_effect=True), 503),
            )),
        Row("delete of a `custom` number, `reset(after_effect=True)` (it expires at once)",
            '`TelephoneNumberTermination` (`provider="custom"`)',
            "3 [DELETE reset, DELETE 409, GET 200]", (
                # A custom number ends at once (expired): that too is the delete taking effect.
                case("delete-converges-custom", "delete", "custom",
                     returns(TerminationOf(Provider.CUSTOM), type=TelephoneNumberTermination),
                     (None, 409, 200), inject(Fault.reset(after_effect=True), method="DELETE"),
                     calls=(DELETE, DELETE, GET), after={"custom": "expired"}),
            )),
        Row("delete of a number already `cancel_requested` (first attempt)",
            "`ConflictError` `INVALID_STATUS`", "1", (
                case("delete-refused-at-once", "delete", "pending",
                     raises(ConflictError, status_code=409, code="INVALID_STATUS",
                            details={"field": "status", "reason": "cancel_requested"}),
                     (409,), calls=(DELETE,)),
            )),
        Row("sync revoke-cancel `status(503, after_effect=True)` / first-attempt refusal",
            "record `active` / `ConflictError`", "3 / 1", (
                case("sync-revoke-cancel-converges", "revoke_cancel", "pending",
                     returns(status=ACTIVE), (503, 409, 200),
                     inject(Fault.status(503, after_effect=True), action="revoke-cancel"),
                     calls=(POST_RC, POST_RC, GET), sync=True),
                case("sync-revoke-cancel-refused-at-once", "revoke_cancel", "active",
                     raises(ConflictError), (409,), sync=True),
            )),
        Row("batch: per-id faults (503 ×10 on id 2, reset-after-effect on id 3, 429 on id 4)",
            "id 1, 3, 4 records `active`; id 2 `InternalServerError`",
            "id1 1, id2 3, id3 3 (POST, POST 409, GET), id4 2",
            pinned_by=(FAULTS + "test_faults_for_one_id_in_a_batch_touch_only_that_id",)),
    )),
    Section("Cancellation (real waits, no `instant_retries`)", (
        Row("`asyncio.timeout(0.1)` around a call to `slow(0.6)`",
            "builtin `TimeoutError` (not a `VoxError`); no task left; no acquired connection; "
            "pool slot free; next call works", "1 (+1 follow-up)",
            pinned_by=(FAULTS + "test_asyncio_timeout_around_a_slow_call",)),
        Row("`task.cancel()` mid-request (`slow(0.6)`)",
            "`CancelledError`, `task.cancelled()`; same checks", "1 (+1 follow-up)",
            pinned_by=(FAULTS + "test_task_cancelled_mid_request",)),
        Row("`task.cancel()` mid-backoff (503, then the real 0.375–0.5 s backoff)",
            "`CancelledError`; no retry sent; same checks", "1 [503] (+1 follow-up)",
            pinned_by=(FAULTS + "test_cancelled_mid_backoff",)),
        Row("`asyncio.timeout(0.2)` mid-backoff (503, real backoff)",
            "`TimeoutError`; no retry sent; same checks", "1 [503] (+1 follow-up)",
            pinned_by=(FAULTS + "test_cancelled_mid_backoff",)),
        Row("`asyncio.timeout(0.1)` around `revoke_cancel_many` (4 × `slow(0.6)`, pool of 1)",
            "`TimeoutError`; no task left; pool clean", "1",
            pinned_by=(FAULTS + "test_cancelled_revoke_cancel_batch_leaves_nothing_pending",)),
    )),
    Section("Logging", (
        Row("503 then a malformed status line, then success",
            'two INFO records "retrying GET … (attempt 2 of 3) in 0.00s after HTTP 503 '
            'INTERNAL_ERROR" and "(attempt 3 of 3) … after APIConnectionError: …"',
            "3 [503, reset, 200]", (
                # Not Fault.reset(): on the reused connection, that is resent at once, unlogged
                # as a retry (see "Hostile servers and stale connections").
                case("each-retry-is-logged", "retrieve", "active", returns(), (503, None, 200),
                     inject(Fault.status(503), Fault.malformed("status_line")),
                     retry_logs=(
                         Fmt("retrying GET {path} (attempt 2 of 3) in 0.00s after HTTP 503 "
                             "INTERNAL_ERROR"),
                         StartsWith("retrying GET {path} (attempt 3 of 3) in 0.00s after "
                                    "APIConnectionError: GET {path} failed: "),
                     )),
            )),
        Row("mixed run at DEBUG (503 whose message quotes the number, 429, reset mid-body, 409, "
            "list, 401)",
            "the API key never in any record (Authorization shown only as `Bearer ***`); phone "
            "numbers only in DEBUG records", "—",
            pinned_by=(FAULTS + "test_logs_never_hold_the_key_and_numbers_only_at_debug",)),
    )),
    Section("Batches and pacing (`tests/test_batch.py`, `tests/test_faults.py`)", (
        Row("2,000 ids: unknown, active, expired, custom, invalid, transient and persistent "
            "5xx/resets", "each position its own record or exact error class, in input order",
            "per id as above; invalid ids 0",
            pinned_by=(BATCH + "test_2000_ids_with_failures_mixed_in",)),
        Row("a few 429s (`retry-after-ms`) in a batch",
            "the whole batch pauses together; the refused ids retried after the pause",
            "2 for each refused id", pinned_by=(BATCH + "test_a_429_pauses_the_whole_batch",)),
        Row("a storm of 24 429s", "ridden out; every number restored", "1 + 24 extra",
            pinned_by=(BATCH + "test_a_429_storm_is_ridden_out",)),
        Row("429 `Retry-After: 120` on every request, 200 ids, concurrency 8",
            "every id `RateLimitError` (one object each, `retry_after` counting down from 120); "
            "the ids after the first wave refused locally", "at most 8",
            pinned_by=(BATCH + "test_a_429_beyond_the_cap_fails_the_rest_without_sending",)),
        Row("429 `retry-after-ms: 400` on the first id, `max_retries=0`, concurrency 1",
            "that id `RateLimitError`; the batch still pauses 0.4 s, then the other 29 succeed",
            "30", pinned_by=(BATCH + "test_a_429_that_is_not_retried_still_pauses_the_batch",)),
        Row("`missing_fields` / `extra_fields` / `wrong_content_type` on a refused request (409)",
            "`ConflictError` `INVALID_STATUS`: the error answer goes out as it is", "1 [409]", (
                _transform_on_409("missing-fields", Fault.missing_fields("id")),
                _transform_on_409("extra-fields", Fault.extra_fields(surprise=1)),
                _transform_on_409("wrong-content-type", Fault.wrong_content_type()),
            )),
        Row("convergence where the GET shows `scheduled` or an unknown status",
            "`ConflictError`: only an `active` number with no pending termination counts as "
            "restored", "3 [reset, 409, 200]", (
                _converges_only_to_active("scheduled"),
                _converges_only_to_active("suspended"),
            )),
        Row("`deadline=0.5`, one connection, 5 calls gathered, server latency 0.3 s",
            "the first succeeds; the others `APITimeoutError` \"deadline of 0.5s exceeded\" "
            "while waiting for the connection", "at most 2",
            pinned_by=(FAULTS + "test_the_deadline_covers_waiting_for_a_connection_slot",)),
    )),
)

SECTIONS = (*SECTIONS, Section("Hostile servers, stale connections, forks", (
    Row('`Fault.malformed("status_line")` / `("header")` / `("gzip")`, and any raw bytes',
        "`APIConnectionError` whose `__cause__` and `__context__` are `None`: nothing reachable "
        "from it (attributes, pickle, formatted traceback, `logging.exception`) holds the key",
        "1 each with `max_retries=0`",
        pinned_by=(HOSTILE + "test_any_bytes_end_in_a_typed_error_that_holds_no_key",
                   HOSTILE + "test_no_fault_leaves_the_key_reachable")),
    Row("`Fault.hostile_body(kind)` on a 200 (deep JSON, ten thousand `[`, `1e999999`, "
        "invalid UTF-8, a BOM, a huge message)",
        "`APIResponseValidationError`, text under 2,000 characters", "1 [200]",
        pinned_by=(HOSTILE + "test_a_hostile_2xx_body_is_a_validation_error",)),
    Row("`Fault.hostile_body(kind, status=503)` once / `status=502`, `max_retries=0`",
        "record / `InternalServerError`", "2 [503, 200] / 1 [502]",
        pinned_by=(HOSTILE + "test_a_hostile_5xx_body_is_retried",
                   HOSTILE + "test_a_hostile_5xx_body_is_an_internal_server_error")),
    Row("500 with a 50 MB message",
        "`InternalServerError`: `message` and `str(err)` bounded (1,000 characters and an "
        "ellipsis), the whole body kept in `.body`", "1",
        pinned_by=(HOSTILE + "test_a_50_mb_error_message_is_bounded_in_text_and_kept_in_body",)),
    Row("a user's session with `raise_for_status=True`, a `base_url`, default headers, a "
        "timeout, `auto_decompress=False`",
        "our semantics: a 404 is one `NotFoundError`, a refused revoke-cancel is sent once, our "
        "headers and timeouts hold, a gzip answer is decoded", "1 each",
        pinned_by=(HOSTILE + "test_the_users_session_settings_do_not_change_our_semantics",)),
    Row("an API key with a control character or a character no header can hold",
        "`VoxError` at construction, naming the kind of character and its position, never the key",
        "0", pinned_by=(
            HOSTILE + "test_a_key_that_cannot_go_in_a_header_is_refused_without_quoting_it",)),
    Row("429 `Retry-After: 3600` in a 100,000-id batch",
        "a small `RateLimitError` copy per refused id (no traceback, no context; about 450 bytes "
        "each)", "the first wave only",
        pinned_by=(HOSTILE + "test_a_batch_keeps_each_locally_refused_id_small",)),
    Row("`FakeVoxServer(close_connections=True)`: 1,000 concurrent revoke-cancels, also with "
        "`max_retries=0`", "every record; no retry spent or logged", "1,000 + resends",
        pinned_by=(STALE + "test_1000_concurrent_revoke_cancels_all_succeed",
                   STALE + "test_with_no_retries_a_stale_connection_still_succeeds")),
    Row("`Fault.reset()` on a reused connection, `max_retries=0` / twice",
        "record, resent at once on a fresh connection, no backoff / `APIConnectionError`",
        "2 [reset, 200] / 2 [reset, reset]",
        pinned_by=(STALE + "test_a_reset_on_a_reused_connection_is_resent_at_once_once",)),
    Row("`Fault.reset()` on a fresh connection, `max_retries=0`",
        "`APIConnectionError` (no resend)", "1 [reset]",
        pinned_by=(STALE + "test_a_reset_on_a_fresh_connection_is_not_resent",)),
    Row("`Fault.reset(after_effect=True)` on revoke-cancel, reused connection, `max_retries=0`",
        "record `active`: the resend is refused, then the number is fetched",
        "POST [reset], POST [409], GET [200]",
        pinned_by=(STALE + "test_a_resent_revoke_cancel_that_had_taken_effect_converges",)),
    Row("a `Vox` or `AsyncVox` made before `os.fork()`, used in the child (and `multiprocessing` "
        "fork workers)", "works in the child on a loop thread and pool of its own; the parent's "
        "client unaffected; a session passed in is a clear `VoxError` in the child", "—",
        pinned_by=(FORK + "test_a_sync_client_made_before_fork_works_in_the_child_and_the_parent",
                   FORK + "test_multiprocessing_fork_workers_share_a_preloaded_client",
                   FORK + "test_an_async_client_made_before_fork_works_on_the_childs_own_loop",
                   FORK + "test_a_users_session_in_a_child_is_a_clear_error")),
)))

CASES: list[FaultCase] = [c for s in SECTIONS for row in s.rows for c in row.cases]


# -- the doc --------------------------------------------------------------------------------

INTRO = f"""\
# Fault table

<!-- Generated from the table in tests/fault_cases.py, which tests/test_faults.py runs.
     Edit the table, then `{REGENERATE}`: the suite fails while this
     file differs from what the table renders. -->

What the SDK does on each fault `voxasync.testing.FakeVoxServer` can inject, as pinned by
`tests/test_faults.py` (and `tests/test_retry_policy.py` for the policy underneath).
"Attempts" is the number of requests the server saw, with their statuses in brackets
(`reset` = the connection was reset, no status). Defaults: `max_retries=2` (3 attempts),
`MAX_RETRY_AFTER = 60` s. All cases run with backoff zeroed (`instant_retries()`), except
the real Retry-After wait and the cancellation cases.
"""


def render() -> str:
    """``docs/fault-table.md``, as the table has it."""
    parts = [INTRO]
    for section in SECTIONS:
        parts.append(f"\n## {section.title}\n\n| fault | outcome | attempts |\n|---|---|---|\n")
        parts.extend(f"| {r.fault} | {r.outcome} | {r.attempts} |\n" for r in section.rows)
    return "".join(parts)


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        DOC.write_text(render(), encoding="utf-8")
        print(f"wrote {DOC}")
        return 0
    if argv == ["--check"]:
        if DOC.read_text(encoding="utf-8") == render():
            return 0
        print(f"{DOC} is out of date: run `{REGENERATE}`", file=sys.stderr)
        return 1
    print("usage: python tests/fault_cases.py --write | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
