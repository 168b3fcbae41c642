"""How the public API types flow, checked by ``mypy --strict voxasync tests/typing_check.py``.

Never run: pytest does not collect it (its name does not start with ``test_``). Each
``# type: ignore[...]`` marks a misuse that must stay a type error: mypy --strict reports an
ignore that is no longer needed, so these lines fail the check if the API loosens.
"""

# Names are bound only to show their types: unused on purpose.
# ruff: noqa: F841, B018

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, assert_type

import aiohttp

import voxasync
from voxasync import (
    NOT_GIVEN,
    AgentMapping,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncVox,
    NotFoundError,
    OrganizationTelephoneNumber,
    Provider,
    RateLimitError,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
    Vox,
    VoxError,
)


async def async_client() -> None:
    async with AsyncVox(
        "key",
        base_url="http://localhost:8080",
        timeout=10.0,
        max_retries=0,
        deadline=30.0,
        rate_limit=5.0,
        max_connections=10,
    ) as vox:
        assert_type(vox, AsyncVox)
        numbers = vox.organization_telephone_numbers

        number: OrganizationTelephoneNumber = await numbers.revoke_cancel("id")
        fetched: OrganizationTelephoneNumber = await numbers.retrieve("id", timeout=None)
        ended: TelephoneNumberTermination = await numbers.delete("id", max_retries=1)
        assert_type(
            await numbers.revoke_cancel("id", timeout=NOT_GIVEN), OrganizationTelephoneNumber
        )

        results = await numbers.revoke_cancel_many(["a", "b"], concurrency=4, rate_limit=2.0)
        assert_type(results, list[OrganizationTelephoneNumber | Exception])
        for result in results:
            if isinstance(result, Exception):
                failure: Exception = result
            else:
                restored: OrganizationTelephoneNumber = result

        async def ids() -> Any:
            yield "a"

        from_async_ids: list[OrganizationTelephoneNumber | Exception] = (
            await numbers.revoke_cancel_many(ids())
        )

        async for outcome in numbers.revoke_cancel_iter(["a", "b"], concurrency=4, rate_limit=5.0):
            assert_type(outcome, voxasync.RevokeCancelOutcome)
            index: int = outcome.index
            given: str = outcome.id
            outcome_result: OrganizationTelephoneNumber | Exception = outcome.result
            ok: bool = outcome.ok
            repeat_of: int | None = outcome.repeat_of
        async with numbers.revoke_cancel_iter(ids(), timeout=3.0, max_retries=0) as stream:
            async for streamed in stream:
                assert_type(streamed, voxasync.RevokeCancelOutcome)
        try:
            await numbers.revoke_cancel_many(["a"])
        except voxasync.BatchAborted as aborted:
            settled: tuple[voxasync.RevokeCancelOutcome, ...] = aborted.outcomes
            cause: BaseException = aborted.error
        numbers.revoke_cancel_iter(["a"], on_result=print)  # type: ignore[call-arg]

        async for item in numbers.list(
            provider=Provider.VOX,
            status=["active", TelephoneNumberStatus.CANCEL_REQUESTED],
            limit=100,
            sort_by="created_at",
            sort_order="desc",
        ):
            assert_type(item, OrganizationTelephoneNumber)
        async for page in numbers.list(status="cancel_requested").pages():
            page_items: list[OrganizationTelephoneNumber] = page.items
            total: int | None = page.total_count
            cursor: str | None = page.next_cursor

        derived: AsyncVox = vox.with_options(timeout=aiohttp.ClientTimeout(total=5), max_retries=0)
        await derived.aclose()

        await numbers.revoke_cancel(123)  # type: ignore[arg-type]
        await numbers.revoke_cancel_many(["a"], on_result=lambda i, n, r: None, concurrency="8")  # type: ignore[arg-type]
        numbers.list(sort_order="sideways")  # type: ignore[arg-type]

    async with aiohttp.ClientSession() as session:
        shared = AsyncVox("key", session=session)
        await shared.aclose()



