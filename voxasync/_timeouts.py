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
forgotten then. Closing the client leaves the timers armed: calls in flight on a session of
the user's (which closing does not close) stay bounded.

Only the first ``KEPT_LENGTHS`` lengths in use are kept that way. Past them (a caller passing
a different timeout to every call), a length's timer is cancelled, and the length forgotten,
as soon as its last attempt ends: one timer per attempt, as aiohttp does, and nothing left
behind.

The transport sees an expired attempt as a ``CancelledError`` where it was waiting, asks
:func:`timed_out` whether that was the timeout alone, and raises its own timeout error; as
under ``asyncio.timeout``, a cancellation from anyone else goes on.
"""

from __future__ import annotations

import asyncio
from typing import Final

__all__ = ["KEPT_LENGTHS", "AttemptTimer", "Limit", "timed_out"]


KEPT_LENGTHS: Final = 8
"""How many timeout lengths keep a timer armed between attempts (see the module's doc)."""

_EARLY: Final = 0.001
"""A deadline this close counts as passed: uvloop rounds timers to the millisecond, and would
otherwise fire a moment early and again at once until the clock catches up."""


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
        group = self.group
        group.limits.pop(self, None)
        if group.transient is not None and not group.limits:
            group.forget(group.transient)


class _Group:
    """The attempts in flight with one timeout length, oldest first, and their timer."""

    __slots__ = ("limits", "seconds", "timer", "transient")

    def __init__(self, seconds: float, transient: dict[float, _Group] | None) -> None:
        self.seconds = seconds
        self.limits: dict[Limit, None] = {}
        self.timer: asyncio.TimerHandle | None = None
        # Past KEPT_LENGTHS: the groups it is forgotten from once it has nothing in flight.
        self.transient = transient

    def forget(self, groups: dict[float, _Group]) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if groups.get(self.seconds) is self:
            del groups[self.seconds]


class AttemptTimer:
    """The attempt timeouts of one transport, on the loop it is bound to."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._groups: dict[float, _Group] = {}

    def start(self, seconds: float) -> Limit:
        """Bound the current task's attempt to ``seconds`` from now."""
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("an attempt runs in a task")
        groups = self._groups
        group = groups.get(seconds)
        if group is None:
            transient = groups if len(groups) >= KEPT_LENGTHS else None
            group = groups[seconds] = _Group(seconds, transient)
        limit = Limit(self._loop.time() + seconds, task, group)
        if group.timer is None:
            group.timer = self._loop.call_at(limit.deadline, self._fire, group)
        group.limits[limit] = None
        return limit

    def _fire(self, group: _Group) -> None:
        group.timer = None
        now = self._loop.time() + _EARLY
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
            try:
                limit.task.cancel()
            except Exception as exc:  # a task class of the user's: the others still expire
                self._loop.call_exception_handler({
                    "message": "voxasync could not cancel a timed-out attempt's task",
                    "exception": exc,
                })
        if oldest_left is not None:
            group.timer = self._loop.call_at(oldest_left.deadline, self._fire, group)
        else:
            group.forget(self._groups)


def timed_out(limit: Limit | None) -> bool:
    """For an attempt that got ``CancelledError``: whether that was its timeout alone.

    If its timer fired, our cancellation is taken back (``Task.uncancel``) either way; True
    when no other was asked for meanwhile (the attempt should then raise a timeout), False
    when someone else cancelled the task too (the ``CancelledError`` should go on)."""
    if limit is None or not limit.expired:
        return False
    return limit.task.uncancel() <= limit.cancelling
