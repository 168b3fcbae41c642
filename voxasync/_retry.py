"""Retry policy, all of it: what is retried, how long to wait, and when a retry converges.

The retry loop lives in the request pipeline (``_pipeline``); this module answers its
questions, as pure functions:

- :func:`retry_wait`: retry this failure? after how many seconds?
- :func:`retry_after_seconds`: what did ``retry-after-ms`` / ``Retry-After`` ask for? Read
  once per answer, when the pipeline builds the error (``APIStatusError.retry_after``).
- :func:`beyond_cap`: is a requested wait too long to sleep (:data:`MAX_RETRY_AFTER`)?
- :func:`is_refusal` and :func:`may_have_taken_effect`: the two halves of convergence for
  calls that are not idempotent.

The pacer that a 429 pauses lives in ``_pacer``.

Why not a retry library (stamina, tenacity): we need Retry-After to drive the wait, a wait
above a cap to *raise* instead of sleep, a pause shared across tasks, and a test switch that
is ours alone (stamina's is process-global and also changes the number of attempts).
Those are most of the logic; the loop around them is a dozen lines.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import attrs

from .errors import APIConnectionError, APIStatusError, InternalServerError, VoxError

__all__ = [
    "DEFAULT_BACKOFF",
    "MAX_RETRY_AFTER",
    "Backoff",
    "beyond_cap",
    "instant_retries",
    "is_refusal",
    "is_retryable",
    "may_have_taken_effect",
    "retry_after_seconds",
    "retry_wait",
    "scaled",
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
    requested = error.retry_after if isinstance(error, APIStatusError) else None
    if requested is not None:
        return None if beyond_cap(requested) else scaled(requested)
    return scaled(backoff.delay(retry_number))


def beyond_cap(requested: float | None) -> bool:
    """Whether a server-requested wait is too long to sleep: raise (or refuse) instead."""
    return requested is not None and requested > MAX_RETRY_AFTER


def scaled(seconds: float) -> float:
    """A wait as it is really slept: zero inside :func:`instant_retries`."""
    return seconds * _wait_scale


def is_refusal(error: VoxError) -> bool:
    """A 4xx that says "not in a state for this", rather than auth, absence or throttling.

    After an attempt that may have taken effect, such a refusal may mean "already done".
    """
    return (
        isinstance(error, APIStatusError)
        and 400 <= error.status_code < 500
        and error.status_code not in (401, 403, 404, 408, 429)
    )


def may_have_taken_effect(error: VoxError) -> bool:
    """Whether the server may have acted on an attempt that failed with ``error``."""
    if isinstance(error, InternalServerError):
        return True
    return isinstance(error, APIConnectionError) and error.request_may_have_been_sent
