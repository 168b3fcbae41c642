"""A caller's iterator of batch ids, read in a thread of its own instead of on the loop.

A generator may block, or call the very ``Vox`` whose loop would otherwise run it; lists
and other plain containers run no user code and are read on the loop directly.

The reader thread reads a chunk ahead: while the batch takes ids from one chunk, the next
is being read, so the workers seldom wait for the thread (waiting on it, one worker at a
time, is what made a generator slower than a list).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import queue
import threading
from collections.abc import Iterable
from typing import Final

from .._batch import NOTHING_READY

__all__ = ["PLAIN_CONTAINERS", "ThreadedIds", "chunk_size"]


#: Containers whose iteration runs no user code: read on the loop directly.
PLAIN_CONTAINERS: Final = (list, tuple, set, frozenset, dict, range, str, bytes)

_Answer = tuple[list[str], BaseException | None]


def chunk_size(concurrency: object) -> int:
    """How many ids the reader takes at a time for a batch of this concurrency."""
    return max(64, 4 * concurrency) if isinstance(concurrency, int) else 64


class ThreadedIds:
    """``async for`` over a caller's ids, read ``chunk`` at a time by a daemon thread.

    If the batch ends while the generator is blocked, the thread is left to it and keeps
    neither ``close()`` nor the interpreter waiting. :meth:`aclose` (or the end of the ids)
    ends the thread once it is not inside the caller's generator.
    """

    def __init__(self, ids: Iterable[str], *, chunk: int) -> None:
        self._ids = ids
        self._chunk = chunk
        self._buffer: collections.deque[str] = collections.deque()
        self._requests: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._answers: asyncio.Queue[_Answer] | None = None  # bound to the loop on first use
        self._asked = 0  # chunks asked for and not yet answered
        self._ended = False  # the reader found the end (or an error): ask for no more
        self._error: BaseException | None = None
        self._closed = False

    def __aiter__(self) -> ThreadedIds:
        return self

    async def __anext__(self) -> str:
        while not self._buffer:
            if self._closed or (self._ended and not self._asked):
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
                raise StopAsyncIteration
            self._ask()
            if not self._buffer and self._asked:
                self._receive(await self._answers_queue().get())
        if len(self._buffer) <= self._chunk // 2:
            self._ask()  # read ahead while these are taken
        return self._buffer.popleft()

    def next_ready(self) -> object:
        """The next id if one is on hand, else ``NOTHING_READY``: the batch's fast path."""
        if len(self._buffer) <= self._chunk // 2:
            if not self._buffer:
                return NOTHING_READY
            self._ask()
        return self._buffer.popleft()

    async def aclose(self) -> None:
        """Stop the reader thread (at once if it waits for a request)."""
        if not self._closed:
            self._closed = True
            self._buffer.clear()
            self._requests.put(None)

    def _answers_queue(self) -> asyncio.Queue[_Answer]:
        if self._answers is None:
            self._answers = asyncio.Queue()
            loop = asyncio.get_running_loop()
            threading.Thread(
                target=self._read, args=(loop, self._answers), name="voxasync-id-reader",
                daemon=True,
            ).start()
        return self._answers

    def _ask(self) -> None:
        queue_ = self._answers_queue()
        while not queue_.empty():  # answers that came while the buffer was not empty
            self._receive(queue_.get_nowait())
        if not self._ended and not self._closed and self._asked == 0:
            self._asked += 1
            self._requests.put(self._chunk)

    def _receive(self, answer: _Answer) -> None:
        taken, error = answer
        self._asked -= 1
        self._buffer.extend(taken)  # ids read before a failure are still sent
        if error is not None or len(taken) < self._chunk:
            self._ended = True
            self._error = error
            self._requests.put(None)

    def _read(self, loop: asyncio.AbstractEventLoop, answers: asyncio.Queue[_Answer]) -> None:
        iterator = iter(self._ids)
        # Only this thread holds the caller's iterator from here on, so that it is also
        # finalized here, off the loop: a generator's ``finally`` may use this same Vox.
        self._ids = ()
        while (chunk := self._requests.get()) is not None:
            taken: list[str] = []
            error: BaseException | None = None
            try:
                taken.extend(itertools.islice(iterator, chunk))
            except BaseException as exc:  # the caller's generator failed: the batch's error
                error = exc
            try:
                loop.call_soon_threadsafe(answers.put_nowait, (taken, error))
            except RuntimeError:  # the loop is gone
                return
            if error is not None or len(taken) < chunk:
                return
