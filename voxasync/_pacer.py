"""The pace a group of calls shares: a request-rate cap, and the pause after a 429.

A client with ``rate_limit=`` has one; a batch has its own, whose parent is the client's.
Every call that shares a pacer waits its turn in :meth:`Pacer.wait_turn`, so a 429 slows a
whole batch at once instead of each task retrying on its own.
"""

from __future__ import annotations

import asyncio
import copy

from multidict import CIMultiDict

from ._retry import DEFAULT_BACKOFF, beyond_cap, scaled
from ._types import check_positive
from .errors import APIStatusError, RateLimitError

__all__ = ["Pacer", "detached", "refusal_copy"]


class Pacer:
    """Spaces request starts to ``rate_limit`` per second, and holds them after a 429.

    Shared by every call of one batch (or one client, with ``AsyncVox(rate_limit=...)``).
    A 429 pauses every request that shares the pacer for the wait the server asked for; a
    wait beyond :data:`MAX_RETRY_AFTER` is not sat out: until it ends, requests fail at once
    with a copy of that ``RateLimitError`` instead of being sent. A batch's pacer has the
    client's as its ``parent``: both rate caps hold, and a 429 holds both.
    Bound to no loop until first used, so it can be built anywhere.
    """

    def __init__(self, rate_limit: float | None = None, *, parent: Pacer | None = None) -> None:
        self._interval = 0.0
        if rate_limit is not None:
            self._interval = 1.0 / check_positive("rate_limit", rate_limit, unit="requests/s")
        self._parent = parent
        self._next_start = 0.0
        self._paused_until = 0.0
        self._refusal: APIStatusError | None = None
        self._refused_until = 0.0

    def clear_to_start(self) -> bool:
        """Whether a request may surely start now, without waiting or claiming a rate slot:
        no rate cap, and no pause or refusal ever set, here or in a parent. Lets a batch
        without ``rate_limit`` skip :meth:`wait_turn` until its first 429."""
        if self._interval or self._paused_until or self._refusal is not None:
            return False
        return self._parent is None or self._parent.clear_to_start()

    async def wait_turn(self) -> None:
        """Wait until this request may start; raise the standing refusal if there is one."""
        loop = asyncio.get_running_loop()
        claimed = False  # a rate-limit slot is ours; a pause or refusal still voids it
        while True:
            now = loop.time()
            if self._refusal is not None and now < self._refused_until:
                raise refusal_copy(self._refusal, self._refused_until - now)
            if self._paused_until > now:
                claimed = False
                await asyncio.sleep(self._paused_until - now)
                continue
            if claimed:
                break
            if self._next_start <= now:
                self._next_start = now + self._interval
                break
            # Claim the next slot now, so that concurrent waiters queue behind us; then
            # look again when it comes, in case a 429 arrived meanwhile.
            slot = self._next_start
            self._next_start = slot + self._interval
            claimed = True
            await asyncio.sleep(slot - now)
        if self._parent is not None:
            await self._parent.wait_turn()

    def pause(self, seconds: float) -> None:
        """Hold every request that shares this pacer for ``seconds`` from now."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until = max(self._paused_until, until)
        if self._parent is not None:
            self._parent.pause(seconds)

    def rate_limited(self, error: RateLimitError, planned_wait: float | None) -> None:
        """React to a 429, whether or not the call that met it will retry.

        ``planned_wait`` is that call's own wait before its retry, or None if it won't retry.
        """
        requested = error.retry_after  # read from the headers once, when the error was built
        if requested is not None and beyond_cap(requested):
            self._refuse(error, requested)
        elif planned_wait is not None:
            self.pause(planned_wait)
        else:
            self.pause(scaled(DEFAULT_BACKOFF.delay(0) if requested is None else requested))

    def _refuse(self, error: APIStatusError, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        if until > self._refused_until:
            # A refused call's own error (a copy of the standing refusal) brings nothing new.
            if self._refusal is None or error.headers is not self._refusal.headers:
                self._refusal = detached(error)
            self._refused_until = until
        if self._parent is not None:
            self._parent._refuse(error, seconds)


def refusal_copy(error: APIStatusError, remaining: float | None = None) -> APIStatusError:
    """A fresh error for a request refused locally (one exception object per failure).

    Small, since a batch may keep 100,000 of them: a new exception whose attributes are the
    template's own objects (message, headers, details, body; the SDK never mutates them),
    with no traceback or context until it is raised. The template is a :func:`detached`
    copy. ``remaining`` is a 429's wait left, set as ``retry_after``.
    """
    refusal = copy.copy(error)  # via VoxError.__reduce__: a new __dict__, the same values
    if isinstance(refusal, RateLimitError) and remaining is not None:
        refusal.retry_after = remaining
    return refusal


def detached(error: APIStatusError) -> APIStatusError:
    """The template refusals are copied from: its own headers and details, so that a caller
    who mutates the error it caught changes no refusal, and no traceback (its frames would
    keep the call that met the 429 alive)."""
    template = copy.copy(error)
    template.headers = CIMultiDict(error.headers)
    template.details = dict(error.details)
    return template
