"""``/v3/telephone-numbers``: register an own number, and the numbers for sale.

Buying (``POST /v3/telephone-numbers/purchase``) is left out on purpose: its body and answer
are not documented anywhere readable, and buying goes through the dashboard.
"""

from __future__ import annotations

import functools
from typing import Literal

from .._pagers import AsyncPager, Page
from .._paths import AVAILABLE_PATH, NUMBERS_PATH, REGISTER_PATH
from .._pipeline import Pipeline
from .._raw import RawResource, raw
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ..models import (
    AvailableTelephoneNumber,
    AvailableTelephoneNumberPage,
    LineType,
    OrganizationTelephoneNumber,
    OrganizationTelephoneNumberPage,
    Provider,
    TelephoneNumberStatus,
)
from ._bodies import available_params, register_body
from .organization_telephone_numbers import list_params

__all__ = ["AsyncTelephoneNumbers", "AsyncTelephoneNumbersWithRawResponse"]


class AsyncTelephoneNumbers:
    """Numbers not yet owned: ``vox.telephone_numbers``.

    Every method takes ``timeout=`` and ``max_retries=`` to override the client's settings
    for that one call.
    """

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    @functools.cached_property
    def with_raw_response(self) -> AsyncTelephoneNumbersWithRawResponse:
        """The same operations, each returning a ``RawResponse`` (status, headers, request
        id) whose ``parse()`` gives the record."""
        return AsyncTelephoneNumbersWithRawResponse(self)

    async def register(
        self,
        *,
        number: str,
        address: str,
        auth_username: str | None = None,
        auth_password: str | None = None,
        memo: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Register the organization's own number, reached over SIP at ``address``.

        ``number`` is digits only (1 to 20, no hyphens), e.g. ``"07011112222"``. The answer
        is the new ``custom`` number; map agents to it with ``update_agents``.
        ``auth_password`` is a secret: never in a log line, a repr or an error.

        Registering is not idempotent, yet retries converge: if an attempt may have taken
        effect (its answer was lost, or was a 5xx) and the retry is refused because the
        number now exists, the number registered with this ``address`` is looked up and
        returned. Any other refusal stands.
        """
        body = register_body(
            number=number, address=address, auth_username=auth_username,
            auth_password=auth_password, memo=memo,
        )
        api = self._api.with_options(timeout, max_retries)

        async def registered() -> OrganizationTelephoneNumber | None:
            return await _find_registered(api, body["number"], body["address"])

        return await api.post(
            REGISTER_PATH, OrganizationTelephoneNumber, json=body, recover=registered
        )

    def list_available(
        self,
        *,
        line_type: LineType | str | None = None,
        limit: int | None = None,
        sort_by: Literal["number", "monthly_fee"] | None = None,
        sort_order: Literal["asc", "desc"] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> AsyncPager[AvailableTelephoneNumber]:
        """Iterate the numbers for sale, following ``next_cursor`` to the end.

        ``line_type`` narrows to one kind (:class:`LineType`); ``limit`` is the page size
        (1..100). The server sorts by ``number``, ascending, unless told otherwise.
        Arguments are checked here, before any request.
        """
        params = available_params(
            line_type=line_type, limit=limit, sort_by=sort_by, sort_order=sort_order
        )
        api = self._api.with_options(timeout, max_retries)

        async def fetch(cursor: str | None) -> Page[AvailableTelephoneNumber]:
            query = params if cursor is None else [*params, ("cursor", cursor)]
            return await api.get(AVAILABLE_PATH, AvailableTelephoneNumberPage, params=query)

        return AsyncPager(fetch)


async def _find_registered(
    api: Pipeline, number: str, address: str
) -> OrganizationTelephoneNumber | None:
    """The custom number ``number`` at ``address`` that is in service, if there is one.

    Every status is asked for (the list shows only ``active`` ones by default); an expired
    record is an earlier registration, not this one.
    """
    params = list_params(
        provider=Provider.CUSTOM, status=list(TelephoneNumberStatus), limit=100
    )

    async def fetch(cursor: str | None) -> Page[OrganizationTelephoneNumber]:
        query = params if cursor is None else [*params, ("cursor", cursor)]
        return await api.get(NUMBERS_PATH, OrganizationTelephoneNumberPage, params=query)

    found = [
        record
        async for record in AsyncPager(fetch)
        if record.number == number
        and record.address == address
        and record.status != TelephoneNumberStatus.EXPIRED
    ]
    return max(found, key=lambda record: record.created_at, default=None)


class AsyncTelephoneNumbersWithRawResponse(RawResource[AsyncTelephoneNumbers]):
    """``vox.telephone_numbers.with_raw_response``: one line per operation."""

    register = raw(AsyncTelephoneNumbers.register)
