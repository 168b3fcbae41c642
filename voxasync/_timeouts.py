"""Attempt timeouts: one loop timer per timeout length, not one per request.

aiohttp bounds a request's total time with a loop timer of its own, a timer context entered
around each read, and a cancelled timer left in the loop's heap: about 25,000 of a call's
500,000 CPU instructions (measured, ``BENCHMARKS.md``). So the transport hands aiohttp no
total and keeps it here instead.

Attempts that share a timeout length reach their deadlines in the order they started. One
ordered set per length (a dict, oldest first) holds the attempts in flight, and one timer,
armed for the oldest, serves them all: starting an attempt is one dict insert, ending it one
dict delete. When the timer fires it cancels the task of every attempt whose deadline has
passed and arms itself again for the oldest one left; a length with nothing left in flight is
forgotten. Closing the client leaves the timers armed: calls in flight on a session of the
user's (which closing does not close) stay bounded.

A cancelled attempt raises ``TimeoutError`` where it was waiting, as under ``asyncio.timeout``:
:func:`timed_out` takes the cancellation back (``Task.uncancel``) unless the task was also
cancelled by someone else, whose ``CancelledError`` then goes on.
"""

from __future__ import annotations

import asyncio

__all__ = ["AttemptTimer", "Limit", "timed_out"]


class Limit:
    """One attempt's bound: when it ends, and the task to cancel then."""

    __slots__ = ("cancelling", "deadline", "expired", "group", "task")

    def __init__(self, deadline: float, task: asyncio.Task[object], group: _Group) -> None:
        self.deadline = deadline
        self.task = task
        self.group = group
        self.cancelling = task.cancelling()  # cancellations asked for before ours
        self.expired = False

    def finish(self) -> None:
        """The attempt is over (whatever its outcome): it no longer needs bounding."""
        self.group.limits.pop(self, None)


class _Group:
    """The attempts in flight with one timeout length, oldest first, and their timer."""

    __slots__ = ("limits", "seconds", "timer")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.limits: dict[Limit, None] = {}
        self.timer: asyncio.TimerHandle | None = None


class AttemptTimer:
    """The attempt timeouts of one transport, on the loop it is bound to."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._groups: dict[float, _Group] = {}

    def start(self, seconds: float) -> Limit:
        """Bound the current task's attempt to ``seconds`` from now."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("an attempt runs in a task")
        group = self._groups.get(seconds)
        if group is None:
            group = self._groups[seconds] = _Group(seconds)
        limit = Limit(self._loop.time() + seconds, task, group)
        if group.timer is None:
            group.timer = self._loop.call_at(limit.deadline, self._fire, group)
        group.limits[limit] = None
        return limit

    def _fire(self, group: _Group) -> None:
        now = self._loop.time()
        due: list[Limit] = []
        oldest_left: Limit | None = None
        for limit in group.limits:  # oldest first: stop at the first still in time
            if limit.deadline > now:
                oldest_left = limit
                break
            due.append(limit)
        for limit in due:
            del group.limits[limit]
            limit.expired = True
            limit.task.cancel()
        if oldest_left is not None:
            group.timer = self._loop.call_at(oldest_left.deadline, self._fire, group)
        else:
            group.timer = None
            if self._groups.get(group.seconds) is group:
                del self._groups[group.seconds]


def timed_out(limit: Limit | None) -> bool:
    """For an attempt that got ``CancelledError``: whether that was its timeout alone, in
    which case the cancellation is taken back and the attempt should raise a timeout."""
    if limit is None or not limit.expired:
        return False
    return limit.task.uncancel() <= limit.cancelling
