"""Attempt timeouts kept by the transport's own timer (``_timeouts``), not aiohttp's ``total``.

The first half drives :class:`~voxasync._timeouts.AttemptTimer` directly, on the running loop,
with real tasks whose "attempt" is an ``asyncio.sleep``. The second half goes through
:class:`~voxasync.AsyncVox` against a real :class:`~voxasync.testing.FakeVoxServer` on
loopback. ``timer._groups`` (private) is read only to check that a length with nothing in
flight is forgotten.

A slow handler keeps running after the client gave up, and the server records a request only
when its handler ends: tests with ``Fault.slow`` wait for :func:`idle` before they leave.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import pytest

from voxasync import APITimeoutError, AsyncVox, OrganizationTelephoneNumber
from voxasync._options import CallOptions
from voxasync._timeouts import KEPT_LENGTHS, AttemptTimer, Limit, timed_out
from voxasync.testing import FakeVoxServer, Fault, instant_retries

pytestmark = pytest.mark.timeout(30)

LATE = 0.05
"""How long after its deadline an expired attempt may take to end (loop scheduling)."""


# -- helpers --------------------------------------------------------------------------------


@dataclass
class Run:
    """What one attempt saw: how it ended, when, and the state of its task then."""

    name: str
    limit: Limit | None = None
    outcome: str = "running"  # "done", "timed out" or "cancelled"
    expired: bool = False  # limit.expired when the CancelledError came
    cancelling: int = -1  # the task's cancelling() once the outcome was decided
    ended_at: float = 0.0


async def attempt(timer: AttemptTimer, run: Run, seconds: float, work: float) -> None:
    """An attempt bounded to ``seconds`` that takes ``work`` seconds, handled the way
    ``Transport.send`` handles its own: ``timed_out`` decides, once, what a cancel was."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    limit = run.limit = timer.start(seconds)
    try:
        await asyncio.sleep(work)
        run.outcome = "done"
    except asyncio.CancelledError:
        run.expired = limit.expired
        if not timed_out(limit):
            run.outcome = "cancelled"
            run.cancelling = task.cancelling()
            raise
        run.outcome = "timed out"
    finally:
        limit.finish()
        run.ended_at = loop.time()
    run.cancelling = task.cancelling()
    await asyncio.sleep(0)  # a timeout taken back leaves the task free to go on


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"still not {what} after 5 s")


async def idle(server: FakeVoxServer) -> None:
    """Wait until the server's slow handlers, which outlive their clients, are done."""
    await until(lambda: server.in_flight == 0, "idle")


def assert_task_free() -> None:
    """The current task holds no cancellation: a timeout was taken back, not left pending."""
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


# == AttemptTimer on a real loop ============================================================


@pytest.mark.anyio
async def test_attempts_of_one_length_expire_at_their_own_deadlines_in_start_order() -> None:
    """One timer serves every attempt of a length: it must re-arm for the oldest left, so
    each is cut at its own deadline, not at the first one's, and never one that finished."""
    loop = asyncio.get_running_loop()
    timer = AttemptTimer(loop)
    # (name, work, pause before the next start): b ends well within its 0.1 s; d starts
    # before a expires, 70 ms after c, so a timer re-armed for any but the oldest shows.
    plan = [("a", 1.0, 0.01), ("b", 0.03, 0.01), ("c", 1.0, 0.07), ("d", 1.0, 0.0)]
    runs = {name: Run(name) for name, _, _ in plan}
    tasks = []
    for name, work, pause in plan:
        tasks.append(asyncio.create_task(attempt(timer, runs[name], 0.1, work)))
        await asyncio.sleep(pause)
    await asyncio.gather(*tasks)

    assert runs["b"].outcome == "done"
    assert runs["b"].limit is not None and runs["b"].limit.expired is False
    expired = [runs[name] for name in "acd"]
    for run in expired:
        assert run.limit is not None
        assert (run.outcome, run.expired, run.limit.expired) == ("timed out", True, True)
        assert run.cancelling == 0  # the cancellation was taken back
        assert run.limit.deadline <= run.ended_at < run.limit.deadline + LATE
    ended = sorted(runs.values(), key=lambda r: r.ended_at)
    assert [r.name for r in ended] == ["b", "a", "c", "d"]
    c, d = runs["c"], runs["d"]
    assert d.limit is not None
    assert c.ended_at < d.limit.deadline  # c was cut at its own deadline, not d's
    assert timer._groups == {}  # the last expiry left nothing in flight: length forgotten


