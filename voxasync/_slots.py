"""Connection slots: how many requests a transport lets hold a connection at once.

``asyncio.Semaphore`` does this job, but on every request, even when a slot is free, it
costs a coroutine and a generator expression over its waiters (about 8,000 CPU instructions
a call with its release, counted with cachegrind). :class:`Slots` keeps its contract (first
come, first served; a slot handed to a waiter that is stopped at that moment goes on to the
next one) with a plain method on that path: ``take_now()``, and ``await take()`` only when
it says no.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib

__all__ = ["Slots"]


class Slots:
    """``size`` slots. A slot freed while others wait passes straight to the oldest of
    them, so ``free`` stays 0 and nobody can take it out of turn."""

    __slots__ = ("_waiters", "free", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self.free = size
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def taken(self) -> int:
        """Slots held right now."""
        return self.size - self.free

    def take_now(self) -> bool:
        """Take a slot if one is free and nobody waits for one; False if the caller must
        ``await take()``."""
        if self.free and not self._waiters:
            self.free -= 1
            return True
        return False

    async def take(self) -> None:
        """Wait for a slot, behind everyone already waiting."""
        if self.take_now():
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:  # cancelled, or the coroutine closed (GeneratorExit)
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot just as it was stopped: pass it on
            else:
                waiter.cancel()  # no release hands a slot to it any more
                with contextlib.suppress(ValueError):  # a release may have dropped it
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        """Give a slot back: to the oldest waiter still waiting, or to the free ones."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():  # a cancelled waiter is skipped
                waiter.set_result(None)
                return
        self.free += 1
