"""The fault suite: every fault ``FakeVoxServer`` offers, with its exact outcome and attempts.

Most of it is a table: ``tests/fault_cases.py`` holds one :class:`~fault_table.FaultCase` per
scenario (setup, call, expected outcome, and exactly which requests the server saw), and
:func:`test_fault_case` / :func:`test_sync_fault_case` run them. ``docs/fault-table.md`` is
rendered from the same table, and :func:`test_the_doc_is_rendered_from_the_table` fails when
it is out of date (regenerate with ``python tests/fault_cases.py --write``).

The tests below the runners are the scenarios whose shape does not fit one call: a batch,
paging, a mixed run for the logs, cancellation with real waits, and the checks that a copy
made by ``with_options`` shares the client's pool.

A slow handler keeps running after the client gave up (aiohttp does not cancel it), and the
server records a request only when its handler ends: tests with ``Fault.slow`` call
:func:`settle` before they count requests (the runners always do).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from voxasync import (
    APIConnectionError,
    APITimeoutError,
    AsyncVox,
    AuthenticationError,
    ConflictError,
    InternalServerError,
    OrganizationTelephoneNumber,
    TelephoneNumberStatus,
    Vox,
    VoxError,
)
from voxasync.testing import FakeVoxServer, Fault, RecordedRequest, instant_retries

from fault_cases import CASES, DOC, REGENERATE, SECTIONS, render
from fault_table import Context, FaultCase, Raises, Step, Target, matches, resolve
from helpers import REPO

pytestmark = pytest.mark.timeout(30)


# -- helpers -------------------------------------------------------------------------------


def statuses(server: FakeVoxServer) -> list[int | None]:
    """The status of every request the server saw, in the order it answered them."""
    return [r.status for r in server.requests]


def in_arrival_order(requests: Sequence[RecordedRequest]) -> list[RecordedRequest]:
    return sorted(requests, key=lambda r: r.received_at)


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


# == the table's runners ====================================================================


def seed(server: FakeVoxServer, target: Target) -> str:
    if target == "pending":
        return server.seed_pending(1)[0]
    if target == "active":
        return str(server.add_number(status="active")["id"])
    if target == "custom":
        return str(server.add_number(provider="custom", status="active")["id"])
    return "no-such-number"


@contextlib.contextmanager
def case_server(case: FaultCase) -> Iterator[tuple[FakeVoxServer, dict[Target, str]]]:
    """The case's own server, its numbers seeded, within ``instant_retries()`` if asked."""
    retries = instant_retries() if case.instant else contextlib.nullcontext()
    with FakeVoxServer(latency=case.latency) as server, retries:
        yield server, {target: seed(server, target) for target in case.targets}


def start_step(server: FakeVoxServer, step: Step) -> int:
    """Queue the step's faults; return how many requests the server saw before it."""
    for rule in step.inject:
        server.inject(*rule.build(), method=rule.method, action=rule.action, times=rule.times)
    return len(server.requests)


def check_step(
    step: Step, ctx: Context, result: Any, error: BaseException | None, elapsed: float,
    requests: Sequence[RecordedRequest],
) -> None:
    """The step's outcome, then exactly the requests the server saw for it."""
    expect = step.expect
    if isinstance(expect, Raises):
        if error is None:
            pytest.fail(f"expected {expect.type.__name__}, got {result!r}")
        if type(error) is not expect.type:
            raise AssertionError(f"expected exactly {expect.type.__name__}") from error
        outcome: Any = error
    else:
        if error is not None:
            raise AssertionError(f"expected a {expect.type.__name__}") from error
        assert type(result) is expect.type, result
        if expect.equals is not None:
            assert matches(expect.equals, result, ctx), (result, expect.equals)
        outcome = result
    for path, expected in expect.attrs.items():
        actual = resolve(outcome, path)
        assert matches(expected, actual, ctx), f"{path}: {actual!r} does not match {expected!r}"
    if step.min_elapsed is not None:
        assert elapsed >= step.min_elapsed

    seen = list(requests) if step.order == "answered" else in_arrival_order(requests)
    assert [r.status for r in seen] == list(step.statuses)
    if step.calls is not None:
        assert [(r.method, r.action) for r in seen] == list(step.calls)
    if step.faults is not None:
        assert [r.fault for r in seen] == list(step.faults)
    if step.authorized is not None:
        assert [r.authorized for r in seen] == list(step.authorized)
    if step.retry_gap is not None:
        first, second = seen[:2]
        assert second.received_at - first.received_at >= step.retry_gap


