"""``/v3/organization-telephone-numbers``: every operation, written once, async.

The sync client (``voxasync._sync``) runs these same coroutines through its portal.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Literal

from .._batch import OnResult, RevokeCancelResult, run_batch
from .._paths import NUMBERS_PATH, number_path
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes, check_int
from ..errors import APIResponseValidationError
from ..models import (
    OrganizationTelephoneNumber,
    OrganizationTelephoneNumberPage,
    Provider,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
)

if TYPE_CHECKING:
    from .._client import AsyncVox, CallOptions

__all__ = [
    "AsyncOrganizationTelephoneNumberPager",
    "AsyncOrganizationTelephoneNumbers",
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


class AsyncOrganizationTelephoneNumberPager:
    """``async for number in vox.organization_telephone_numbers.list(...)``.

    Follows ``next_cursor`` page by page until the server sends none. Iterate
    :meth:`pages` instead to see each page with its ``total_count``.
    """

    def __init__(
        self, client: AsyncVox, params: list[tuple[str, str]], options: CallOptions
    ) -> None:
        self._client = client
        self._params = params
        self._options = options

    async def fetch_page(self, cursor: str | None = None) -> OrganizationTelephoneNumberPage:
        """One page, starting at ``cursor`` (``None`` for the first)."""
        params = self._params if cursor is None else [*self._params, ("cursor", cursor)]
        return await self._client._request(
            "GET", NUMBERS_PATH, OrganizationTelephoneNumberPage, self._options, params=params
        )

    async def pages(self) -> AsyncGenerator[OrganizationTelephoneNumberPage, None]:
        """Each page in turn, until ``next_cursor`` is null."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = await self.fetch_page(cursor)
            yield page
            if page.next_cursor is None:
                return
            if page.next_cursor in seen:
                raise APIResponseValidationError(
                    f"the server sent cursor {page.next_cursor!r} twice; stopping, not looping",
                    status_code=200,
                    body="",
                )
            cursor = page.next_cursor
            seen.add(cursor)

    async def __aiter__(self) -> AsyncIterator[OrganizationTelephoneNumber]:
        async for page in self.pages():
            for number in page.items:
                yield number


class AsyncOrganizationTelephoneNumbers:
    """The numbers your organization owns: ``vox.organization_telephone_numbers``.

    Every method takes ``timeout=`` and ``max_retries=`` to override the client's settings
    for that one call.
    """

    def __init__(self, client: AsyncVox) -> None:
        self._client = client

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
        options = self._client._merge_options(timeout, max_retries)

        async def current_if_revoked() -> OrganizationTelephoneNumber | None:
            number = await self._client._request(
                "GET",
                number_path(organization_telephone_number_id),
                OrganizationTelephoneNumber,
                options,
            )
            # Only what a revoke leaves behind counts: active, with no termination requested.
            restored = (
                number.status == TelephoneNumberStatus.ACTIVE
                and number.cancel_requested_at is None
            )
            return number if restored else None

        return await self._client._request(
            "POST", path, OrganizationTelephoneNumber, options, recover=current_if_revoked
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

        Each result is the restored record or the exception raised for that id (a
        ``VoxError``, or the ``ValueError``/``TypeError`` of an invalid id), as with
        ``asyncio.gather(..., return_exceptions=True)``: one failure never stops the others.

        Args:
            organization_telephone_number_ids: any iterable (or async iterable), consumed
                lazily, so memory grows with ``concurrency``, not with the number of ids
                (results aside). A repeated id is sent once; its result fills each position.
            concurrency: most requests in flight at once.
            rate_limit: most requests started per second, retries included.
            on_result: called as ``on_result(index, id, result)`` as each position settles,
                for progress. It runs on the event loop, so keep it quick; if it raises, the
                batch stops and the error propagates.
        """
        return await run_batch(
            self._client,
            organization_telephone_number_ids,
            concurrency=concurrency,
            rate_limit=rate_limit,
            on_result=on_result,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def retrieve(
        self,
        organization_telephone_number_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Fetch one number."""
        path = number_path(organization_telephone_number_id)
        options = self._client._merge_options(timeout, max_retries)
        return await self._client._request("GET", path, OrganizationTelephoneNumber, options)

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
    ) -> AsyncOrganizationTelephoneNumberPager:
        """Iterate the organization's numbers, following ``next_cursor`` to the end.

        The server shows only ``active`` numbers when ``status`` is left out: pass
        ``status="cancel_requested"`` to see pending terminations, or a list of statuses.
        ``limit`` is the page size (1..100). Arguments are checked here, before any request.
        """
        params = list_params(
            provider=provider, status=status, limit=limit, sort_by=sort_by, sort_order=sort_order
        )
        options = self._client._merge_options(timeout, max_retries)
        return AsyncOrganizationTelephoneNumberPager(self._client, params, options)

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
        options = self._client._merge_options(timeout, max_retries)

        async def termination_if_scheduled() -> TelephoneNumberTermination | None:
            number = await self._client._request(
                "GET", path, OrganizationTelephoneNumber, options
            )
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

        return await self._client._request(
            "DELETE", path, TelephoneNumberTermination, options, recover=termination_if_scheduled
        )
