"""The sync client's resources: each method is the ``AsyncVox`` method of the same name.

Twins are one line each (see ``_twins``). Only what cannot be a plain twin is written out:
the batch methods read a generator of ids off the loop, and ``revoke_cancel_iter`` pulls
its outcomes across the portal a list at a time.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import AsyncIterable, Iterable, Iterator
from typing import Final

from .._batch import OnResult, RevokeCancelResult
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ..models import RevokeCancelOutcome
from ..resources.organization_telephone_numbers import (
    AsyncOrganizationTelephoneNumbers,
    AsyncOrganizationTelephoneNumbersWithRawResponse,
)
from ..resources.telephone_numbers import (
    AsyncTelephoneNumbers,
    AsyncTelephoneNumbersWithRawResponse,
)
from ._ids import PLAIN_CONTAINERS, ThreadedIds, chunk_size
from ._twins import SyncResource, blocking, close_quietly, paging, pull_chunks

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

#: Most outcomes one hop of the portal carries to the sync caller.
_CHUNK: Final = 1024


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

    def revoke_cancel_iter(
        self,
        organization_telephone_number_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = 8,
        rate_limit: float | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Iterator[RevokeCancelOutcome]:
        """Revoke many terminations, yielding one outcome per id as it settles.

        ``for outcome in vox.organization_telephone_numbers.revoke_cancel_iter(ids):``; the
        rules are ``AsyncVox``'s (completion order, failures as outcomes, a refused key
        stops all sending, ``BatchAborted`` if the ids raise). Outcomes cross from the
        client's loop a list at a time, all those settled by then. Breaking out of the loop
        (or closing the iterator) cancels the requests in flight before it returns.
        A generator of ids is read in a worker thread, as for ``revoke_cancel_many``.
        """
        ids, reader = _read_ids(organization_telephone_number_ids, concurrency)
        stream = self._async.revoke_cancel_iter(
            ids, concurrency=concurrency, rate_limit=rate_limit, timeout=timeout,
            max_retries=max_retries,
        )
        return pull_chunks(self._lifetime, stream.chunks(_CHUNK), reader)

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
        ids, reader = _read_ids(organization_telephone_number_ids, concurrency)
        try:
            return self._lifetime.call(
                self._async.revoke_cancel_many, ids, concurrency=concurrency,
                rate_limit=rate_limit, on_result=on_result, timeout=timeout,
                max_retries=max_retries,
            )
        finally:
            if reader is not None:
                close_quietly(self._lifetime, reader.aclose)


def _read_ids(
    ids: Iterable[str] | AsyncIterable[str], concurrency: object
) -> tuple[Iterable[str] | AsyncIterable[str], ThreadedIds | None]:
    """A generator (or any iterator running user code) is read off the loop."""
    if isinstance(ids, Iterable) and not isinstance(ids, PLAIN_CONTAINERS):
        reader = ThreadedIds(ids, chunk=chunk_size(concurrency))
        return reader, reader
    return ids, None


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
