"""Which failures are retried, how long to wait, and the pacing shared by a batch.

The retry loop itself lives in the request pipeline (``_client.AsyncVox._request``); this
module answers its questions:

- :func:`retry_wait`: retry this failure? after how many seconds?
- :func:`retry_after_seconds`: what did ``retry-after-ms`` / ``Retry-After`` ask for?
- :class:`Pacer`: a request-rate cap and a pause that every call sharing it honours, so a
  429 slows a whole batch at once instead of each task retrying on its own.

Why not a retry library (stamina, tenacity): we need Retry-After to drive the wait, a wait
above a cap to *raise* instead of sleep, a pause shared across tasks, and a test switch that
is ours alone (stamina's is process-global and also changes the number of attempts).
Those are most of the logic; the loop around them is a dozen lines.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import email.utils
import math
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import attrs
from multidict import CIMultiDict

from ._types import check_positive
from .errors import APIConnectionError, APIStatusError, RateLimitError, VoxError

__all__ = [
    "MAX_RETRY_AFTER",
    "Backoff",
    "Pacer",
    "instant_retries",
    "retry_after_seconds",
    "retry_wait",
]

#: A server-requested wait longer than this is not slept: the error is raised instead.
MAX_RETRY_AFTER = 60.0

#: Multiplies every wait; :func:`instant_retries` sets it to 0.
_wait_scale = 1.0


@contextmanager
def instant_retries() -> Iterator[None]:
    """Within this block, retries (backoff and Retry-After waits) wait no real time.

    Process-wide and not thread-local, so that it also reaches a sync ``Vox``'s own thread.
    Re-exported as ``voxasync.testing.instant_retries``.
    """
    global _wait_scale
    previous = _wait_scale
    _wait_scale = 0.0
    try:
        yield
    finally:
        _wait_scale = previous


@attrs.frozen(kw_only=True)
class Backoff:
    """Exponential backoff with jitter: ``initial * 2**n``, capped, minus up to ``jitter``."""

    initial: float = 0.5
    maximum: float = 8.0
    jitter: float = 0.25
    """Fraction of the wait taken off at random, so concurrent retries spread out."""

    def delay(self, retry_number: int) -> float:
        base: float = min(self.maximum, self.initial * (2.0**retry_number))
        return base * (1 - self.jitter * random.random())


DEFAULT_BACKOFF = Backoff()


def is_retryable(error: VoxError) -> bool:
    """Connection errors, timeouts, 408, 429 and 5xx are retried; other errors never."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, APIStatusError):
        status = error.status_code
        return status in (408, 429) or status >= 500
    return False


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, else ``Retry-After`` (seconds or date)."""
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return max(0.0, _decimal(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, _decimal(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        # The asctime form ("Sun Nov  6 08:49:37 1994") has no zone; HTTP dates are GMT.
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _decimal(value: str) -> float:
    """A finite number of seconds; ``ValueError`` for ``nan``, ``inf``, ``1_0`` and the like."""
    number = float(value)
    if "_" in value or not math.isfinite(number):
        raise ValueError(f"not a finite decimal number: {value!r}")
    return number


def retry_wait(
    error: VoxError, retry_number: int, backoff: Backoff = DEFAULT_BACKOFF
) -> float | None:
    """Seconds to wait before retry number ``retry_number`` (0-based), or None: don't retry.

    A Retry-After above :data:`MAX_RETRY_AFTER` also gives None: the caller raises the error,
    whose ``retry_after`` tells the user how long the server wants.
    """
    if not is_retryable(error):
        return None
    requested = None
    if isinstance(error, APIStatusError):
        requested = retry_after_seconds(error.headers)
    if requested is not None:
        if requested > MAX_RETRY_AFTER:
            return None
        return requested * _wait_scale
    return backoff.delay(retry_number) * _wait_scale


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

    async def wait_turn(self) -> None:
        """Wait until this request may start; raise the standing refusal if there is one."""
        loop = asyncio.get_running_loop()
        claimed = False  # a rate-limit slot is ours; a pause or refusal still voids it
        while True:
            now = loop.time()
            if self._refusal is not None and now < self._refused_until:
                raise _refusal_copy(self._refusal, self._refused_until - now)
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
        if requested is not None and requested > MAX_RETRY_AFTER:
            self._refuse(error, requested)
        elif planned_wait is not None:
            self.pause(planned_wait)
        else:
            self.pause((DEFAULT_BACKOFF.delay(0) if requested is None else requested) * _wait_scale)

    def _refuse(self, error: APIStatusError, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        if until > self._refused_until:
            # A copy: the original's traceback would keep its frames (and the client) alive.
            self._refusal = _refusal_copy(error, seconds)
            self._refused_until = until
        if self._parent is not None:
            self._parent._refuse(error, seconds)


def _refusal_copy(error: APIStatusError, remaining: float) -> APIStatusError:
    """A fresh error for a request refused locally (one exception object per failure)."""
    refusal = copy.copy(error)  # via VoxError.__reduce__: no traceback comes along
    refusal.headers = CIMultiDict(error.headers)
    refusal.details = dict(error.details)
    if isinstance(refusal, RateLimitError):
        refusal.retry_after = remaining
    return refusal
