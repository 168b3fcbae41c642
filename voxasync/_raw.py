"""``with_raw_response``: a call's record together with the HTTP answer it came from.

A resource declares its raw twin in one line per method::

    class AsyncThingsWithRawResponse(RawResource[AsyncThings]):
        retrieve = raw(AsyncThings.retrieve)

:func:`raw` keeps the method's exact arguments (``ParamSpec``) and makes it return a
:class:`RawResponse` of what it returned. It works by a context variable: :func:`call_raw` sets
a fresh :class:`AnswerLog` for the call, and the pipeline, on each attempt, counts it and
logs the answer there. A call made without ``with_raw_response`` finds ``None`` and logs
nothing, so the hot path pays one ``ContextVar.get()`` per attempt.

What a raw response describes, for a call that needed several requests: the *last* answer, the
one whose body became the record. For a ``revoke_cancel`` whose retry was refused and then
recovered by a ``GET``, that is the ``GET``'s answer; ``retries_taken`` counts every attempt
after the first, the ``GET`` included.
"""

from __future__ import annotations

import datetime as _dt
import functools
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from multidict import CIMultiDictProxy

from ._transport import Answer
from .errors import request_id_of

__all__ = ["ANSWER_LOG", "AnswerLog", "RawResource", "RawResponse", "call_raw", "raw"]

P = ParamSpec("P")
T = TypeVar("T")
ResourceT = TypeVar("ResourceT")


class AnswerLog:
    """The attempts of one raw call, and the last answer it got."""

    __slots__ = ("answer", "attempts")

    def __init__(self) -> None:
        self.attempts = 0
        self.answer: Answer | None = None


ANSWER_LOG: ContextVar[AnswerLog | None] = ContextVar("voxasync_answer_log", default=None)
"""Set only while a ``with_raw_response`` call runs; the pipeline logs attempts into it."""


class RawResponse(Generic[T]):
    """The HTTP answer behind a record, from ``resource.with_raw_response.<method>(...)``.

    Attributes:
        status_code: the HTTP status of the answer the record came from.
        headers: its headers, case-insensitive (rate-limit headers are read here).
        request_id: the server's ``x-request-id`` (or ``request-id``) header: quote it to
            vox.ai support. ``None`` when the server sent none.
        retries_taken: requests made after the first one (0 when the first one answered).
        elapsed: the whole call's time, all attempts and waits included.
    """

    __slots__ = ("_record", "elapsed", "headers", "retries_taken", "status_code")

    def __init__(
        self,
        record: T,
        *,
        status_code: int,
        headers: CIMultiDictProxy[str],
        retries_taken: int,
        elapsed: _dt.timedelta,
    ) -> None:
        self._record = record
        self.status_code = status_code
        self.headers = headers
        self.retries_taken = retries_taken
        self.elapsed = elapsed

    @property
    def request_id(self) -> str | None:
        return request_id_of(self.headers)

    def parse(self) -> T:
        """The record, exactly what the same call without ``with_raw_response`` returns."""
        return self._record

    def __repr__(self) -> str:
        return (
            f"RawResponse(status_code={self.status_code}, request_id={self.request_id!r}, "
            f"retries_taken={self.retries_taken}, record={type(self._record).__name__})"
        )


async def call_raw(
    method: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
) -> RawResponse[T]:
    """Await ``method(*args, **kwargs)`` and return its record with the answer behind it."""
    log = AnswerLog()
    token = ANSWER_LOG.set(log)
    started = time.perf_counter()
    try:
        record = await method(*args, **kwargs)
    finally:
        ANSWER_LOG.reset(token)
    elapsed = _dt.timedelta(seconds=time.perf_counter() - started)
    if log.answer is None:  # pragma: no cover - every record comes from an answer
        raise RuntimeError(f"{getattr(method, '__name__', method)!r} made no request")
    return RawResponse(
        record,
        status_code=log.answer.status,
        headers=log.answer.headers,
        retries_taken=log.attempts - 1,
        elapsed=elapsed,
    )


class RawResource(Generic[ResourceT]):
    """The ``with_raw_response`` view of a resource: its methods, returning raw responses."""

    def __init__(self, resource: ResourceT) -> None:
        self._resource = resource


class _RawMethod(Generic[P, T]):
    """The descriptor behind :func:`raw`."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self.__name__ = method.__name__
        self.__doc__ = method.__doc__
        self.__wrapped__ = method

    @overload
    def __get__(self, view: None, owner: type) -> Self: ...
    @overload
    def __get__(
        self, view: RawResource[Any], owner: type
    ) -> Callable[P, Awaitable[RawResponse[T]]]: ...
    def __get__(
        self, view: RawResource[Any] | None, owner: type
    ) -> Self | Callable[P, Awaitable[RawResponse[T]]]:
        if view is None:
            return self
        bound = getattr(view._resource, self.__name__)
        method = functools.update_wrapper(functools.partial(call_raw, bound), bound)
        view.__dict__[self.__name__] = method  # later lookups skip the descriptor
        return method

    def __call__(
        self, view: RawResource[Any], *args: P.args, **kwargs: P.kwargs
    ) -> Awaitable[RawResponse[T]]:
        """``AsyncThingsWithRawResponse.retrieve(view, ...)``: how a sync twin calls it."""
        return self.__get__(view, type(view))(*args, **kwargs)


def raw(method: Callable[Concatenate[Any, P], Awaitable[T]]) -> _RawMethod[P, T]:
    """The raw twin of an async resource method: same arguments, returns a RawResponse."""
    return _RawMethod(method)
