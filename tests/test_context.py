"""The sync client runs each call in a copy of the caller's ``contextvars`` context.

So a request id, structlog's bound values or OpenTelemetry's current span set in the
calling thread are visible inside the SDK's coroutines on the client's loop thread, and what
those coroutines set does not leak back into the caller.
"""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

from voxasync import Vox
from voxasync.testing import FakeVoxServer

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def test_a_contextvar_of_the_caller_is_seen_inside_on_result(server: FakeVoxServer) -> None:
    ids = server.seed_pending(3)
    seen: list[tuple[str, bool]] = []

    def on_result(index: int, number_id: str, result: object) -> None:
        seen.append((request_id.get(), threading.current_thread().name == "voxasync-portal"))
        request_id.set("changed inside")  # stays inside the call's copy

    token = request_id.set("req-42")
    try:
        with Vox(server.api_key, base_url=server.url) as vox:
            vox.organization_telephone_numbers.revoke_cancel_many(ids, on_result=on_result)
            assert request_id.get() == "req-42"
    finally:
        request_id.reset(token)
    assert seen == [("req-42", True)] * 3


def test_each_calling_thread_brings_its_own_context(server: FakeVoxServer) -> None:
    """Threads sharing one Vox each see their own value, never another thread's."""
    ids = server.seed_pending(8)

    with Vox(server.api_key, base_url=server.url) as vox:

        def restore(number_id: str) -> list[str]:
            request_id.set(f"req-{number_id}")
            seen: list[str] = []
            vox.organization_telephone_numbers.revoke_cancel_many(
                [number_id], on_result=lambda *_: seen.append(request_id.get())
            )
            return seen

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(restore, ids))
    assert results == [[f"req-{number_id}"] for number_id in ids]
