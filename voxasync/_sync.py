"""``Vox``: the blocking facade. Every method runs the very same ``AsyncVox`` coroutine.

One anyio ``BlockingPortal`` runs for the client's whole life, on an event loop in a daemon
thread of its own; the aiohttp session is created on that loop and closed there. Because the
caller's thread never runs a loop itself, ``Vox`` works where a loop is already running (a
Jupyter cell), and any number of threads may share one ``Vox``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import queue
import threading
import warnings
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future, InvalidStateError
from typing import TYPE_CHECKING, Any, Final, Literal, ParamSpec, Self, TypeVar

import anyio

from ._batch import OnResult, RevokeCancelResult
from ._client import DEFAULT_MAX_CONNECTIONS, AsyncVox
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from .errors import VoxError
from .models import (
    OrganizationTelephoneNumber,
    OrganizationTelephoneNumberPage,
    Provider,
    TelephoneNumberTermination,
)
from .resources.organization_telephone_numbers import (
    AsyncOrganizationTelephoneNumberPager,
    AsyncOrganizationTelephoneNumbers,
    StatusFilter,
)

if TYPE_CHECKING:
    # Imported where a portal starts: anyio.from_thread would double what ``import voxasync``
    # costs on top of its dependencies, for async users who never start one.
    from anyio.from_thread import BlockingPortal

__all__ = ["OrganizationTelephoneNumberPager", "OrganizationTelephoneNumbers", "Vox"]

P = ParamSpec("P")
T = TypeVar("T")


class _PortalThread:
    """An event loop with a blocking portal, running in a daemon thread until stopped."""

    def __init__(self, keep_alive: object = None) -> None:
        from anyio.from_thread import BlockingPortal

        ready: Future[tuple[BlockingPortal, asyncio.AbstractEventLoop]] = Future()
        # Set once the loop is stopping or gone: calls are refused from then on.
        self._stopped = False
        # The futures of calls being waited for: failed if the loop ends under them.
        self._waiting: set[Future[Any]] = set()

        async def serve() -> None:
            async with BlockingPortal() as portal:
                ready.set_result((portal, asyncio.get_running_loop()))
                await portal.sleep_until_stopped()

        def main(_keep_alive: object) -> None:
            # ``keep_alive`` (the AsyncVox) stays reachable from this running thread, so when
            # an unclosed Vox is collected, the collector never finalizes the aiohttp session
            # from its own thread (aiohttp would close this loop's transports there):
            # _Lifetime.__del__ has it closed here, on its loop.
            try:
                anyio.run(serve, backend="asyncio")
            except BaseException as exc:  # pragma: no cover - loop failed to start
                if not ready.done():
                    ready.set_exception(exc)
            finally:
                self._stopped = True
                # A call that raced with the end of the loop would otherwise wait forever.
                for future in list(self._waiting):
                    with contextlib.suppress(InvalidStateError):
                        future.set_exception(VoxError(_CLOSED))

        # A daemon thread: an unclosed Vox never keeps the interpreter alive.
        self.thread = threading.Thread(
            target=main, args=(keep_alive,), name="voxasync-portal", daemon=True
        )
        self.thread.start()
        self.portal, self.loop = ready.result()

    def call(self, func: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``func(*args, **kwargs)`` on the portal's loop and wait for its result.

        Its exception, if any, is raised here. If the waiting thread is interrupted (Ctrl-C
        in a notebook), the call is cancelled. Safe from any thread but the loop's own.

        One hop onto the portal's loop, a single wake-up each way, as
        ``asyncio.run_coroutine_threadsafe`` does. (``portal.start_task_soon`` first waits, in
        a round trip of its own, for the task to be spawned in the portal's task group: twice
        the cost, ``bench/run.py`` measures both, for nothing a call needs.) Unlike
        ``run_coroutine_threadsafe``, the future exists before the task is scheduled, so an
        interrupt that lands at any point after that still cancels the call.
        """
        if threading.current_thread() is self.thread:
            raise VoxError("a sync Vox method was called from its own event loop thread")
        if self._stopped:  # the owning Vox was closed
            raise VoxError(_CLOSED)
        future: Future[T] = Future()
        try:
            self._waiting.add(future)
            try:
                self.loop.call_soon_threadsafe(_start_call, self.loop, future, func, args, kwargs)
            except RuntimeError:  # the loop is closed: the owning Vox was closed
                raise VoxError(_CLOSED) from None
            return future.result()
        except CancelledError:
            if self._stopped:  # closed from another thread while this call ran
                raise VoxError(_CLOSED) from None
            raise
        except BaseException:
            future.cancel()
            raise
        finally:
            self._waiting.discard(future)

    def stop(self) -> None:
        """Stop the loop and wait for its thread to end."""
        self._stopped = True
        try:
            self.portal.call(self.portal.stop)
        except RuntimeError:  # already stopped
            pass
        self.thread.join()


