"""Cursor pagination: ``async for item in pager`` follows ``next_cursor`` to the last page.

A pager is lazy: nothing is sent until it is iterated. Each resource gives it a function
that fetches one page from a cursor; the sync facade wraps the same pager.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from .errors import APIResponseValidationError

__all__ = ["AsyncPager", "Page"]

ItemT = TypeVar("ItemT")


class Page(Protocol[ItemT]):
    """What every list endpoint answers: ``{items, total_count, next_cursor}``."""

    @property
    def items(self) -> list[ItemT]: ...

    @property
    def total_count(self) -> int | None: ...

    @property
    def next_cursor(self) -> str | None: ...


class AsyncPager(Generic[ItemT]):
    """``async for item in pager``; :meth:`pages` gives each page with its ``total_count``."""

    def __init__(self, fetch: Callable[[str | None], Awaitable[Page[ItemT]]]) -> None:
        self._fetch = fetch

    async def fetch_page(self, cursor: str | None = None) -> Page[ItemT]:
        """One page, starting at ``cursor`` (``None`` for the first)."""
        return await self._fetch(cursor)

    async def pages(self) -> AsyncGenerator[Page[ItemT], None]:
        """Each page in turn, until ``next_cursor`` is null; a repeated cursor is an error."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = await self._fetch(cursor)
            yield page
            if page.next_cursor is None:
                return
            if page.next_cursor in seen:
                raise APIResponseValidationError(
                    f"the server sent cursor {page.next_cursor!r} twice; stopping, not looping",
                    status_code=200,
                    body="",
                )
            cursor = page.next_cursor
            seen.add(cursor)

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        async for page in self.pages():
            for item in page.items:
                yield item
