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
    AvailableTelephoneNumber,
    LineType,
    NotFoundError,
    OrganizationTelephoneNumber,
    Provider,
    RateLimitError,
    RawResponse,
    SmsCapability,
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

        raw = numbers.with_raw_response
        raw_restored = await raw.revoke_cancel("id", max_retries=0)
        assert_type(raw_restored, RawResponse[OrganizationTelephoneNumber])
        assert_type(raw_restored.parse(), OrganizationTelephoneNumber)
        assert_type(await raw.retrieve("id", timeout=1.0), RawResponse[OrganizationTelephoneNumber])
        raw_ended = await raw.delete("id")
        assert_type(raw_ended, RawResponse[TelephoneNumberTermination])
        status_code: int = raw_ended.status_code
        request_id: str | None = raw_ended.request_id
        retries_taken: int = raw_ended.retries_taken
        elapsed: dt.timedelta = raw_ended.elapsed
        rate_remaining: str | None = raw_ended.headers.get("x-ratelimit-remaining")
        await raw.retrieve(123)  # type: ignore[arg-type]
        await raw.retrieve("id", timeout="soon")  # type: ignore[arg-type]
        raw.list()  # type: ignore[attr-defined]

        derived: AsyncVox = vox.with_options(timeout=aiohttp.ClientTimeout(total=5), max_retries=0)
        await derived.aclose()

        await numbers.revoke_cancel(123)  # type: ignore[arg-type]
        await numbers.revoke_cancel_many(["a"], on_result=lambda i, n, r: None, concurrency="8")  # type: ignore[arg-type]
        numbers.list(sort_order="sideways")  # type: ignore[arg-type]

    async with aiohttp.ClientSession() as session:
        shared = AsyncVox("key", session=session, app_info="myapp/1.2")
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
        raw = numbers.with_raw_response
        raw_number = raw.revoke_cancel("id")
        assert_type(raw_number, RawResponse[OrganizationTelephoneNumber])
        assert_type(raw.retrieve("id").parse(), OrganizationTelephoneNumber)
        assert_type(raw.delete("id", max_retries=0), RawResponse[TelephoneNumberTermination])
        request_id: str | None = raw_number.request_id
        raw.retrieve(b"id")  # type: ignore[arg-type]
        raw.revoke_cancel_many(["a"])  # type: ignore[attr-defined]
        copy: Vox = vox.with_options(max_retries=3)
        copy.close()

        numbers.retrieve(b"id")  # type: ignore[arg-type]
        Vox(session=aiohttp.ClientSession())  # type: ignore[call-arg]
        Vox(app_info="myapp/1.2").close()
        Vox(app_info=("myapp", "1.2"))  # type: ignore[arg-type]
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

    as_dict: dict[str, Any] = number.to_dict()
    as_json: str = number.to_json(indent=2)
    unknown: Mapping[str, Any] = number.extra
    ended_dict: dict[str, Any] = ended.to_dict()
    if inbound is not None:
        agent_dict: dict[str, Any] = inbound.to_dict()
        agent_extra: Mapping[str, Any] = inbound.extra
    number.extra["new"] = 1  # type: ignore[index]
    number.to_json(indent="  ")  # type: ignore[arg-type]

    same: bool = number.status == TelephoneNumberStatus.CANCEL_REQUESTED or status == "active"
    as_text: str = Provider.VOX

    built = AgentMapping(agent_id="a", agent_version="current")
    AgentMapping("a", "current")  # type: ignore[call-arg, arg-type]
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
        support_id: str | None = error.request_id
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


async def number_surface_async(vox: AsyncVox) -> None:
    numbers = vox.organization_telephone_numbers
    agent = AgentMapping(agent_id="a")
    updated: OrganizationTelephoneNumber = await numbers.update("id", memo="text")
    cleared: OrganizationTelephoneNumber = await numbers.update("id", memo=None, timeout=5.0)
    mapped: OrganizationTelephoneNumber = await numbers.update_agents(
        "id", inbound_agent=agent, outbound_agent=None, sms_inbound_agent=NOT_GIVEN
    )
    sip: OrganizationTelephoneNumber = await numbers.update_sip(
        "id", address="sip:a", auth_username="u", auth_password="p", memo=None, max_retries=0
    )
    registered: OrganizationTelephoneNumber = await vox.telephone_numbers.register(
        number="07011112222", address="sip:a", auth_username=None, auth_password="p"
    )
    async for item in vox.telephone_numbers.list_available(
        line_type=LineType.MOBILE, limit=10, sort_by="monthly_fee", sort_order="asc"
    ):
        assert_type(item, AvailableTelephoneNumber)
        capable: bool = item.sms_capable.send and item.sms_capable.recv
        line: LineType | str = item.line_type
        fee: int | None = item.monthly_fee
    sms: AgentMapping | None = updated.sms_inbound_agent

    await numbers.update("id", memo=3)  # type: ignore[arg-type]
    await numbers.update_agents("id", inbound_agent="agent-id")  # type: ignore[arg-type]
    await numbers.update_sip("id", address=None)  # type: ignore[arg-type]
    await vox.telephone_numbers.register(number="0701")  # type: ignore[call-arg]
    vox.telephone_numbers.list_available(sort_by="created_at")  # type: ignore[arg-type]


def number_surface_sync(vox: Vox) -> None:
    numbers = vox.organization_telephone_numbers
    updated: OrganizationTelephoneNumber = numbers.update("id", memo="text")
    mapped: OrganizationTelephoneNumber = numbers.update_agents(
        "id", sms_inbound_agent=AgentMapping(agent_id="a", agent_version="v2")
    )
    sip: OrganizationTelephoneNumber = numbers.update_sip("id", memo="m")
    registered: OrganizationTelephoneNumber = vox.telephone_numbers.register(
        number="07011112222", address="sip:a", memo="m"
    )
    for item in vox.telephone_numbers.list_available(line_type="voip"):
        assert_type(item, AvailableTelephoneNumber)
    for page in vox.telephone_numbers.list_available().pages():
        items: list[AvailableTelephoneNumber] = page.items
    capability = SmsCapability(send=True, recv=False)

    numbers.update("id", memo=b"x")  # type: ignore[arg-type]
    vox.telephone_numbers.register(number=7011112222, address="sip:a")  # type: ignore[arg-type]