@pytest.mark.anyio
async def test_a_length_is_forgotten_once_its_timer_fires_with_nothing_in_flight() -> None:
    """A finished attempt leaves its timer armed (a delete is all ``finish`` costs); when it
    fires on an empty group the length is dropped, and a later attempt re-creates it."""
    loop = asyncio.get_running_loop()
    timer = AttemptTimer(loop)
    quick = Run("quick")
    await asyncio.create_task(attempt(timer, quick, 0.05, 0.005))
    assert quick.outcome == "done"
    group = timer._groups[0.05]
    assert group.limits == {} and group.timer is not None
    await asyncio.sleep(0.06)
    assert timer._groups == {}
    assert group.timer is None

    later = Run("later")
    await asyncio.create_task(attempt(timer, later, 0.05, 1.0))
    assert later.outcome == "timed out"  # a fresh group, with a timer of its own
    assert timer._groups == {}


@pytest.mark.anyio
async def test_two_lengths_are_bounded_independently() -> None:
    """A short attempt started after a long one must not wait behind it: each length keeps
    its own oldest-first order and its own timer."""
    loop = asyncio.get_running_loop()
    timer = AttemptTimer(loop)
    long, short = Run("long"), Run("short")
    long_task = asyncio.create_task(attempt(timer, long, 0.15, 1.0))
    await asyncio.sleep(0.01)
    short_task = asyncio.create_task(attempt(timer, short, 0.05, 1.0))
    await asyncio.sleep(0.001)
    assert set(timer._groups) == {0.05, 0.15}
    await asyncio.gather(long_task, short_task)

    assert long.limit is not None and short.limit is not None
    assert (short.outcome, long.outcome) == ("timed out", "timed out")
    assert short.limit.deadline <= short.ended_at < short.limit.deadline + LATE
    assert short.ended_at < long.limit.deadline
    assert long.limit.deadline <= long.ended_at < long.limit.deadline + LATE
    assert timer._groups == {}


@pytest.mark.anyio
async def test_lengths_past_the_kept_ones_leave_no_timer_behind() -> None:
    """A caller passing a different timeout to every call: past ``KEPT_LENGTHS`` lengths, a
    length's timer is cancelled and the length forgotten as its last attempt ends, so the
    loop's heap does not fill with one live timer per call."""
    timer = AttemptTimer(asyncio.get_running_loop())
    lengths = [30.0 + i / 1000 for i in range(KEPT_LENGTHS + 20)]
    past: list[object] = []
    for seconds in lengths:
        run = Run(str(seconds))
        await attempt(timer, run, seconds, 0.0)
        assert run.outcome == "done"
        assert run.limit is not None
        if run.limit.group.transient is not None:
            assert run.limit.group.timer is None  # cancelled as the attempt ended
            past.append(run.limit.group)
    assert sorted(timer._groups) == lengths[:KEPT_LENGTHS]  # the kept ones, timers armed
    assert all(group.timer is not None for group in timer._groups.values())
    assert len(past) == 20


@pytest.mark.anyio
async def test_a_length_past_the_kept_ones_still_bounds_its_attempts() -> None:
    timer = AttemptTimer(asyncio.get_running_loop())
    for i in range(KEPT_LENGTHS):
        await attempt(timer, Run(str(i)), 30.0 + i, 0.0)
    run = Run("past")
    await attempt(timer, run, 0.05, 0.5)
    assert run.outcome == "timed out"
    assert run.limit is not None and run.limit.group.transient is not None
    assert 0.05 not in timer._groups


