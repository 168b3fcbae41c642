"""``/v3/organization-telephone-numbers``: every operation, written once, async.

Each operation checks its arguments, builds its path, and calls one verb of the pipeline
(``self._api.get/post/patch/delete``). The sync client (``voxasync._sync``) runs these same
coroutines through its portal.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, Coroutine, Iterable
from typing import Any, Literal

from .._batch import (
    OnResult,
    OutcomeStream,
    RevokeCancelResult,
    check_batch_arguments,
)
from .._collect import collect_outcomes
from .._pacer import Pacer
from .._pagers import AsyncPager, Page
from .._paths import NUMBERS_PATH, number_path
from .._pipeline import Pipeline
from .._raw import RawResource, raw
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes, check_int
from ..models import (
    AgentMapping,
    OrganizationTelephoneNumber,
    OrganizationTelephoneNumberPage,
    Provider,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
)
from ._bodies import agents_body, memo_body, sip_body

__all__ = [
    "AsyncOrganizationTelephoneNumbers",
    "AsyncOrganizationTelephoneNumbersWithRawResponse",
    "StatusFilter",
    "list_params",
]

StatusFilter = TelephoneNumberStatus | str | Iterable[TelephoneNumberStatus | str]
"""One status, or several (sent as repeated ``status=`` parameters)."""


def _non_empty_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {value!r}")
    if not value.strip():
        raise ValueError(f"{name} must not be blank")
    return str(value)  # an enum member becomes its plain value


def list_params(
    *,
    provider: Provider | str | None = None,
    status: StatusFilter | None = None,
    limit: int | None = None,
    sort_by: str | None = None,
    sort_order: str | None = None,
) -> list[tuple[str, str]]:
    """Check list filters before any request and turn them into query parameters."""
    params: list[tuple[str, str]] = []
    if provider is not None:
        params.append(("provider", _non_empty_str("provider", provider)))
    if status is not None:
        statuses = [status] if isinstance(status, str) else status
        if not isinstance(statuses, Iterable):
            raise TypeError(f"status must be a str or an iterable of str, got {status!r}")
        values = [_non_empty_str("status", one) for one in statuses]
        if not values:
            raise ValueError("status must name at least one status (or be None)")
        params += [("status", value) for value in values]
    if limit is not None:
        check_int("limit", limit, minimum=1, maximum=100)
        params.append(("limit", str(limit)))
    if sort_by is not None:
        params.append(("sort_by", _non_empty_str("sort_by", sort_by)))
    if sort_order is not None:
        if sort_order not in ("asc", "desc"):
            raise ValueError(f"sort_order must be 'asc' or 'desc', got {sort_order!r}")
        params.append(("sort_order", sort_order))
    return params


class AsyncOrganizationTelephoneNumbers:
    """The numbers your organization owns: ``vox.organization_telephone_numbers``.

    Every method takes ``timeout=`` and ``max_retries=`` to override the client's settings
    for that one call.
    """

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    @functools.cached_property
    def with_raw_response(self) -> AsyncOrganizationTelephoneNumbersWithRawResponse:
        """The same operations, each returning a ``RawResponse``: status, headers, request
        id and retries of the answer, and ``.parse()`` for the record. Every operation that
        returns one record has it (not ``list`` or ``revoke_cancel_many``)."""
        return AsyncOrganizationTelephoneNumbersWithRawResponse(self)

    async def revoke_cancel(
        self,
        organization_telephone_number_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Cancel a number's scheduled termination; it returns to ``active``.

        Retries converge: if an attempt may have taken effect (its answer was lost, or was a
        5xx) and the retry is refused because the number is no longer pending termination,
        the number is fetched, and if its termination is indeed no longer scheduled, that
        record is returned as the success it is.
        """
        path = number_path(organization_telephone_number_id, "revoke-cancel")
        api = self._api.with_options(timeout, max_retries)
        return await _post_revoke_cancel(api, organization_telephone_number_id, path)

    def revoke_cancel_iter(
        self,
        organization_telephone_number_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = 8,
        rate_limit: float | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OutcomeStream:
        """Revoke many scheduled terminations, streaming one outcome per id as it settles.

        ``async for outcome in numbers.revoke_cancel_iter(ids):`` gives a
        :class:`~voxasync.RevokeCancelOutcome` ``(index, id, result)`` per input position,
        in completion order; a failure is an outcome, never raised. No list of results is
        kept: memory is bounded by ``concurrency`` (plus an index of the ids seen, so that a
        repeated id is sent once; its later positions get a ``ValueError`` with
        ``repeat_of`` naming the index that reports it).

        Stopping early: break out of the loop (or use ``async with`` to have it done at
        once): no more ids are taken and the requests in flight are cancelled.

        Fail fast on the key: once a request meets ``AuthenticationError`` (401) or
        ``PermissionDeniedError`` (403), nothing more is sent; every id not yet sent gets a
        copy of that error, so a bad key costs at most ``concurrency`` requests.

        If the iterable of ids raises, no more ids are taken; the requests in flight
        settle and are yielded, then :class:`~voxasync.BatchAborted` is raised, its
        ``__cause__`` (and ``error``) what the iterable raised.

        Args:
            organization_telephone_number_ids: any iterable (or async iterable), read
                lazily, one id at a time.
            concurrency: most requests in flight at once.
            rate_limit: most requests started per second, retries included.
        """
        check_batch_arguments(concurrency)
        # The batch's own pacer, under the client's: a 429 holds the whole batch together.
        api = self._api.with_options(timeout, max_retries)
        paced = api.with_pacer(Pacer(rate_limit, parent=api.pacer))
        return OutcomeStream(
            functools.partial(_post_revoke_cancel, paced), organization_telephone_number_ids,
            concurrency,
        )

    async def revoke_cancel_many(
        self,
        organization_telephone_number_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = 8,
        rate_limit: float | None = None,
        on_result: OnResult | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> list[RevokeCancelResult]:
        """Revoke many scheduled terminations; one result per id, in input order.

        :meth:`revoke_cancel_iter`, collected. Each result is the restored record or the
        exception raised for that id (a ``VoxError``, or the ``ValueError``/``TypeError``
        of an invalid id), as with ``asyncio.gather(..., return_exceptions=True)``: one
        failure never stops the others, except that a refused key (401/403) stops all
        sending, as described there. A repeated id is sent once; its result fills each
        position. Memory grows with the result list; stream with ``revoke_cancel_iter``
        when the batch is large.

        Args:
            organization_telephone_number_ids: any iterable (or async iterable), consumed
                lazily.
            concurrency: most requests in flight at once.
            rate_limit: most requests started per second, retries included.
            on_result: called as ``on_result(index, id, result)`` as each position settles,
                for progress. It runs on the event loop, so keep it quick; if it raises, the
                batch stops (requests in flight are cancelled) and the error propagates.

        Raises:
            BatchAborted: the iterable of ids raised, after every request already sent
                settled and was passed to ``on_result``; ``.outcomes`` holds every position
                that settled, in input order.
        """
        check_batch_arguments(concurrency, on_result)
        stream = self.revoke_cancel_iter(
            organization_telephone_number_ids, concurrency=concurrency, rate_limit=rate_limit,
            timeout=timeout, max_retries=max_retries,
        )
        return await collect_outcomes(stream, on_result)

    async def retrieve(
        self,
        organization_telephone_number_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Fetch one number."""
        path = number_path(organization_telephone_number_id)
        api = self._api.with_options(timeout, max_retries)
        return await api.get(path, OrganizationTelephoneNumber)

    def list(
        self,
        *,
        provider: Provider | str | None = None,
        status: StatusFilter | None = None,
        limit: int | None = None,
        sort_by: Literal["created_at"] | str | None = None,
        sort_order: Literal["asc", "desc"] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPager[OrganizationTelephoneNumber]:
        """Iterate the organization's numbers, following ``next_cursor`` to the end.

        The server shows only ``active`` numbers when ``status`` is left out: pass
        ``status="cancel_requested"`` to see pending terminations, or a list of statuses.
        ``limit`` is the page size (1..100). Arguments are checked here, before any request.
        """
        params = list_params(
            provider=provider, status=status, limit=limit, sort_by=sort_by, sort_order=sort_order
        )
        api = self._api.with_options(timeout, max_retries)

        async def fetch(cursor: str | None) -> Page[OrganizationTelephoneNumber]:
            query = params if cursor is None else [*params, ("cursor", cursor)]
            return await api.get(NUMBERS_PATH, OrganizationTelephoneNumberPage, params=query)

        return AsyncPager(fetch)

    async def delete(
        self,
        organization_telephone_number_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> TelephoneNumberTermination:
        """Request termination: a vox number ends with its paid period, a custom one at once.

        Retries converge as for ``revoke_cancel``: if a retry is refused because an earlier
        attempt already scheduled the termination, the scheduled termination is returned.
        """
        path = number_path(organization_telephone_number_id)
        api = self._api.with_options(timeout, max_retries)

        async def termination_if_scheduled() -> TelephoneNumberTermination | None:
            number = await api.get(path, OrganizationTelephoneNumber)
            # A vox number waits for its end (cancel_requested); a custom one ends at once.
            ended_or_ending = number.status in (
                TelephoneNumberStatus.CANCEL_REQUESTED,
                TelephoneNumberStatus.EXPIRED,
            )
            if not ended_or_ending or number.end_at is None:
                return None
            return TelephoneNumberTermination(
                id=number.id, number=number.number, provider=number.provider,
                effective_at=number.end_at,
            )

        return await api.delete(path, TelephoneNumberTermination, recover=termination_if_scheduled)

    # -- PATCH: an argument left out is not sent; None is sent as null (cleared) -----------

    async def update(
        self,
        organization_telephone_number_id: str,
        *,
        memo: str | NotGiven | None = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Change a number's memo (at most 200 characters); ``memo=None`` clears it."""
        body = memo_body(memo)
        path = number_path(organization_telephone_number_id)
        api = self._api.with_options(timeout, max_retries)
        return await api.patch(path, OrganizationTelephoneNumber, json=body)

    async def update_agents(
        self,
        organization_telephone_number_id: str,
        *,
        inbound_agent: AgentMapping | NotGiven | None = NOT_GIVEN,
        outbound_agent: AgentMapping | NotGiven | None = NOT_GIVEN,
        sms_inbound_agent: AgentMapping | NotGiven | None = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Map agents to a number: each an ``AgentMapping``, or ``None`` to unmap it.

        A mapping left out stays as it is. Changing ``sms_inbound_agent`` does not move
        chats that already exist. An expired number cannot be mapped.
        """
        body = agents_body(
            inbound_agent=inbound_agent,
            outbound_agent=outbound_agent,
            sms_inbound_agent=sms_inbound_agent,
        )
        path = number_path(organization_telephone_number_id, "agent")
        api = self._api.with_options(timeout, max_retries)
        return await api.patch(path, OrganizationTelephoneNumber, json=body)

    async def update_sip(
        self,
        organization_telephone_number_id: str,
        *,
        address: str | NotGiven = NOT_GIVEN,
        auth_username: str | NotGiven | None = NOT_GIVEN,
        auth_password: str | NotGiven | None = NOT_GIVEN,
        memo: str | NotGiven | None = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Change the SIP trunk settings of a custom number.

        The API requires ``auth_password`` whenever ``address`` or ``auth_username``
        changes: pass it again (or ``None`` for a trunk without authentication). The
        password is a secret: it never appears in a log line, a repr or an error.
        """
        body = sip_body(
            address=address, auth_username=auth_username, auth_password=auth_password,
            memo=memo,
        )
        path = number_path(organization_telephone_number_id, "sip")
        api = self._api.with_options(timeout, max_retries)
        return await api.patch(path, OrganizationTelephoneNumber, json=body)

class AsyncOrganizationTelephoneNumbersWithRawResponse(
    RawResource[AsyncOrganizationTelephoneNumbers]
):
    """``vox.organization_telephone_numbers.with_raw_response``: one line per operation."""

    revoke_cancel = raw(AsyncOrganizationTelephoneNumbers.revoke_cancel)
    retrieve = raw(AsyncOrganizationTelephoneNumbers.retrieve)
    delete = raw(AsyncOrganizationTelephoneNumbers.delete)
    update = raw(AsyncOrganizationTelephoneNumbers.update)
    update_agents = raw(AsyncOrganizationTelephoneNumbers.update_agents)
    update_sip = raw(AsyncOrganizationTelephoneNumbers.update_sip)


def _post_revoke_cancel(
    api: Pipeline, organization_telephone_number_id: str, path: str
) -> Coroutine[Any, Any, OrganizationTelephoneNumber]:
    """The revoke-cancel POST of an id already checked into ``path`` (by ``revoke_cancel``,
    or by the batch, which checks each id before it counts it): returns the call's
    coroutine, so that the caller's own frame is the only one awaited."""

    async def current_if_revoked() -> OrganizationTelephoneNumber | None:
        number = await api.get(
            number_path(organization_telephone_number_id), OrganizationTelephoneNumber
        )
        # Only what a revoke leaves behind counts: active, with no termination requested.
        restored = (
            number.status == TelephoneNumberStatus.ACTIVE and number.cancel_requested_at is None
        )
        return number if restored else None

    return api.post(path, OrganizationTelephoneNumber, recover=current_if_revoked)
