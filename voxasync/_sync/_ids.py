"""A caller's iterator of batch ids, read in a thread of its own instead of on the loop.

A generator may block, or call the very ``Vox`` whose loop would otherwise run it; lists
and other plain containers run no user code and are read on the loop directly.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
from collections.abc import AsyncIterator, Iterable
from typing import Final

__all__ = ["PLAIN_CONTAINERS", "read_off_the_loop"]


#: Containers whose iteration runs no user code: read on the loop directly.
PLAIN_CONTAINERS: Final = (list, tuple, set, frozenset, dict, range, str, bytes)


async def read_off_the_loop(ids: Iterable[str], *, chunk: int) -> AsyncIterator[str]:
    """Yield a caller's ids, read ``chunk`` at a time in a thread of their own, not on the loop.

    A generator may block, or call the very client whose loop would otherwise run it. The
    reader is a daemon thread: if the batch ends while the generator is blocked, the thread
    is left to it and keeps neither ``close()`` nor the interpreter waiting.
    """
    loop = asyncio.get_running_loop()
    requests: queue.SimpleQueue[asyncio.Future[tuple[list[str], BaseException | None]] | None]
    requests = queue.SimpleQueue()

    def read() -> None:
        iterator = iter(ids)
        while (answer := requests.get()) is not None:
            taken: list[str] = []
            error: BaseException | None = None
            try:
                taken.extend(itertools.islice(iterator, chunk))
            except BaseException as exc:  # the caller's generator failed: the batch's error
                error = exc
            try:
                loop.call_soon_threadsafe(_answer, answer, (taken, error))
            except RuntimeError:  # the loop is gone
                return
            if error is not None or not taken:
                return

    threading.Thread(target=read, name="voxasync-id-reader", daemon=True).start()
    try:
        while True:
            answer: asyncio.Future[tuple[list[str], BaseException | None]]
            answer = loop.create_future()
            requests.put(answer)
            taken, error = await answer
            for number_id in taken:  # ids read before a failure are still sent
                yield number_id
            if error is not None:
                raise error
            if not taken:
                return
    finally:
        requests.put(None)  # a reader waiting for a request ends


def _answer(
    future: asyncio.Future[tuple[list[str], BaseException | None]],
    value: tuple[list[str], BaseException | None],
) -> None:
    if not future.done():
        future.set_result(value)