@pytest.mark.anyio
async def test_a_task_that_refuses_cancel_does_not_stop_the_others_expiring() -> None:
    """One attempt's task raising in ``cancel`` is reported to the loop's exception handler;
    the attempts due with it still expire, and later ones are still bounded."""
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    timer = AttemptTimer(loop)

    class Stubborn(asyncio.Task):  # type: ignore[type-arg]
        def cancel(self, msg: object = None) -> bool:
            raise RuntimeError("will not be cancelled")

    stubborn, other = Run("stubborn"), Run("other")
    try:
        held = Stubborn(attempt(timer, stubborn, 0.05, 0.2), loop=loop)
        await asyncio.sleep(0)
        await attempt(timer, other, 0.05, 0.5)
        await held
        later = Run("later")
        await attempt(timer, later, 0.05, 0.5)
    finally:
        loop.set_exception_handler(previous)
    assert other.outcome == "timed out"
    assert later.outcome == "timed out"
    assert stubborn.outcome == "done"  # it could not be cancelled, and ran to its end
    assert [type(context["exception"]) for context in reported] == [RuntimeError]


@pytest.mark.anyio
async def test_a_deadline_within_a_millisecond_counts_as_passed() -> None:
    """A timer that fires a moment early (uvloop rounds to the millisecond) expires what is
    due within a millisecond, instead of arming itself again for the same instant."""
    timer = AttemptTimer(asyncio.get_running_loop())
    run = Run("a")
    task = asyncio.create_task(attempt(timer, run, 0.0009, 0.5))
    await asyncio.sleep(0)
    assert run.limit is not None
    assert run.limit.deadline > asyncio.get_running_loop().time()  # not yet passed
    timer._fire(run.limit.group)  # as if fired early: now < deadline < now + 1 ms
    assert run.limit.expired  # at once, not at a timer armed again for the same instant
    await task
    assert run.outcome == "timed out"


@pytest.mark.anyio
async def test_a_cancellation_absorbed_before_the_attempt_is_not_someone_elses() -> None:
    """``timed_out`` compares with the cancellations asked for before the attempt began: one
    the task swallowed earlier must not turn its own timeout into an outside cancel."""
    loop = asyncio.get_running_loop()
    timer = AttemptTimer(loop)
    run = Run("a")

    async def absorb_then_attempt() -> None:
        try:
            await asyncio.sleep(1.0)
        except asyncio.CancelledError:
            pass  # swallowed without uncancel(): cancelling() stays 1
        await attempt(timer, run, 0.05, 1.0)

    task = asyncio.create_task(absorb_then_attempt())
    await asyncio.sleep(0)
    task.cancel()
    await task
    assert (run.outcome, run.expired, run.cancelling) == ("timed out", True, 1)


# == external cancellation wins =============================================================


@pytest.mark.anyio
async def test_an_outside_cancel_of_a_live_attempt_is_not_a_timeout() -> None:
    loop = asyncio.get_running_loop()
    timer = AttemptTimer(loop)
    run = Run("a")
    task = asyncio.create_task(attempt(timer, run, 0.2, 1.0))
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert run.limit is not None
    assert (run.outcome, run.expired, run.limit.expired) == ("cancelled", False, False)
    assert run.cancelling == 1  # nothing taken back
    assert run.limit not in run.limit.group.limits


@pytest.mark.anyio
async def test_an_outside_cancel_in_the_same_iteration_as_the_expiry_wins() -> None:
    """The timer and someone else both cancel the task before it runs again: the task sees
    one CancelledError, and ``timed_out`` must let it propagate (only ours is taken back)."""
    loop = asyncio.get_running_loop()
    timer = AttemptTimer(loop)
    run = Run("a")
    task = asyncio.create_task(attempt(timer, run, 0.05, 1.0))
    await asyncio.sleep(0)
    assert run.limit is not None
    # Due at the very same loop time as the timer: both run in one iteration, before the
    # task's wake-up (scheduled by the first cancel) can.
    loop.call_at(run.limit.deadline, task.cancel)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert (run.outcome, run.expired, run.limit.expired) == ("cancelled", True, True)
    assert run.cancelling == 1  # ours taken back, the outside one still pending
    assert timer._groups == {}


