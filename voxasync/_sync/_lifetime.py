"""What a ``Vox`` must end once nothing can use it any more: its session and its loop thread.

The :class:`Lifetime` is held by the ``Vox``, its ``with_options`` copies, its resources and
pagers, and never by the loop thread. So ``Vox(...).organization_telephone_numbers.retrieve(...)``
keeps it alive through the call; when the last holder is dropped without ``close()``, the
finalizer warns and lets the thread close the session and stop, without waiting for it.

It is also where a fork is noticed: in a child process the parent's loop thread does not
exist, so the first call there starts a loop thread of the child's own (the transport, for
its part, starts a fresh connection pool and never touches the parent's sockets).
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from .. import _process
from ..errors import VoxError
from ._portal import LoopThread

if TYPE_CHECKING:
    from .._client import AsyncVox

__all__ = ["Lifetime"]

P = ParamSpec("P")
T = TypeVar("T")


class Lifetime:
    """The loop thread a ``Vox`` runs on, and the ``AsyncVox`` whose pool it must close."""

    def __init__(self, async_client: AsyncVox) -> None:
        self.async_client = async_client
        self.closed = False
        self._forks = _process.forks
        self._start_lock = threading.Lock()
        self.thread = LoopThread(keep_alive=async_client)

    def call(self, func: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``func`` on the client's loop and wait: the hop of every sync method."""
        if self._forks != _process.forks:
            self._start_in_child()
        return self.thread.call(func, *args, **kwargs)

    def _start_in_child(self) -> None:
        """After ``os.fork()``: a loop thread of this process's own (the parent's is not here)."""
        with self._start_lock:
            if self._forks != _process.forks:
                self.thread = LoopThread(keep_alive=self.async_client)
                self._forks = _process.forks

    def close(self) -> None:
        if self.closed:
            return
        if threading.current_thread() is self.thread.thread:
            # From on_result, say: the loop cannot wait for itself to stop. Nothing is
            # marked closed, so a close() from outside still does the whole job.
            raise VoxError("Vox.close() was called from the client's own event loop thread")
        self.closed = True
        if self._forks != _process.forks:
            self._start_in_child()
        try:
            self.thread.call(self.async_client.aclose)
        finally:
            self.thread.stop()

    def __del__(self) -> None:
        if getattr(self, "closed", True) or self._forks != _process.forks:
            return
        warnings.warn(
            f"unclosed Vox(base_url={self.async_client.base_url!r}): call vox.close() or use "
            "`with Vox() as vox`",
            ResourceWarning,
            source=self,
            stacklevel=2,
        )
        # Not a bound method: that would bring this finalized object back to life.
        self.thread.submit(functools.partial(_shutdown, self.async_client, self.thread))


async def _shutdown(async_client: AsyncVox, thread: LoopThread) -> None:
    try:
        await async_client.aclose()
    finally:
        await thread.stop_soon()
