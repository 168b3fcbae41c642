"""The batch engine: ``revoke_cancel_iter`` streams outcomes; ``revoke_cancel_many`` collects.

``concurrency`` worker tasks pull ids one at a time from the caller's iterable, revoke
each, and put its :class:`~voxasync.models.RevokeCancelOutcome` on a queue that holds at
most ``concurrency`` of them: a slow reader of the stream holds the workers back, so memory
is bounded by the pool plus the index of ids already seen (one entry per distinct id, so
that a repeated id is sent once). Nothing keeps the outcomes once yielded.
``revoke_cancel_many`` takes them without the queue: each worker hands its outcome to the
collector (``_collect``, a sink) itself.

Three ways a batch stops early:

- The reader breaks out (or closes the stream): no more ids are taken, requests in flight
  are cancelled, and the workers are awaited before ``aclose`` returns.
- A request meets ``AuthenticationError`` or ``PermissionDeniedError``: the key is refused,
  not the number, so nothing more is sent; every id not yet sent gets a copy of that error.
- The iterable of ids raises: no more ids are taken, what is in flight settles and is
  yielded, then :class:`BatchAborted` is raised from the iterable's error.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
)
from typing import Final, TypeAlias

from ._pacer import detached, refusal_copy
from ._paths import number_path
from ._types import check_int
from .errors import APIStatusError, AuthenticationError, PermissionDeniedError, VoxError
from .models import OrganizationTelephoneNumber, RevokeCancelOutcome

__all__ = [
    "NOTHING_READY",
    "BatchAborted",
    "OnResult",
    "OutcomeStream",
    "RevokeCancelResult",
    "check_batch_arguments",
]


class BatchAborted(VoxError):
    """The iterable of ids of a batch raised: no more ids were taken.

    Raised once every request already sent has settled and been reported (yielded by
    ``revoke_cancel_iter``, passed to ``on_result``). The iterable's own exception is the
    ``__cause__`` (and ``error``).

    Attributes:
        error: what the iterable raised.
        outcomes: from ``revoke_cancel_many``, every position that settled, in input order;
            from ``revoke_cancel_iter``, empty, since each was already yielded.
    """

    def __init__(
        self, message: str, *, error: BaseException, outcomes: tuple[RevokeCancelOutcome, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error = error
        self.outcomes = outcomes


RevokeCancelResult: TypeAlias = OrganizationTelephoneNumber | Exception
"""One entry of ``revoke_cancel_many``: the restored record, or what went wrong for that id."""

OnResult: TypeAlias = Callable[[int, str, RevokeCancelResult], object]
Sink: TypeAlias = Callable[[int, object, RevokeCancelResult, "int | None"], None]
"""``sink(index, id, result, repeat_of)``: one settled position, as a ``RevokeCancelOutcome``
would hold it (``revoke_cancel_many`` takes them without one being made per id)."""
Revoke: TypeAlias = Callable[[str, str], Awaitable[OrganizationTelephoneNumber]]
"""``revoke(id, path)``: the revoke-cancel call of an id the engine checked into ``path``."""

_DONE: Final = object()  # a worker's last item on the queue
NOTHING_READY: Final = object()  # what a buffering source's next_ready() says when empty
_KEY_REFUSED: Final = (AuthenticationError, PermissionDeniedError)


class _IdStream:
    """Hands out ``(position, id)`` pairs to workers from a sync or async iterable."""

    def __init__(self, ids: Iterable[str] | AsyncIterable[str]) -> None:
        self._sync: Iterator[str] | None = None
        self._async: AsyncIterator[str] | None = None
        self._ready: Callable[[], object] | None = None
        if isinstance(ids, AsyncIterable):
            self._async = aiter(ids)
            self._lock = asyncio.Lock()
            # A source that buffers (the sync client's reader of generators) hands out the
            # ids it has on hand without a coroutine and a lock per id.
            ready = getattr(self._async, "next_ready", None)
            self._ready = ready if callable(ready) else None
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
            elif self._ready is not None and (value := self._ready()) is not NOTHING_READY:
                pass
            else:
                assert self._async is not None
                async with self._lock:
                    if self._exhausted:
                        return None
                    value = await anext(self._async)
        except (StopIteration, StopAsyncIteration):
            self._exhausted = True
            return None
        except BaseException:
            self._exhausted = True
            raise
        position = self._position
        self._position += 1
        return position, value


def check_batch_arguments(concurrency: int, on_result: OnResult | None = None) -> None:
    check_int("concurrency", concurrency, minimum=1)
    if on_result is not None and not callable(on_result):
        raise TypeError("on_result must be callable")


class _Engine:
    """The workers of one batch, the queue they fill (or the sink they call), and what they
    share."""

    def __init__(
        self, revoke: Revoke, stream: _IdStream, concurrency: int, sink: Sink | None = None
    ) -> None:
        self.revoke = revoke
        self.stream = stream
        self.concurrency = concurrency
        self.sink = sink
        self.sink_error: BaseException | None = None  # the sink raised: the batch stops
        self.workers: list[asyncio.Task[None]] = []
        self.queue: asyncio.Queue[object] = asyncio.Queue(maxsize=concurrency)
        self.first_index: dict[str, int] = {}
        self.refusal: APIStatusError | None = None  # the key was refused: send nothing more
        self.source_error: BaseException | None = None  # the iterable raised: no more ids
        self.crash: Exception | None = None
        self.live = 0

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Workers run inside; on the way out (a break, an error) they are cancelled and
        awaited, so that no task outlives the stream."""
        self.workers = workers = [
            asyncio.create_task(self._work()) for _ in range(self.concurrency)
        ]
        self.live = len(workers)
        try:
            yield
        finally:
            for worker in workers:
                worker.cancel()
            outcomes = await asyncio.gather(*workers, return_exceptions=True)
            failures = [o for o in outcomes if isinstance(o, BaseException)]
            errors = [o for o in failures if not isinstance(o, asyncio.CancelledError)]
            if errors:  # pragma: no cover - a bug in a worker, not a failure of an id
                raise errors[0]

    async def run_to_end(self) -> None:
        """With a sink: every outcome to it, then the sink's error or ``BatchAborted``."""
        async with self.running():
            await asyncio.wait(self.workers)
        if self.sink_error is not None:
            raise self.sink_error
        self.raise_if_aborted()

    async def next(self) -> RevokeCancelOutcome | None:
        """The next outcome to settle; None once every worker is done."""
        while self.live:
            item = await self.queue.get()
            if item is _DONE:
                self.live -= 1
                continue
            assert isinstance(item, RevokeCancelOutcome)
            return item
        return None

    async def take(self, limit: int) -> list[RevokeCancelOutcome]:
        """At least one outcome (none at the end), and up to ``limit`` already settled."""
        first = await self.next()
        if first is None:
            return []
        chunk = [first]
        while len(chunk) < limit and self.live:
            try:
                item = self.queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            if item is _DONE:
                self.live -= 1
            else:
                assert isinstance(item, RevokeCancelOutcome)
                chunk.append(item)
        return chunk

    def raise_if_aborted(self) -> None:
        if self.crash is not None:  # pragma: no cover - a bug of the SDK's
            raise self.crash
        error = self.source_error
        if error is not None:
            raise BatchAborted(
                f"the iterable of ids raised {type(error).__name__}: {error}; no more ids "
                "were taken, and every request already sent was reported",
                error=error,
            ) from error

    async def _work(self) -> None:
        try:
            while self.source_error is None and self.crash is None and self.sink_error is None:
                try:
                    item = await self.stream.next()
                except asyncio.CancelledError:
                    raise
                except BaseException as error:  # the caller's iterable failed (SystemExit too)
                    self.source_error = error
                    break
                if item is None:
                    break
                index, number_id = item
                settled = self._settle_at_once(index, number_id)
                result: RevokeCancelResult
                repeat_of: int | None = None
                if isinstance(settled, str):  # its path: send it (awaited here, no coroutine more)
                    assert isinstance(number_id, str)  # a valid id, to have a path
                    try:
                        result = await self.revoke(number_id, settled)
                    except Exception as error:
                        result = self._failed(error)
                else:
                    result, repeat_of = settled
                if self.sink is not None:
                    self._hand_to_sink(index, number_id, result, repeat_of)
                    continue
                outcome = RevokeCancelOutcome(
                    index, number_id, result, repeat_of=repeat_of  # type: ignore[arg-type]
                )
                try:
                    self.queue.put_nowait(outcome)  # no coroutine while there is room
                except asyncio.QueueFull:  # the reader is behind: wait for room
                    await self.queue.put(outcome)
        except Exception as bug:  # pragma: no cover - a bug here must not hang the reader
            self.crash = self.crash or bug
        if self.sink is None:
            await self.queue.put(_DONE)

    def _hand_to_sink(
        self, index: int, number_id: object, result: RevokeCancelResult, repeat_of: int | None
    ) -> None:
        assert self.sink is not None
        try:
            self.sink(index, number_id, result, repeat_of)
        except BaseException as error:  # on_result raised: stop, cancel what is in flight
            self.sink_error = self.sink_error or error
            current = asyncio.current_task()
            for worker in self.workers:
                if worker is not current:
                    worker.cancel()

    def _settle_at_once(
        self, index: int, number_id: object
    ) -> str | tuple[RevokeCancelResult, int | None]:
        """The id's request path, to send; or, for an id not to send, its result and the
        index it repeats (if it does)."""
        try:
            path = number_path(number_id, "revoke-cancel")  # the one check of the id
        except (TypeError, ValueError) as invalid:
            return invalid, None
        assert isinstance(number_id, str)
        first = self.first_index.setdefault(number_id, index)
        if first != index:
            repeat = ValueError(
                f"{number_id!r} repeats the id at index {first}: sent once, reported there"
            )
            return repeat, first
        if self.refusal is not None:
            return refusal_copy(self.refusal), None
        return path

    def _failed(self, error: Exception) -> Exception:
        """A request's error as its id's result; a refused key stops the batch's sending."""
        # Kept without its traceback: the frames it holds would cost kilobytes per id in a
        # batch of 100,000 refusals (the error's own text says what happened).
        error = error.with_traceback(None)
        if isinstance(error, _KEY_REFUSED) and self.refusal is None:
            self.refusal = detached(error)
        return error