# == through the client =====================================================================


@pytest.mark.anyio
async def test_a_slow_answer_times_out_as_possibly_sent(server: FakeVoxServer) -> None:
    """With no aiohttp total, only the transport's timer ends the wait; the request went out,
    so the error must say it may have been sent, and the task must be left uncancelled."""
    number_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.3))
    loop = asyncio.get_running_loop()
    async with AsyncVox(server.api_key, base_url=server.url, timeout=0.1, max_retries=0) as vox:
        started = loop.time()
        with pytest.raises(APITimeoutError) as caught:
            await vox.organization_telephone_numbers.retrieve(number_id)
        elapsed = loop.time() - started
        assert 0.1 <= elapsed < 0.1 + LATE + 0.05
        assert caught.value.request_may_have_been_sent is True
        assert "deadline" not in str(caught.value)
        assert_task_free()
        await asyncio.sleep(0)
        assert vox.requests_in_flight == 0
        assert (await vox.organization_telephone_numbers.retrieve(number_id)).id == number_id
        await idle(server)


@pytest.mark.anyio
async def test_only_the_slow_calls_of_a_gather_time_out(server: FakeVoxServer) -> None:
    """Many attempts share one timer: a slow one expiring must cut only itself, and the fast
    ones finishing must not disturb the deadlines of the slow ones."""
    ids = server.seed_pending(12)
    slow = set(ids[::3])
    for number_id in slow:
        server.inject(Fault.slow(0.3), id=number_id, action="revoke-cancel")
    loop = asyncio.get_running_loop()
    async with AsyncVox(server.api_key, base_url=server.url, timeout=0.1, max_retries=0) as vox:
        numbers = vox.organization_telephone_numbers
        started = loop.time()
        results = await asyncio.gather(
            *(numbers.revoke_cancel(i) for i in ids), return_exceptions=True
        )
        assert loop.time() - started < 0.25
        for number_id, result in zip(ids, results, strict=True):
            if number_id in slow:
                assert isinstance(result, APITimeoutError), result
                assert result.request_may_have_been_sent is True
            else:
                assert isinstance(result, OrganizationTelephoneNumber), result
                assert (result.id, result.status) == (number_id, "active")
        assert_task_free()
        await asyncio.sleep(0)
        assert vox.requests_in_flight == 0
        await idle(server)


@pytest.mark.anyio
async def test_a_timed_out_attempt_is_retried(server: FakeVoxServer) -> None:
    """The retry runs in the same task right after the timeout: had the cancellation not been
    taken back, its first await would raise CancelledError."""
    number_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.3))
    with instant_retries():
        async with AsyncVox(server.api_key, base_url=server.url, timeout=0.1, max_retries=1) as vox:
            record = await vox.organization_telephone_numbers.retrieve(number_id)
            assert record.id == number_id
            assert_task_free()
            await idle(server)
    assert sorted(r.fault is not None for r in server.requests) == [False, True]


@pytest.mark.anyio
async def test_cancelling_a_call_from_outside_raises_cancelled_error(
    server: FakeVoxServer,
) -> None:
    """An outside cancel of an attempt whose limit is live is the caller's, not a timeout."""
    (number_id,) = server.seed_pending(1)
    server.inject(Fault.slow(0.3))
    async with AsyncVox(server.api_key, base_url=server.url, timeout=0.2, max_retries=0) as vox:
        task = asyncio.create_task(vox.organization_telephone_numbers.revoke_cancel(number_id))
        await until(lambda: server.in_flight == 1, "in flight")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()
        assert vox.requests_in_flight == 0
        await asyncio.sleep(0.2)  # past the attempt's deadline: its timer cancels no one
        assert_task_free()
        await idle(server)


