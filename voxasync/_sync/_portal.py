"""The sync client's event loop: an anyio ``BlockingPortal`` on a daemon thread, and the hop.

:class:`LoopThread` runs ``anyio.run`` with a ``BlockingPortal`` for the client's whole life;
the portal owns the loop's life cycle. :meth:`LoopThread.call` is the hop every sync method
takes: one ``call_soon_threadsafe`` onto that loop and one wake-up back, as
``asyncio.run_coroutine_threadsafe`` does. anyio's ``portal.call`` first waits, in a round
trip of its own, for the task to be spawned in the portal's task group: twice the cost for
nothing a call needs (``bench/run.py`` measures both).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import CancelledError, Future
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

import anyio

from ..errors import VoxError

if TYPE_CHECKING:
    # Imported where a portal starts: anyio.from_thread would double what ``import voxasync``
    # costs on top of its dependencies, for async users who never start one.
    from anyio.from_thread import BlockingPortal

__all__ = ["CLOSED", "LoopThread"]

P = ParamSpec("P")
T = TypeVar("T")

CLOSED: Final = "this client is closed; create a new one"


class LoopThread:
    """An event loop with a blocking portal, running in a daemon thread until stopped.

    ``keep_alive`` stays reachable from the running thread: when an unclosed ``Vox`` is
    collected, the collector then never finalizes the aiohttp session from its own thread
    (aiohttp would close this loop's transports there).
    """

    def __init__(self, keep_alive: object = None) -> None:
        from anyio.from_thread import BlockingPortal

        ready: Future[tuple[BlockingPortal, asyncio.AbstractEventLoop]] = Future()
        self._stopped = False  # set once the loop is stopping or gone: calls are refused
        self._waiting: set[_Waiter] = set()  # failed if the loop ends under them

        async def serve() -> None:
            async with BlockingPortal() as portal:
                ready.set_result((portal, asyncio.get_running_loop()))
                await portal.sleep_until_stopped()

        def main(_keep_alive: object) -> None:
            try:
                anyio.run(serve, backend="asyncio", backend_options=_loop_options())
            except BaseException as exc:  # pragma: no cover - loop failed to start
                if not ready.done():
                    ready.set_exception(exc)
            finally:
                self._stopped = True
                for waiter in list(self._waiting):  # a call that raced with the end
                    waiter.settle(None, VoxError(CLOSED))

        # A daemon thread: an unclosed Vox never keeps the interpreter alive.
        self.thread = threading.Thread(
            target=main, args=(keep_alive,), name="voxasync-portal", daemon=True
        )
        self.thread.start()
        self.portal, self.loop = ready.result()

    def call(self, func: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``func(*args, **kwargs)`` on the loop and wait for its result or exception.

        Safe from any thread but the loop's own. If the waiting thread is interrupted
        (Ctrl-C in a notebook), the call is cancelled, whenever the interrupt lands.

        The task runs in a copy of the calling thread's ``contextvars`` context, as a
        coroutine awaited in place would: OpenTelemetry's current span, structlog's bound
        values or a request id set by the caller are visible inside the SDK's coroutines
        (and its spans are children of the caller's). Changes made inside stay inside.
        """
        if threading.current_thread() is self.thread:
            raise VoxError("a sync Vox method was called from its own event loop thread")
        if self._stopped:
            raise VoxError(CLOSED)
        waiter = _Waiter()
        self._waiting.add(waiter)
        try:
            context = contextvars.copy_context()  # one copy, made on the caller's thread
            try:
                self.loop.call_soon_threadsafe(
                    _start_call, self.loop, waiter, func, args, kwargs, context, context=context
                )
            except RuntimeError:  # the loop is closed
                raise VoxError(CLOSED) from None
            waiter.lock.acquire()  # released by the loop once the outcome is in
        except BaseException:  # interrupted while waiting: cancel the call, wherever it is
            waiter.abandoned = True
            with contextlib.suppress(RuntimeError):  # the loop is gone: nothing to cancel
                self.loop.call_soon_threadsafe(_cancel, waiter)
            raise
        finally:
            self._waiting.discard(waiter)
        result: T = waiter.outcome(self._stopped)
        return result

    @property
    def calls_waiting(self) -> int:
        """How many callers are waiting for a result right now."""
        return len(self._waiting)

    def submit(self, func: Callable[[], Awaitable[object]]) -> None:
        """Start ``func()`` on the loop without waiting (from a finalizer, say)."""
        if self._stopped or self.loop.is_closed():
            return  # the loop is already gone (and a coroutine made now would never run)
        coroutine = _run(func)
        try:
            asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        except RuntimeError:  # closed in between
            coroutine.close()

    async def stop_soon(self) -> None:
        """On the loop: let the portal stop, which ends the thread."""
        await self.portal.stop()

    def stop(self) -> None:
        """Stop the loop and wait for its thread to end."""
        self._stopped = True
        with contextlib.suppress(RuntimeError):  # already stopped
            self.portal.call(self.portal.stop)
        self.thread.join()


def _loop_options() -> dict[str, bool]:
    """uvloop for this thread's own loop when it is installed (the ``speedups`` extra).

    Only ever the loop this module starts, never the caller's. uvloop reads sockets into
    smaller buffers than asyncio's 256 KiB, which spares the loop thread page faults on every
    answer (``BENCHMARKS.md``).
    """
    try:
        import uvloop  # type: ignore[import-not-found, unused-ignore]  # noqa: F401
    except ImportError:
        return {}
    return {"use_uvloop": True}


async def _run(func: Callable[[], Awaitable[object]]) -> None:
    await func()


class _Waiter:
    """One sync call waiting for its task: a lock that the loop releases when the outcome
    is in. (A plain lock hand-off: cheaper than a ``concurrent.futures.Future``'s condition.)
    """

    __slots__ = ("abandoned", "error", "lock", "result", "settled", "task")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lock.acquire()
        self.abandoned = False  # the caller stopped waiting (interrupted)
        self.settled = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.task: asyncio.Task[Any] | None = None

    def settle(self, result: Any, error: BaseException | None) -> None:
        """On the loop thread only: record the outcome and wake the caller (once)."""
        if not self.settled:
            self.settled = True
            self.result, self.error = result, error
            self.lock.release()

    def outcome(self, stopped: bool) -> Any:
        """In the caller's thread: the result, or the error raised (``CancelledError`` as
        ``concurrent.futures``' own, a call cut off by ``close()`` as ``VoxError``)."""
        error, self.error = self.error, None  # no cycle through the traceback
        if error is None:
            return self.result
        if isinstance(error, asyncio.CancelledError):
            if stopped:  # closed from another thread while this call ran
                raise VoxError(CLOSED) from None
            raise CancelledError() from None
        try:
            raise error
        finally:
            error = None


def _start_call(
    loop: asyncio.AbstractEventLoop,
    waiter: _Waiter,
    func: Callable[..., Awaitable[T]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    context: contextvars.Context,
) -> None:
    """On the loop: run ``func(*args, **kwargs)`` as a task, in ``context``; its outcome
    goes to ``waiter``."""
    if waiter.abandoned:  # the caller gave up before the call began
        return

    async def run() -> None:
        # The outcome goes to the waiter from inside the task, not from a done callback: one
        # loop iteration fewer per call.
        try:
            result = await func(*args, **kwargs)
        except asyncio.CancelledError as cancelled:
            waiter.settle(None, cancelled)
            raise
        except BaseException as error:  # the caller's to see; the task itself ends quietly
            waiter.settle(None, error)
        else:
            waiter.settle(result, None)

    waiter.task = loop.create_task(run(), context=context)


def _cancel(waiter: _Waiter) -> None:
    """On the loop, after the call was scheduled: cancel its task if it has started."""
    if waiter.task is not None:
        waiter.task.cancel()