def check_case(
    case: FaultCase, server: FakeVoxServer, ids: dict[Target, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What holds once every step ran: the numbers on the server, and the logs."""
    for target, status in case.after.items():
        assert server.number(ids[target])["status"] == status, target
    ctx = step_context(server, ids, case.steps[0])
    if case.retry_logs is not None:
        retries = retry_records(caplog)
        assert len(retries) == len(case.retry_logs), [r.getMessage() for r in retries]
        for record, expected in zip(retries, case.retry_logs, strict=True):
            assert (record.name, record.levelno) == ("voxasync", logging.INFO)
            assert matches(expected, record.getMessage(), ctx), record.getMessage()
    if case.log_contains is not None:
        assert any(case.log_contains in r.getMessage() for r in caplog.records)


def step_context(server: FakeVoxServer, ids: dict[Target, str], step: Step) -> Context:
    return Context(id=ids[step.target], server_url=server.url, number=server.number)


def params(*, sync: bool) -> list[Any]:
    return [pytest.param(c, id=c.id) for c in CASES if c.sync is sync]


@pytest.mark.anyio
@pytest.mark.parametrize("case", params(sync=False))
async def test_fault_case(case: FaultCase, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="voxasync")
    with case_server(case) as (server, ids):
        async with AsyncVox(
            case.api_key or server.api_key, base_url=server.url, **case.client
        ) as client:
            for step in case.steps:
                ctx = step_context(server, ids, step)
                before = start_step(server, step)
                api = client
                for options in step.options:
                    api = api.with_options(**options)
                call = getattr(api.organization_telephone_numbers, step.call)
                result: Any = None
                error: BaseException | None = None
                started = time.monotonic()
                try:
                    result = await call(ctx.id, **step.kwargs)
                except Exception as caught:
                    error = caught
                elapsed = time.monotonic() - started
                await settle(server)
                check_step(step, ctx, result, error, elapsed, server.requests[before:])
        check_case(case, server, ids, caplog)


@pytest.mark.parametrize("case", params(sync=True))
def test_sync_fault_case(case: FaultCase, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="voxasync")
    with (
        case_server(case) as (server, ids),
        Vox(case.api_key or server.api_key, base_url=server.url, **case.client) as client,
    ):
        for step in case.steps:
            ctx = step_context(server, ids, step)
            before = start_step(server, step)
            api = client
            for options in step.options:
                api = api.with_options(**options)
            call = getattr(api.organization_telephone_numbers, step.call)
            result: Any = None
            error: BaseException | None = None
            started = time.monotonic()
            try:
                result = call(ctx.id, **step.kwargs)
            except Exception as caught:
                error = caught
            elapsed = time.monotonic() - started
            settle_sync(server)
            check_step(step, ctx, result, error, elapsed, server.requests[before:])
        check_case(case, server, ids, caplog)


# -- the table itself ----------------------------------------------------------------------


def test_the_doc_is_rendered_from_the_table() -> None:
    committed = DOC.read_text(encoding="utf-8")
    assert committed == render(), (
        f"{DOC.relative_to(REPO)} differs from the table in tests/fault_cases.py: "
        f"run `{REGENERATE}` and commit the result"
    )


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_every_row_is_pinned_by_a_case_or_a_test_that_exists() -> None:
    for section in SECTIONS:
        for row in section.rows:
            assert row.cases or row.pinned_by, row.fault
            for pin in row.pinned_by:
                path, name = pin.split("::")
                source = (REPO / path).read_text(encoding="utf-8")
                assert re.search(rf"^(async )?def {name}\(", source, re.M), pin


def test_every_case_sets_up_its_numbers_and_checks_every_step() -> None:
    for case in CASES:
        assert case.steps, case.id
        assert set(case.after) <= set(case.targets), case.id


# == what does not fit the table ============================================================


def test_timeout_error_is_a_connection_error() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, VoxError)


def test_number_of_an_unknown_id_says_which(server: FakeVoxServer) -> None:
    with pytest.raises(KeyError, match="nope"):
        server.number("nope")


# -- paging, batches, a mixed run -------------------------------------------------------


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


# -- cancellation (real waits) ----------------------------------------------------------


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


# -- what a client runs with, and the pool its copies share -------------------------------
#
# aiohttp has no public view of a connector's handed-out connections, so the pool check
# below reads the connector's ``_acquired`` set (a dependency's private attribute, read
# only because no public way exists). Everything else here is public behaviour.


def _assert_pool_clean(client: AsyncVox) -> None:
    session = client.session
    assert session is not None
    connector = session.connector
    assert connector is not None
    assert connector._acquired == set()  # aiohttp's; no public equivalent
    assert client.requests_in_flight == 0


@pytest.mark.anyio
async def test_timeout_none_only_when_given(server: FakeVoxServer) -> None:
    async with (
        AsyncVox(server.api_key, base_url=server.url) as default,
        AsyncVox(server.api_key, base_url=server.url, timeout=None) as unlimited,
    ):
        assert default.timeout.total == 30.0
        assert default.timeout.connect == 5.0
        assert unlimited.timeout.total is None
        # Leaving timeout out of with_options keeps the client's; None removes it.
        assert default.with_options(max_retries=1).timeout.total == 30.0
        assert default.with_options(timeout=None).timeout.total is None


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_with_options_max_retries_and_timeout_share_the_pool(
    server: FakeVoxServer, avox: AsyncVox, active_id: str
) -> None:
    await avox.organization_telephone_numbers.retrieve(active_id)  # opens the session
    derived = avox.with_options(max_retries=0, timeout=0.1)
    assert (derived.max_retries, derived.timeout.total) == (0, 0.1)

    server.inject(Fault.status(503), times=10)
    with pytest.raises(InternalServerError):
        await derived.organization_telephone_numbers.retrieve(active_id)
    assert statuses(server) == [200, 503]
    # The copy's request went out on the connection the original opened: one pool.
    first, second = in_arrival_order(server.requests)
    assert first.peer and first.peer == second.peer
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
    assert [r.status for r in in_arrival_order(server.requests)] == [200, 503, 200, 503, 503]

    # The copy does not own the pool: closing it leaves the original working.
    await derived.aclose()
    assert not avox.is_closed and not derived.is_closed
    assert (await avox.organization_telephone_numbers.retrieve(active_id)).id == active_id
    await avox.aclose()
    assert derived.is_closed  # closing the original closes the pool they share


@pytest.mark.usefixtures("no_wait")
def test_sync_with_options_max_retries_and_timeout_share_the_pool(
    server: FakeVoxServer, vox: Vox, active_id: str
) -> None:
    vox.organization_telephone_numbers.retrieve(active_id)  # opens the session
    derived = vox.with_options(max_retries=0, timeout=0.1)
    assert (derived.max_retries, derived.timeout.total) == (0, 0.1)

    server.inject(Fault.status(503), times=10)
    with pytest.raises(InternalServerError):
        derived.organization_telephone_numbers.retrieve(active_id)
    first, second = in_arrival_order(server.requests)
    assert first.peer and first.peer == second.peer  # one pool (and so one loop thread)
    server.clear_faults()
    server.inject(Fault.slow(0.3))
    with pytest.raises(APITimeoutError):
        derived.organization_telephone_numbers.retrieve(active_id)
    settle_sync(server)
    more_patient = vox.with_options(max_retries=4)
    server.inject(Fault.status(503), times=4)
    assert more_patient.organization_telephone_numbers.retrieve(active_id).id == active_id
    assert statuses(server) == [200, 503, 200, 503, 503, 503, 503, 200]

    derived.close()  # a no-op on a copy
    assert vox.organization_telephone_numbers.retrieve(active_id).id == active_id
    vox.close()
    assert derived.is_closed and more_patient.is_closed