@pytest.mark.anyio
async def test_an_enclosing_asyncio_timeout_of_the_same_length_wins(
    server: FakeVoxServer,
) -> None:
    """The caller's ``asyncio.timeout`` runs out first (or with the attempt's): the caller
    gets the builtin TimeoutError it asked for, not the SDK's APITimeoutError."""
    number_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.3))
    async with AsyncVox(server.api_key, base_url=server.url, timeout=0.1, max_retries=0) as vox:
        with pytest.raises(TimeoutError) as caught:
            async with asyncio.timeout(0.1):
                await vox.organization_telephone_numbers.retrieve(number_id)
        assert type(caught.value) is TimeoutError
        assert_task_free()
        await idle(server)


# -- opening a connection of ours ------------------------------------------------------------


@pytest.mark.anyio
async def test_a_timeout_while_our_connection_is_still_opening_was_never_sent() -> None:
    """A listener that takes the TCP connection but never answers the TLS hello: the
    attempt's total (no connect timeout here) ends it while the connector is still opening
    the connection, so the request was never sent. It fails if aiohttp stops calling the
    connector's ``_create_connection``, where that is marked."""
    listener = socket.create_server(("127.0.0.1", 0))
    with listener:
        base_url = f"https://127.0.0.1:{listener.getsockname()[1]}"
        timeout = aiohttp.ClientTimeout(total=0.2)
        async with AsyncVox("k", base_url=base_url, timeout=timeout, max_retries=0) as vox:
            with pytest.raises(APITimeoutError) as caught:
                await vox.organization_telephone_numbers.retrieve("n-1")
            assert caught.value.request_may_have_been_sent is False
            assert_task_free()


# -- waiting for a connection of the user's session ----------------------------------------


@pytest.mark.anyio
async def test_a_timeout_while_waiting_in_the_users_pool_is_bounded_and_may_have_been_sent(
    server: FakeVoxServer,
) -> None:
    """Our slots are not the user's pool: with ``limit=1`` the second call waits inside
    aiohttp, under its limit, and our timer (no connect timeout here) still ends it on time.
    Whether a request got a connection is known on our own session only, so on the user's
    the error errs on the safe side: it may have been sent."""
    busy_id = server.add_number(status="active")["id"]
    waiting_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.3), id=busy_id)
    loop = asyncio.get_running_loop()
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session,
        AsyncVox(server.api_key, base_url=server.url, session=session, max_retries=0) as vox,
    ):
        numbers = vox.organization_telephone_numbers
        busy = asyncio.create_task(numbers.retrieve(busy_id, timeout=2.0))
        await until(lambda: server.in_flight == 1, "in flight")
        started = loop.time()
        with pytest.raises(APITimeoutError) as caught:
            await numbers.retrieve(waiting_id, timeout=aiohttp.ClientTimeout(total=0.1))
        assert 0.1 <= loop.time() - started < 0.1 + LATE + 0.05  # not when busy is done
        assert caught.value.request_may_have_been_sent is True
        assert_task_free()
        assert (await busy).id == busy_id
        await idle(server)
    assert [r.number_id for r in server.requests] == [busy_id]


@pytest.mark.anyio
async def test_a_slow_answer_on_the_users_session_may_have_been_sent(
    server: FakeVoxServer,
) -> None:
    """The same slow answer as above, on a session of the user's: the request reached the
    server, so the error must not claim it was never sent (a retry of a call that may have
    taken effect relies on it)."""
    number_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.3))
    async with (
        aiohttp.ClientSession() as session,
        AsyncVox(
            server.api_key, base_url=server.url, session=session, timeout=0.1, max_retries=0
        ) as vox,
    ):
        with pytest.raises(APITimeoutError) as caught:
            await vox.organization_telephone_numbers.retrieve(number_id)
        await idle(server)
    assert len(server.requests) == 1  # it was sent, and answered after we gave up
    assert caught.value.request_may_have_been_sent is True


