"""``revoke_cancel_many``: a bounded pool of workers over a lazily consumed stream of ids.

``concurrency`` workers pull ids one at a time from the caller's iterable, so memory grows
with the pool, not with the number of ids (the result list aside). All workers share one
:class:`~voxasync._retry.Pacer`: a 429 seen by one pauses them all, and ``rate_limit`` spaces
every request the batch starts, retries included.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Final, TypeAlias

from ._paths import number_path
from ._retry import Pacer
from ._types import NotGiven, TimeoutTypes, check_int
from .models import OrganizationTelephoneNumber

if TYPE_CHECKING:
    from ._client import AsyncVox

__all__ = ["RevokeCancelResult", "run_batch"]

RevokeCancelResult: TypeAlias = OrganizationTelephoneNumber | Exception
"""One entry of ``revoke_cancel_many``: the restored record, or what went wrong for that id."""

OnResult: TypeAlias = Callable[[int, str, RevokeCancelResult], object]

_PENDING: Final = object()


class _IdStream:
    """Hands out ``(position, id)`` pairs to workers from a sync or async iterable."""

    def __init__(self, ids: Iterable[str] | AsyncIterable[str]) -> None:
        self._sync: Iterator[str] | None = None
        self._async: AsyncIterator[str] | None = None
        if isinstance(ids, AsyncIterable):
            self._async = aiter(ids)
            self._lock = asyncio.Lock()
        elif isinstance(ids, Iterable) and not isinstance(ids, str | bytes):
            self._sync = iter(ids)
        else:
            raise TypeError(
                "organization_telephone_number_ids must be an iterable of ids (not a single "
                f"string), got {type(ids).__name__}"
            )
        self._position = 0
        self._exhausted = False

    async def next(self) -> tuple[int, object] | None:
        if self._exhausted:
            return None
        try:
            if self._sync is not None:
                value: object = next(self._sync)
            else:
                assert self._async is not None
                async with self._lock:
                    if self._exhausted:
                        return None
                    value = await anext(self._async)
        except (StopIteration, StopAsyncIteration):
            self._exhausted = True
            return None
        position = self._position
        self._position += 1
        return position, value


async def run_batch(
    client: AsyncVox,
    ids: Iterable[str] | AsyncIterable[str],
    *,
    concurrency: int,
    rate_limit: float | None,
    on_result: OnResult | None,
    timeout: TimeoutTypes | NotGiven,
    max_retries: int | NotGiven,
) -> list[RevokeCancelResult]:
    """Revoke-cancel every id with at most ``concurrency`` in flight; results in input order."""
    check_int("concurrency", concurrency, minimum=1)
    if on_result is not None and not callable(on_result):
        raise TypeError("on_result must be callable")
    stream = _IdStream(ids)
    # The batch's own pacer, under the client's: a 429 holds the whole batch together.
    pacer = Pacer(rate_limit, parent=client._pacer)
    batch_client = client._derive(client._merge_options(timeout, max_retries), pacer)
    numbers = batch_client.organization_telephone_numbers

    results: list[object] = []
    first_position: dict[str, int] = {}
    repeats: dict[int, list[int]] = {}
    stopped = False  # on_result raised: call it no more, take no more ids

    def settle(position: int, number_id: object, result: RevokeCancelResult) -> None:
        nonlocal stopped
        results[position] = result
        if on_result is not None and not stopped:
            try:
                on_result(position, number_id, result)  # type: ignore[arg-type]
            except BaseException:
                stopped = True
                raise

    async def worker() -> None:
        while not stopped and (item := await stream.next()) is not None:
            position, number_id = item
            while len(results) <= position:
                results.append(_PENDING)
            try:
                number_path(number_id)
            except (TypeError, ValueError) as invalid:
                settle(position, number_id, invalid)
                continue
            assert isinstance(number_id, str)
            first = first_position.setdefault(number_id, position)
            if first != position:
                if results[first] is _PENDING:
                    repeats.setdefault(first, []).append(position)
                else:
                    settle(position, number_id, results[first])  # type: ignore[arg-type]
                continue
            result: RevokeCancelResult
            try:
                result = await numbers.revoke_cancel(number_id)
            except Exception as error:
                result = error
            settle(position, number_id, result)
            for repeat in repeats.pop(position, ()):
                settle(repeat, number_id, result)

    try:
        async with asyncio.TaskGroup() as workers:
            for _ in range(concurrency):
                workers.create_task(worker())
    except BaseExceptionGroup as group:
        # Only a failing on_result callback (or the iterable itself) gets here.
        raise group.exceptions[0] from None
    return results  # type: ignore[return-value]