class OutcomeStream:
    """``async for outcome in stream``: what ``revoke_cancel_iter`` returns.

    Outcomes come in completion order, one per input position. Use ``async with`` (or call
    :meth:`aclose`) to stop early and have the requests in flight cancelled at once; a
    stream abandoned after a ``break`` is closed by the event loop when it is collected.
    """

    def __init__(self, revoke: Revoke, ids: Iterable[str] | AsyncIterable[str], concurrency: int):
        self._revoke = revoke
        self._ids = _IdStream(ids)  # checks the iterable now, before any request
        self._concurrency = concurrency
        self._outcomes: AsyncGenerator[RevokeCancelOutcome, None] | None = None
        self._taken = False

    def __aiter__(self) -> OutcomeStream:
        return self

    async def __anext__(self) -> RevokeCancelOutcome:
        if self._outcomes is None:
            if self._taken:  # read through chunks(), or closed before the first outcome
                raise StopAsyncIteration
            self._outcomes = _stream(self._engine())
        return await anext(self._outcomes)

    async def aclose(self) -> None:
        """Stop: take no more ids, cancel what is in flight, and wait for the workers."""
        if self._outcomes is not None:
            await self._outcomes.aclose()
        self._taken = True

    async def __aenter__(self) -> OutcomeStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def chunks(self, limit: int) -> AsyncGenerator[list[RevokeCancelOutcome], None]:
        """The same outcomes, in lists of up to ``limit`` already settled (for the sync
        client: one hop of its portal per list, not per outcome). Taken instead of
        iterating, not as well."""
        if self._taken or self._outcomes is not None:
            raise RuntimeError("this stream of outcomes was already read")
        self._taken = True
        return _chunks(self._engine(), limit)

    async def run_into(self, sink: Sink) -> None:
        """Every outcome to ``sink``, called by the worker that settled it, with no queue
        and no reader task between (``revoke_cancel_many``). Taken instead of iterating.
        If ``sink`` raises, the requests in flight are cancelled and its error is raised."""
        if self._taken or self._outcomes is not None:
            raise RuntimeError("this stream of outcomes was already read")
        self._taken = True
        await _Engine(self._revoke, self._ids, self._concurrency, sink).run_to_end()

    def _engine(self) -> _Engine:
        return _Engine(self._revoke, self._ids, self._concurrency)


# Module functions, not methods: a generator frame holding the stream would make a cycle,
# and an abandoned stream would wait for the garbage collector instead of closing at once.


async def _stream(engine: _Engine) -> AsyncGenerator[RevokeCancelOutcome, None]:
    async with engine.running():
        while (outcome := await engine.next()) is not None:
            yield outcome
    engine.raise_if_aborted()


async def _chunks(engine: _Engine, limit: int) -> AsyncGenerator[list[RevokeCancelOutcome], None]:
    async with engine.running():
        while chunk := await engine.take(limit):
            yield chunk
    engine.raise_if_aborted()