@pytest.mark.anyio
async def test_closing_the_client_leaves_calls_in_flight_on_the_users_session_bounded(
    server: FakeVoxServer,
) -> None:
    """``aclose`` does not close a user's session, so a call in flight goes on: its attempt
    timeout must still end it, as aiohttp's own total did."""
    number_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.3))
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as session:
        vox = AsyncVox(
            server.api_key, base_url=server.url, session=session, timeout=0.1, max_retries=0
        )
        started = loop.time()
        call = asyncio.create_task(vox.organization_telephone_numbers.retrieve(number_id))
        await until(lambda: server.in_flight == 1, "in flight")
        await vox.aclose()
        outcome = (await asyncio.gather(call, return_exceptions=True))[0]
        elapsed = loop.time() - started
        await idle(server)
    assert isinstance(outcome, APITimeoutError), outcome
    assert elapsed < 0.1 + LATE + 0.05


# == the timeout a user passes =============================================================


def test_an_attempts_total_is_kept_apart_from_what_aiohttp_gets() -> None:
    """aiohttp gets the timeout without its total; the total is ours, and 0 (as aiohttp
    reads it) or None means no limit, never a zero-second one."""
    options = CallOptions.build(aiohttp.ClientTimeout(total=0.1, connect=3.0), 0, None)
    assert options.total == 0.1
    assert options.wire_timeout == aiohttp.ClientTimeout(total=None, connect=3.0)
    assert options.timeout.total == 0.1  # what the user passed is left as it was
    seconds = CallOptions.build(0.2, 0, None)
    assert seconds.total == 0.2
    assert seconds.wire_timeout == aiohttp.ClientTimeout(total=None, connect=0.2)
    for unlimited in (aiohttp.ClientTimeout(total=0), aiohttp.ClientTimeout(), None):
        options = CallOptions.build(unlimited, 0, None)
        assert options.total is None
        assert options.wire_timeout.total is None


@pytest.mark.anyio
async def test_a_client_timeout_total_bounds_each_attempt(server: FakeVoxServer) -> None:
    number_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.3))
    loop = asyncio.get_running_loop()
    async with AsyncVox(
        server.api_key,
        base_url=server.url,
        timeout=aiohttp.ClientTimeout(total=0.1),
        max_retries=0,
    ) as vox:
        started = loop.time()
        with pytest.raises(APITimeoutError) as caught:
            await vox.organization_telephone_numbers.retrieve(number_id)
        assert 0.1 <= loop.time() - started < 0.1 + LATE + 0.05
        assert caught.value.request_may_have_been_sent is True
        assert_task_free()
        await idle(server)


@pytest.mark.anyio
async def test_a_client_timeout_total_of_zero_is_no_limit(server: FakeVoxServer) -> None:
    """aiohttp reads ``total=0`` as no limit: an attempt must not be cut at once."""
    number_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.2))
    loop = asyncio.get_running_loop()
    async with AsyncVox(
        server.api_key,
        base_url=server.url,
        timeout=aiohttp.ClientTimeout(total=0),
        max_retries=0,
    ) as vox:
        started = loop.time()
        record = await vox.organization_telephone_numbers.retrieve(number_id)
        assert record.id == number_id
        assert loop.time() - started >= 0.2


@pytest.mark.parametrize(("timeout", "deadline"), [(0.1, 2.0), (1.0, 0.1)])
@pytest.mark.anyio
async def test_under_a_deadline_attempts_are_still_bounded(
    server: FakeVoxServer, timeout: float, deadline: float
) -> None:
    """Under a deadline the attempt's total goes to aiohttp, capped by what is left: the
    shorter of the two ends the call either way."""
    number_id = server.add_number(status="active")["id"]
    server.inject(Fault.slow(0.3))
    loop = asyncio.get_running_loop()
    async with AsyncVox(
        server.api_key, base_url=server.url, timeout=timeout, deadline=deadline, max_retries=0
    ) as vox:
        started = loop.time()
        with pytest.raises(APITimeoutError):
            await vox.organization_telephone_numbers.retrieve(number_id)
        assert 0.099 <= loop.time() - started < 0.1 + LATE + 0.05
        assert_task_free()
        await idle(server)
