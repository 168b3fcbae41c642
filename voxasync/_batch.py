"""``revoke_cancel_many``: a bounded pool of workers over a lazily consumed stream of ids.

``concurrency`` workers pull ids one at a time from the caller's iterable, so memory grows
with the pool, not with the number of ids (the result list aside). The ``revoke`` function
they call runs on a pipeline with the batch's own pacer (the resource builds it): a 429
seen by one pauses them all, and ``rate_limit`` spaces every request, retries included.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Final, TypeAlias

from ._paths import number_path
from ._types import check_int
from .models import OrganizationTelephoneNumber

__all__ = ["OnResult", "RevokeCancelResult", "check_batch_arguments", "run_batch"]

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


def check_batch_arguments(concurrency: int, on_result: OnResult | None) -> None:
    check_int("concurrency", concurrency, minimum=1)
    if on_result is not None and not callable(on_result):
        raise TypeError("on_result must be callable")


async def run_batch(
    revoke: Callable[[str], Awaitable[OrganizationTelephoneNumber]],
    ids: Iterable[str] | AsyncIterable[str],
    *,
    concurrency: int,
    on_result: OnResult | None,
) -> list[RevokeCancelResult]:
    """``revoke`` every id with at most ``concurrency`` in flight; results in input order.

    The arguments were checked by the caller (:func:`check_batch_arguments`).
    """
    batch = _Batch(revoke, _IdStream(ids), on_result)
    try:
        async with asyncio.TaskGroup() as workers:
            for _ in range(concurrency):
                workers.create_task(batch.worker())
    except BaseExceptionGroup as group:
        # Only a failing on_result callback (or the iterable itself) gets here.
        raise group.exceptions[0] from None
    return batch.results  # type: ignore[return-value]


class _Batch:
    """The state the workers of one batch share: results, and where each id first came."""

    def __init__(
        self,
        revoke: Callable[[str], Awaitable[OrganizationTelephoneNumber]],
        stream: _IdStream,
        on_result: OnResult | None,
    ) -> None:
        self.revoke = revoke
        self.stream = stream
        self.on_result = on_result
        self.results: list[object] = []
        self.first_position: dict[str, int] = {}
        self.repeats: dict[int, list[int]] = {}
        self.stopped = False  # on_result raised: call it no more, take no more ids

    def settle(self, position: int, number_id: object, result: RevokeCancelResult) -> None:
        self.results[position] = result
        if self.on_result is not None and not self.stopped:
            try:
                self.on_result(position, number_id, result)  # type: ignore[arg-type]
            except BaseException:
                self.stopped = True
                raise

    async def worker(self) -> None:
        while not self.stopped and (item := await self.stream.next()) is not None:
            position, number_id = item
            while len(self.results) <= position:
                self.results.append(_PENDING)
            try:
                number_path(number_id)
            except (TypeError, ValueError) as invalid:
                self.settle(position, number_id, invalid)
                continue
            assert isinstance(number_id, str)
            if self._is_repeat(position, number_id):
                continue
            result: RevokeCancelResult
            try:
                result = await self.revoke(number_id)
            except Exception as error:
                # Kept without its traceback: the frames it holds would cost kilobytes per id
                # in a batch of 100,000 refusals (the error's own text says what happened).
                result = error.with_traceback(None)
            self.settle(position, number_id, result)
            for repeat in self.repeats.pop(position, ()):
                self.settle(repeat, number_id, result)

    def _is_repeat(self, position: int, number_id: str) -> bool:
        """A repeated id is sent once: it gets its first position's result, now or later."""
        first = self.first_position.setdefault(number_id, position)
        if first == position:
            return False
        if self.results[first] is _PENDING:
            self.repeats.setdefault(first, []).append(position)
        else:
            self.settle(position, number_id, self.results[first])  # type: ignore[arg-type]
        return True