def sync_client() -> None:
    with Vox(base_url="https://client-api.tryvox.co", timeout=5.0, max_retries=1) as vox:
        assert_type(vox, Vox)
        numbers = vox.organization_telephone_numbers
        number: OrganizationTelephoneNumber = numbers.revoke_cancel("id")
        fetched: OrganizationTelephoneNumber = numbers.retrieve("id")
        ended: TelephoneNumberTermination = numbers.delete("id")
        results: list[OrganizationTelephoneNumber | Exception] = numbers.revoke_cancel_many(
            iter(["a", "b"]), on_result=lambda index, number_id, result: print(index, number_id)
        )
        for outcome in numbers.revoke_cancel_iter((i for i in ["a"]), concurrency=2):
            assert_type(outcome, voxasync.RevokeCancelOutcome)
        iterator: Iterator[voxasync.RevokeCancelOutcome] = numbers.revoke_cancel_iter(["a"])
        numbers.revoke_cancel_iter(["a"], concurrency="8")  # type: ignore[arg-type]
        for item in numbers.list(status=TelephoneNumberStatus.ACTIVE):
            assert_type(item, OrganizationTelephoneNumber)
        for page in numbers.list().pages():
            page_items: list[OrganizationTelephoneNumber] = page.items
        copy: Vox = vox.with_options(max_retries=3)
        copy.close()

        numbers.retrieve(b"id")  # type: ignore[arg-type]
        Vox(session=aiohttp.ClientSession())  # type: ignore[call-arg]
    vox.close()


def models(number: OrganizationTelephoneNumber, ended: TelephoneNumberTermination) -> None:
    identifier: str = number.id
    digits: str = number.number
    provider: Provider | str = number.provider
    status: TelephoneNumberStatus | str = number.status
    created: int = number.created_at
    updated: int = number.updated_at
    start: int | None = number.start_at
    fee: int | None = number.monthly_fee
    address: str | None = number.address
    trunks: tuple[str | None, str | None] = (number.inbound_trunk_id, number.outbound_trunk_id)
    inbound: AgentMapping | None = number.inbound_agent
    outbound: AgentMapping | None = number.outbound_agent
    memo: str | None = number.memo
    end: int | None = number.end_at
    requested: int | None = number.cancel_requested_at
    pending: bool = number.is_pending_termination

    created_at: dt.datetime = number.created_datetime
    updated_at: dt.datetime = number.updated_datetime
    start_at: dt.datetime | None = number.start_datetime
    end_at: dt.datetime | None = number.end_datetime
    requested_at: dt.datetime | None = number.cancel_requested_datetime
    effective: int = ended.effective_at
    effective_at: dt.datetime = ended.effective_datetime
    if inbound is not None:
        agent: str = inbound.agent_id + inbound.agent_version

    same: bool = number.status == TelephoneNumberStatus.CANCEL_REQUESTED or status == "active"
    as_text: str = Provider.VOX

    built = AgentMapping(agent_id="a", agent_version="current")
    AgentMapping("a", "current")  # type: ignore[call-arg]
    number.status = "active"  # type: ignore[misc]
    start_at.year  # type: ignore[union-attr]



def errors(vox: Vox) -> None:
    try:
        vox.organization_telephone_numbers.revoke_cancel("id")
    except RateLimitError as error:
        retry_after: float | None = error.retry_after
    except NotFoundError as error:
        status_code: int = error.status_code
    except APIStatusError as error:
        code: str | None = error.code
        message: str = error.message
        details: Mapping[str, Any] = error.details
        headers: Mapping[str, str] = error.headers
        body: object = error.body
    except APITimeoutError as error:
        assert_type(error, APITimeoutError)
    except APIConnectionError as error:
        may_have_been_sent: bool = error.request_may_have_been_sent
        method: str = error.method
        url: str = error.url
    except APIResponseValidationError as error:
        lines: list[str] = error.errors
        preview: str = error.body
        answered: int = error.status_code
    except VoxError as error:
        base: Exception = error


def module_surface() -> None:
    version: str = voxasync.__version__
    cap: float = voxasync.MAX_RETRY_AFTER
    sentinel: voxasync.NotGiven = voxasync.NOT_GIVEN
