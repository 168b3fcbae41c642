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
from concurrent.futures import CancelledError, Future, InvalidStateError
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
        self._waiting: set[Future[Any]] = set()  # failed if the loop ends under them

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
                for future in list(self._waiting):  # a call that raced with the end
                    with contextlib.suppress(InvalidStateError):
                        future.set_exception(VoxError(CLOSED))

        # A daemon thread: an unclosed Vox never keeps the interpreter alive.
        self.thread = threading.Thread(
            target=main, args=(keep_alive,), name="voxasync-portal", daemon=True
        )
        self.thread.start()
        self.portal, self.loop = ready.result()

    def call(self, func: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``func(*args, **kwargs)`` on the loop and wait for its result or exception.

        Safe from any thread but the loop's own. If the waiting thread is interrupted
        (Ctrl-C in a notebook), the call is cancelled: the future exists before the task is
        scheduled, so an interrupt at any point after that reaches it.

        The task runs in a copy of the calling thread's ``contextvars`` context, as a
        coroutine awaited in place would: OpenTelemetry's current span, structlog's bound
        values or a request id set by the caller are visible inside the SDK's coroutines
        (and its spans are children of the caller's). Changes made inside stay inside.
        """
        if threading.current_thread() is self.thread:
            raise VoxError("a sync Vox method was called from its own event loop thread")
        if self._stopped:
            raise VoxError(CLOSED)
        future: Future[T] = Future()
        self._waiting.add(future)
        try:
            try:
                context = contextvars.copy_context()  # one copy, made on the caller's thread
                self.loop.call_soon_threadsafe(
                    _start_call, self.loop, future, context, func, args, kwargs, context=context
                )
            except RuntimeError:  # the loop is closed
                raise VoxError(CLOSED) from None
            return future.result()
        except CancelledError:
            if self._stopped:  # closed from another thread while this call ran
                raise VoxError(CLOSED) from None
            raise
        except BaseException:
            future.cancel()
            raise
        finally:
            self._waiting.discard(future)

    @property
    def calls_waiting(self) -> int:
        """How many callers are waiting for a result right now."""
        return len(self._waiting)

    def submit(self, func: Callable[[], Awaitable[object]]) -> None:
        """Start ``func()`` on the loop without waiting (from a finalizer, say)."""
        with contextlib.suppress(RuntimeError):  # the loop is already gone
            asyncio.run_coroutine_threadsafe(_run(func), self.loop)

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


def _start_call(
    loop: asyncio.AbstractEventLoop,
    future: Future[T],
    context: contextvars.Context,
    func: Callable[..., Awaitable[T]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """On the loop: run ``func(*args, **kwargs)`` as a task, in ``context``, whose outcome
    ``future`` gets.

    Cancelling ``future`` (from any thread) cancels the task.
    """
    if future.cancelled():  # the caller gave up before the call began
        return

    async def run() -> T:
        return await func(*args, **kwargs)

    task = loop.create_task(run(), context=context)

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
