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
        self.waiting: dict[int, list[RevokeCancelOutcome]] = {}

    def add(self, outcome: RevokeCancelOutcome) -> None:
        first = outcome.repeat_of
        if first is None:
            self._place(outcome.index, outcome.id, outcome.result)
            for repeat in self.waiting.pop(outcome.index, ()):
                self._place(repeat.index, repeat.id, outcome.result)
        elif first < len(self.results) and self.results[first] is not _PENDING:
            self._place(outcome.index, outcome.id, self.results[first])  # type: ignore[arg-type]
        else:
            self._grow(outcome.index, outcome.id)
            self.waiting.setdefault(first, []).append(outcome)

    def _grow(self, index: int, number_id: object) -> None:
        while len(self.results) <= index:
            self.results.append(_PENDING)
            self.ids.append(None)
        self.ids[index] = number_id

    def _place(self, index: int, number_id: str, result: RevokeCancelResult) -> None:
        self._grow(index, number_id)
        self.results[index] = result
        if self.on_result is not None:
            self.context.copy().run(self.on_result, index, number_id, result)

    def settled(self) -> tuple[RevokeCancelOutcome, ...]:
        return tuple(
            RevokeCancelOutcome(index, number_id, result)  # type: ignore[arg-type]
            for index, (number_id, result) in enumerate(zip(self.ids, self.results, strict=True))
            if result is not _PENDING
        )