_CLOSED: Final = "this client is closed; create a new one"


def _start_call(
    loop: asyncio.AbstractEventLoop,
    future: Future[T],
    func: Callable[..., Awaitable[T]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """On the loop: run ``func(*args, **kwargs)`` as a task whose outcome ``future`` gets.

    Cancelling ``future`` (from any thread) cancels the task.
    """
    if future.cancelled():  # the caller gave up before the call began
        return

    async def run() -> T:
        return await func(*args, **kwargs)

    task = loop.create_task(run())

    def copy_outcome(done: asyncio.Task[T]) -> None:
        if done.cancelled():
            future.cancel()
        if not future.set_running_or_notify_cancel():
            return
        error = done.exception()
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(done.result())

    def cancel_task(settled: Future[T]) -> None:
        if settled.cancelled():
            with contextlib.suppress(RuntimeError):  # the loop is gone: nothing to cancel
                loop.call_soon_threadsafe(task.cancel)

    task.add_done_callback(copy_outcome)
    future.add_done_callback(cancel_task)


#: Containers whose iteration runs no user code: read on the loop directly.
_PLAIN_CONTAINERS: Final = (list, tuple, set, frozenset, dict, range, str, bytes)


async def _read_off_the_loop(ids: Iterable[str], *, chunk: int) -> AsyncIterator[str]:
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


async def _shutdown(client: AsyncVox, portal: BlockingPortal) -> None:
    try:
        await client.aclose()
    finally:
        await portal.stop()


class _Lifetime:
    """What must end once nothing can use a ``Vox`` any more: its session and its thread.

    Held by the ``Vox``, its ``with_options`` copies, its resources and pagers, and never by
    the loop thread. So ``Vox(...).organization_telephone_numbers.retrieve(...)`` keeps it
    alive through the call, and when the last holder is dropped without ``close()``, the
    finalizer warns and lets the thread close the session and stop, without waiting for it.
    """

    def __init__(self, async_client: AsyncVox, portal: _PortalThread) -> None:
        self.async_client = async_client
        self.portal = portal
        self.closed = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.portal.call(self.async_client.aclose)
        finally:
            self.portal.stop()

    def __del__(self) -> None:
        if getattr(self, "closed", True):
            return
        warnings.warn(
            f"unclosed Vox(base_url={self.async_client.base_url!r}): call vox.close() or use "
            "`with Vox() as vox`",
            ResourceWarning,
            source=self,
            stacklevel=2,
        )
        with contextlib.suppress(RuntimeError):  # the loop is already gone (interpreter exit)
            asyncio.run_coroutine_threadsafe(
                _shutdown(self.async_client, self.portal.portal), self.portal.loop
            )


class Vox:
    """Blocking client for the vox.ai API; the same arguments as :class:`AsyncVox`.

    Use it as ``with Vox() as vox:`` or call :meth:`close`. Safe to share across threads.
    (There is no ``session`` argument: the session must live on this client's own loop.)
    """

    organization_telephone_numbers: OrganizationTelephoneNumbers

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = 2,
        deadline: float | None = None,
        rate_limit: float | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        allow_insecure_http: bool = False,
    ) -> None:
        # Configuration errors surface here, before any thread is started.
        async_client = AsyncVox(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            deadline=deadline,
            rate_limit=rate_limit,
            max_connections=max_connections,
            allow_insecure_http=allow_insecure_http,
        )
        portal = _PortalThread(keep_alive=async_client)
        self._setup(async_client, _Lifetime(async_client, portal), owner=True)

    def _setup(self, async_client: AsyncVox, lifetime: _Lifetime, *, owner: bool) -> None:
        self._async = async_client
        self._lifetime = lifetime
        self._owner = owner
        # Resources hold the lifetime, not this Vox: no reference cycle, so an unclosed
        # client is finalized as soon as its last user is dropped.
        self.organization_telephone_numbers = OrganizationTelephoneNumbers(
            lifetime, async_client.organization_telephone_numbers
        )

    @property
    def base_url(self) -> str:
        return self._async.base_url

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> Vox:
        """A client with other defaults sharing this one's thread and connection pool.

        The derived client does not own them: close the original, not the copy.
        """
        derived = object.__new__(Vox)
        derived._setup(
            self._async.with_options(timeout=timeout, max_retries=max_retries, deadline=deadline),
            self._lifetime,
            owner=False,
        )
        return derived

    def close(self) -> None:
        """Close the connection pool and stop the client's thread. Idempotent."""
        if self._owner:
            self._lifetime.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Vox(base_url={self.base_url!r})"


class OrganizationTelephoneNumberPager:
    """``for number in vox.organization_telephone_numbers.list(...)``, page by page."""

    def __init__(self, lifetime: _Lifetime, pager: AsyncOrganizationTelephoneNumberPager) -> None:
        self._lifetime = lifetime  # keeps the client alive while the pages are read
        self._portal = lifetime.portal
        self._pager = pager

    def pages(self) -> Iterator[OrganizationTelephoneNumberPage]:
        """Each page in turn, until ``next_cursor`` is null."""
        pages = self._pager.pages()
        try:
            while True:
                try:
                    yield self._portal.call(pages.__anext__)
                except StopAsyncIteration:
                    return
        finally:
            # Also runs when an abandoned iterator is collected, perhaps after close().
            with contextlib.suppress(VoxError, RuntimeError):
                self._portal.call(pages.aclose)

    def __iter__(self) -> Iterator[OrganizationTelephoneNumber]:
        for page in self.pages():
            yield from page.items


class OrganizationTelephoneNumbers:
    """The numbers your organization owns, blocking: ``vox.organization_telephone_numbers``.

    Each method is the ``AsyncVox`` method of the same name, run on the client's loop.
    """

    def __init__(self, lifetime: _Lifetime, numbers: AsyncOrganizationTelephoneNumbers) -> None:
        self._lifetime = lifetime  # keeps the client alive while this is in use
        self._portal = lifetime.portal
        self._async = numbers

    def revoke_cancel(
        self,
        organization_telephone_number_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Cancel a number's scheduled termination; see ``AsyncVox`` for the details."""
        return self._portal.call(
            self._async.revoke_cancel,
            organization_telephone_number_id,
            timeout=timeout,
            max_retries=max_retries,
        )

    def revoke_cancel_many(
        self,
        organization_telephone_number_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = 8,
        rate_limit: float | None = None,
        on_result: OnResult | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> list[RevokeCancelResult]:
        """Revoke many terminations concurrently; results in input order.

        An iterator or generator of ids is read in a worker thread, a few at a time, so it
        may block or even use this same client (``(n.id for n in vox...list(...))``).
        ``on_result`` runs on the client's own thread.
        """
        ids = organization_telephone_number_ids
        if isinstance(ids, Iterable) and not isinstance(ids, _PLAIN_CONTAINERS):
            ids = _read_off_the_loop(ids, chunk=concurrency if isinstance(concurrency, int) else 1)
        return self._portal.call(
            self._async.revoke_cancel_many,
            ids,
            concurrency=concurrency,
            rate_limit=rate_limit,
            on_result=on_result,
            timeout=timeout,
            max_retries=max_retries,
        )

    def retrieve(
        self,
        organization_telephone_number_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumber:
        """Fetch one number."""
        return self._portal.call(
            self._async.retrieve,
            organization_telephone_number_id,
            timeout=timeout,
            max_retries=max_retries,
        )

    def list(
        self,
        *,
        provider: Provider | str | None = None,
        status: StatusFilter | None = None,
        limit: int | None = None,
        sort_by: Literal["created_at"] | str | None = None,
        sort_order: Literal["asc", "desc"] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> OrganizationTelephoneNumberPager:
        """Iterate numbers, following ``next_cursor``; arguments are checked right away."""
        pager = self._async.list(
            provider=provider,
            status=status,
            limit=limit,
            sort_by=sort_by,
            sort_order=sort_order,
            timeout=timeout,
            max_retries=max_retries,
        )
        return OrganizationTelephoneNumberPager(self._lifetime, pager)

    def delete(
        self,
        organization_telephone_number_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> TelephoneNumberTermination:
        """Request termination of a number."""
        return self._portal.call(
            self._async.delete,
            organization_telephone_number_id,
            timeout=timeout,
            max_retries=max_retries,
        )
