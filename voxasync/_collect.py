"""``revoke_cancel_many``: the outcomes of a batch (``_batch``), placed in input order.

The collector is the batch's sink: each worker hands it the outcome it settled, with no
queue between. A repeated id's later positions get the result of its first position, and
``on_result`` hears of each position as it settles.
"""

from __future__ import annotations

import contextvars
from typing import Final

from ._batch import BatchAborted, OnResult, OutcomeStream, RevokeCancelResult
from .models import RevokeCancelOutcome

__all__ = ["collect_outcomes"]

_PENDING: Final = object()


async def collect_outcomes(
    stream: OutcomeStream, on_result: OnResult | None
) -> list[RevokeCancelResult]:
    """``revoke_cancel_many``: every outcome of ``stream`` in input order.

    A repeated id's later positions get its first position's result (reported to
    ``on_result`` once that one settles). If the iterable of ids raised, the
    :class:`BatchAborted` carries every outcome that settled, in input order.
    """
    collector = _Collector(on_result)
    try:
        await stream.run_into(collector.add)  # each outcome placed by its own worker
    except BatchAborted as aborted:
        raise BatchAborted(
            aborted.message, error=aborted.error, outcomes=collector.settled()
        ) from aborted.error
    return collector.results  # type: ignore[return-value]


class _Collector:
    def __init__(self, on_result: OnResult | None) -> None:
        self.on_result = on_result
        # Each on_result runs in a copy of the batch's context, as it did when every worker
        # called it from a task of its own: what one call sets, the next does not see.
        self.context = contextvars.copy_context()
        self.results: list[object] = []
        self.ids: list[object] = []
        self.waiting: dict[int, list[tuple[int, object]]] = {}  # repeats, by the index they repeat

    def add(
        self, index: int, number_id: object, result: RevokeCancelResult, first: int | None
    ) -> None:
        """One settled position (``first``: the index it repeats, if it does)."""
        if first is None:
            self._place(index, number_id, result)
            for repeat_index, repeat_id in self.waiting.pop(index, ()):
                self._place(repeat_index, repeat_id, result)
        elif first < len(self.results) and self.results[first] is not _PENDING:
            self._place(index, number_id, self.results[first])  # type: ignore[arg-type]
        else:
            self._grow(index, number_id)
            self.waiting.setdefault(first, []).append((index, number_id))

    def _grow(self, index: int, number_id: object) -> None:
        while len(self.results) <= index:
            self.results.append(_PENDING)
            self.ids.append(None)
        self.ids[index] = number_id

    def _place(self, index: int, number_id: object, result: RevokeCancelResult) -> None:
        self._grow(index, number_id)
        self.results[index] = result
        if self.on_result is not None:
            # An invalid id is reported as given, whatever its type.
            self.context.copy().run(self.on_result, index, number_id, result)  # type: ignore[arg-type]

    def settled(self) -> tuple[RevokeCancelOutcome, ...]:
        return tuple(
            RevokeCancelOutcome(index, number_id, result)  # type: ignore[arg-type]
            for index, (number_id, result) in enumerate(zip(self.ids, self.results, strict=True))
            if result is not _PENDING
        )
