"""Sync twins of async resource methods, generated with full types.

A sync resource class declares each twin in one line::

    class OrganizationTelephoneNumbers(SyncResource[AsyncOrganizationTelephoneNumbers]):
        retrieve = blocking(AsyncOrganizationTelephoneNumbers.retrieve)
        list = paging(AsyncOrganizationTelephoneNumbers.list)

:func:`blocking` gives a method with the async method's exact signature (for mypy, through
``ParamSpec``; at run time, through ``__wrapped__``) that runs it on the client's loop and
returns its result. :func:`paging` does the same for a method that returns an
:class:`~voxasync._pagers.AsyncPager`, giving a :class:`SyncPager`.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Iterator
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from .._pagers import AsyncPager, Page
from ..errors import VoxError
from ._lifetime import Lifetime

__all__ = ["SyncPager", "SyncResource", "blocking", "close_quietly", "paging", "pull_chunks"]

P = ParamSpec("P")
T = TypeVar("T")
ItemT = TypeVar("ItemT")
AsyncResourceT = TypeVar("AsyncResourceT")


class SyncResource(Generic[AsyncResourceT]):
    """A resource of the sync client: its async twin, and the lifetime that runs it."""

    def __init__(self, lifetime: Lifetime, async_resource: AsyncResourceT) -> None:
        self._lifetime = lifetime  # keeps the client alive while this is in use
        self._async = async_resource


class SyncPager(Generic[ItemT]):
    """``for item in pager``, page by page, each page fetched on the client's loop."""

    def __init__(self, lifetime: Lifetime, pager: AsyncPager[ItemT]) -> None:
        self._lifetime = lifetime  # keeps the client alive while the pages are read
        self._pager = pager

    def pages(self) -> Iterator[Page[ItemT]]:
        """Each page in turn, until ``next_cursor`` is null."""
        return pull(self._lifetime, self._pager.pages())

    def __iter__(self) -> Iterator[ItemT]:
        for page in self.pages():
            yield from page.items


def close_quietly(lifetime: Lifetime, aclose: Callable[[], Awaitable[object]]) -> None:
    """Run ``aclose`` on the loop; a client already closed (or this being its own loop
    thread, for a generator collected there) leaves it to the loop's own finalizers."""
    with contextlib.suppress(VoxError, RuntimeError):
        lifetime.call(aclose)


def pull(
    lifetime: Lifetime, items: AsyncGenerator[ItemT, None], *also_close: Any
) -> Generator[ItemT, None, None]:
    """A sync iterator over ``items``, each fetched on the loop: one hop of the portal each.

    Leaving early (``break``, ``close()``, or being collected, perhaps after the client's
    ``close()``) closes ``items`` on the loop before it returns, then each of
    ``also_close`` (objects with ``aclose``, or None).
    """
    try:
        while True:
            try:
                yield lifetime.call(items.__anext__)
            except StopAsyncIteration:
                return
    finally:
        close_quietly(lifetime, items.aclose)
        for resource in also_close:
            if resource is not None:
                close_quietly(lifetime, resource.aclose)


def pull_chunks(
    lifetime: Lifetime,
    chunks: AsyncGenerator[list[ItemT], None],
    *also_close: Any,
) -> Iterator[ItemT]:
    """:func:`pull` over lists of items, flattened: one hop of the portal per list."""
    lists = pull(lifetime, chunks, *also_close)
    try:
        for chunk in lists:
            yield from chunk
    finally:
        lists.close()


class _Twin(Generic[P, T]):
    """The descriptor behind :func:`blocking` and :func:`paging`."""

    def __init__(
        self,
        method: Callable[..., Any],
        wrap: Callable[[SyncResource[Any], Callable[..., Any]], Callable[P, T]],
    ) -> None:
        self._method = method
        self._wrap = wrap
        self.__doc__ = method.__doc__
        self.__wrapped__ = method

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, resource: None, owner: type) -> Self: ...
    @overload
    def __get__(self, resource: SyncResource[Any], owner: type) -> Callable[P, T]: ...
    def __get__(
        self, resource: SyncResource[Any] | None, owner: type
    ) -> Self | Callable[P, T]:
        if resource is None:
            return self
        bound = getattr(resource._async, self._method.__name__)
        twin = functools.update_wrapper(self._wrap(resource, bound), bound)
        resource.__dict__[self._name] = twin  # later lookups skip the descriptor
        return twin


def blocking(method: Callable[Concatenate[Any, P], Awaitable[T]]) -> _Twin[P, T]:
    """The sync twin of an async method: same arguments, returns what it returns."""

    def wrap(resource: SyncResource[Any], bound: Callable[P, Awaitable[T]]) -> Callable[P, T]:
        return functools.partial(resource._lifetime.call, bound)

    return _Twin(method, wrap)


def paging(method: Callable[Concatenate[Any, P], AsyncPager[ItemT]]) -> _Twin[P, SyncPager[ItemT]]:
    """The sync twin of a method that returns an async pager: returns a :class:`SyncPager`."""

    def wrap(
        resource: SyncResource[Any], bound: Callable[P, AsyncPager[ItemT]]
    ) -> Callable[P, SyncPager[ItemT]]:
        def twin(*args: P.args, **kwargs: P.kwargs) -> SyncPager[ItemT]:
            return SyncPager(resource._lifetime, bound(*args, **kwargs))

        return twin

    return _Twin(method, wrap)
