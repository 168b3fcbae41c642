"""With OpenTelemetry's aiohttp client instrumentation on, every HTTP attempt is a client
span; from the sync client, the span is a child of the caller's current span."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from voxasync import AsyncVox, Vox
from voxasync.testing import FakeVoxServer, Fault


@pytest.fixture
def spans() -> Iterator[tuple[InMemorySpanExporter, TracerProvider]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = AioHttpClientInstrumentor()
    instrumentor.instrument(tracer_provider=provider)  # before the client's first call
    try:
        yield exporter, provider
    finally:
        instrumentor.uninstrument()


def no_key_anywhere(exporter: InMemorySpanExporter, key: str) -> None:
    for span in exporter.get_finished_spans():
        assert key not in repr(dict(span.attributes or {}))
        assert key not in span.name


def test_sync_calls_are_client_spans_under_the_callers_span(
    server: FakeVoxServer, spans: tuple[InMemorySpanExporter, TracerProvider], no_wait: None
) -> None:
    exporter, provider = spans
    (number_id,) = server.seed_pending(1)
    server.inject(Fault.status(503))  # one retry: two attempts, two spans
    tracer = provider.get_tracer("test")
    with Vox(server.api_key, base_url=server.url) as vox, tracer.start_as_current_span(
        "restore"
    ) as parent:
        vox.organization_telephone_numbers.revoke_cancel(number_id)
    finished = exporter.get_finished_spans()
    clients = [s for s in finished if s.kind is SpanKind.CLIENT]
    assert len(clients) == 2
    parent_id = parent.get_span_context().span_id
    assert all(s.parent is not None and s.parent.span_id == parent_id for s in clients)
    assert all(s.context.trace_id == parent.get_span_context().trace_id for s in clients)
    assert [s.attributes.get("http.response.status_code",
                             s.attributes.get("http.status_code")) for s in clients] == [503, 200]
    no_key_anywhere(exporter, server.api_key)


@pytest.mark.anyio
async def test_async_calls_are_client_spans(
    server: FakeVoxServer, spans: tuple[InMemorySpanExporter, TracerProvider]
) -> None:
    exporter, provider = spans
    ids = server.seed_pending(3)
    with provider.get_tracer("test").start_as_current_span("batch") as parent:
        async with AsyncVox(server.api_key, base_url=server.url) as vox:
            await vox.organization_telephone_numbers.revoke_cancel_many(ids)
    clients = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert len(clients) == 3
    assert {s.parent.span_id for s in clients if s.parent} == {parent.get_span_context().span_id}
    no_key_anywhere(exporter, server.api_key)


@pytest.mark.anyio
async def test_a_session_of_your_own_made_after_instrumenting(
    server: FakeVoxServer, spans: tuple[InMemorySpanExporter, TracerProvider]
) -> None:
    exporter, _ = spans
    async with aiohttp.ClientSession() as session, AsyncVox(
        server.api_key, base_url=server.url, session=session
    ) as vox:
        async for _ in vox.organization_telephone_numbers.list():
            pass
    assert [s.kind for s in exporter.get_finished_spans()] == [SpanKind.CLIENT]
