"""The sync client's resources: each method is the ``AsyncVox`` method of the same name.

Twins are one line each (see ``_twins``). Only what cannot be a plain twin is written out:
``revoke_cancel_many`` reads a generator of ids off the loop.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import AsyncIterable, Iterable

from .._batch import OnResult, RevokeCancelResult
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ..resources.organization_telephone_numbers import (
    AsyncOrganizationTelephoneNumbers,
    AsyncOrganizationTelephoneNumbersWithRawResponse,
)
from ..resources.telephone_numbers import (
    AsyncTelephoneNumbers,
    AsyncTelephoneNumbersWithRawResponse,
)
from ._ids import PLAIN_CONTAINERS, read_off_the_loop
from ._twins import SyncResource, blocking, paging

__all__ = [
    "OrganizationTelephoneNumbers",
    "OrganizationTelephoneNumbersWithRawResponse",
    "TelephoneNumbers",
    "TelephoneNumbersWithRawResponse",
]

_Numbers = AsyncOrganizationTelephoneNumbers
_RawNumbers = AsyncOrganizationTelephoneNumbersWithRawResponse


class OrganizationTelephoneNumbersWithRawResponse(SyncResource[_RawNumbers]):
    """``vox.organization_telephone_numbers.with_raw_response``, blocking."""

    revoke_cancel = blocking(_RawNumbers.revoke_cancel)
    retrieve = blocking(_RawNumbers.retrieve)
    delete = blocking(_RawNumbers.delete)
    update = blocking(_RawNumbers.update)
    update_agents = blocking(_RawNumbers.update_agents)
    update_sip = blocking(_RawNumbers.update_sip)


class OrganizationTelephoneNumbers(SyncResource[_Numbers]):
    """The numbers your organization owns, blocking: ``vox.organization_telephone_numbers``.

    Each method is the ``AsyncVox`` method of the same name, run on the client's loop.
    """

    revoke_cancel = blocking(_Numbers.revoke_cancel)
    retrieve = blocking(_Numbers.retrieve)
    list = paging(_Numbers.list)
    delete = blocking(_Numbers.delete)
    update = blocking(_Numbers.update)
    update_agents = blocking(_Numbers.update_agents)
    update_sip = blocking(_Numbers.update_sip)

    @functools.cached_property
    def with_raw_response(self) -> OrganizationTelephoneNumbersWithRawResponse:
        """The same operations, each returning a ``RawResponse`` (see ``AsyncVox``'s)."""
        return OrganizationTelephoneNumbersWithRawResponse(
            self._lifetime, self._async.with_raw_response
        )

    def revoke_cancel_many(
        self,
        organization_telephone_number_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = 8,
        rate_limit: float | None = None,
        on_result: OnResult | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[RevokeCancelResult]:  # `list` is the pager twin here
        """Revoke many terminations concurrently; results in input order.

        An iterator or generator of ids is read in a worker thread, a few at a time, so it
        may block or even use this same client (``(n.id for n in vox...list(...))``).
        ``on_result`` runs on the client's own thread.
        """
        ids = organization_telephone_number_ids
        if isinstance(ids, Iterable) and not isinstance(ids, PLAIN_CONTAINERS):
            ids = read_off_the_loop(ids, chunk=concurrency if isinstance(concurrency, int) else 1)
        return self._lifetime.call(
            self._async.revoke_cancel_many, ids, concurrency=concurrency, rate_limit=rate_limit,
            on_result=on_result, timeout=timeout, max_retries=max_retries,
        )


class TelephoneNumbers(SyncResource[AsyncTelephoneNumbers]):
    """Numbers not yet owned, blocking: ``vox.telephone_numbers``."""

    register = blocking(AsyncTelephoneNumbers.register)
    list_available = paging(AsyncTelephoneNumbers.list_available)

    @functools.cached_property
    def with_raw_response(self) -> TelephoneNumbersWithRawResponse:
        """The same operations, each returning a ``RawResponse`` (see ``AsyncVox``'s)."""
        return TelephoneNumbersWithRawResponse(self._lifetime, self._async.with_raw_response)


class TelephoneNumbersWithRawResponse(SyncResource[AsyncTelephoneNumbersWithRawResponse]):
    """``vox.telephone_numbers.with_raw_response``, blocking."""

    register = blocking(AsyncTelephoneNumbersWithRawResponse.register)
