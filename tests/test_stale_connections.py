"""Pooled connections the server already closed: resent at once, once, for free.

The server is :class:`FakeVoxServer` with ``close_connections=True``: it closes every
connection right after answering, without ``Connection: close``, so the client's pool keeps
handing out connections that are already dead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest

from voxasync import APIConnectionError, AsyncVox, OrganizationTelephoneNumber, Vox
from voxasync._transport import KEEPALIVE_SECONDS
from voxasync.testing import FakeVoxServer, Fault

pytestmark = pytest.mark.anyio


@pytest.fixture
def closing_server() -> Iterator[FakeVoxServer]:
    with FakeVoxServer(close_connections=True) as fake:
        yield fake


async def revoke_all(server: FakeVoxServer, count: int, **options: object) -> list[object]:
    ids = server.seed_pending(count)
    async with AsyncVox(server.api_key, base_url=server.url, **options) as vox:  # type: ignore[arg-type]
        numbers = vox.organization_telephone_numbers
        return await asyncio.gather(
            *(numbers.revoke_cancel(number_id) for number_id in ids), return_exceptions=True
        )


@pytest.mark.parametrize("run", range(3))
async def test_1000_concurrent_revoke_cancels_all_succeed(
    closing_server: FakeVoxServer, run: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voxasync")
    results = await revoke_all(closing_server, 1000)
    failed = [r for r in results if not isinstance(r, OrganizationTelephoneNumber)]
    assert failed == []
    assert all(r.status == "active" for r in results)  # type: ignore[union-attr]
    assert not [r for r in caplog.records if r.getMessage().startswith("retrying")]


async def test_with_no_retries_a_stale_connection_still_succeeds(
    closing_server: FakeVoxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voxasync")
    results = await revoke_all(closing_server, 300, max_retries=0, max_connections=10)
    assert [type(r) for r in results] == [OrganizationTelephoneNumber] * 300
    assert not [r for r in caplog.records if r.getMessage().startswith("retrying")]


async def test_sequential_calls_on_a_closing_server_sleep_no_backoff(
    closing_server: FakeVoxServer,
) -> None:
    number_id = closing_server.add_number()["id"]
    async with AsyncVox(
        closing_server.api_key, base_url=closing_server.url, max_retries=0
    ) as vox:
        started = time.perf_counter()
        for _ in range(50):
            await vox.organization_telephone_numbers.retrieve(number_id)
        assert time.perf_counter() - started < 5  # one backoff alone is 0.375 s or more


def test_the_sync_client_on_a_closing_server(closing_server: FakeVoxServer) -> None:
    number_id = closing_server.add_number()["id"]
    with Vox(closing_server.api_key, base_url=closing_server.url, max_retries=0) as vox:
        for _ in range(30):
            assert vox.organization_telephone_numbers.retrieve(number_id).id == number_id


@pytest.mark.usefixtures("no_wait")
async def test_a_reset_on_a_reused_connection_is_resent_at_once_once(
    server: FakeVoxServer, avox: AsyncVox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voxasync")
    number_id = server.add_number()["id"]
    numbers = avox.with_options(max_retries=0).organization_telephone_numbers
    await numbers.retrieve(number_id)  # the pool now holds a connection
    server.clear_requests()
    server.inject(Fault.reset())
    assert (await numbers.retrieve(number_id)).id == number_id
    assert [r.status for r in server.requests] == [None, 200]
    assert [r.getMessage().split(" at once")[0] for r in caplog.records
            if "resending" in r.getMessage()] == [f"resending GET {number_path(number_id)}"]
    # The resend's own failure (a fresh connection, so not stale) is the call's error.
    await numbers.retrieve(number_id)  # (the reset cost the pool its connection)
    server.clear_requests()
    server.inject(Fault.reset(), times=2)
    with pytest.raises(APIConnectionError) as caught:
        await numbers.retrieve(number_id)
    assert type(caught.value) is APIConnectionError
    assert [r.status for r in server.requests] == [None, None]


@pytest.mark.usefixtures("no_wait")
async def test_a_reset_on_a_fresh_connection_is_not_resent(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    server.inject(Fault.reset())
    async with AsyncVox(server.api_key, base_url=server.url, max_retries=0) as vox:
        with pytest.raises(APIConnectionError) as caught:
            await vox.organization_telephone_numbers.retrieve(number_id)
    assert type(caught.value) is APIConnectionError
    assert [r.status for r in server.requests] == [None]


@pytest.mark.usefixtures("no_wait")
async def test_a_resent_revoke_cancel_that_had_taken_effect_converges(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    warm, number_id = server.seed_pending(2)
    numbers = avox.with_options(max_retries=0).organization_telephone_numbers
    await numbers.revoke_cancel(warm)  # the pool now holds a connection
    server.clear_requests()
    server.inject(Fault.reset(after_effect=True), action="revoke-cancel")
    record = await numbers.revoke_cancel(number_id)
    assert record.status == "active"
    # Reset after the effect, resent at once and refused, then the convergence check.
    assert [(r.method, r.status) for r in server.requests] == [
        ("POST", None), ("POST", 409), ("GET", 200)]


def test_the_pool_drops_idle_connections_before_common_servers_do() -> None:
    assert KEEPALIVE_SECONDS < 5  # Node.js and uvicorn close idle connections after 5 s


def number_path(number_id: str) -> str:
    return f"/v3/organization-telephone-numbers/{number_id}"
