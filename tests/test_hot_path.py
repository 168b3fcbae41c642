"""The hot path's speed-ups change no result: each is checked against what it replaced.

- ``decode_json`` with orjson gives exactly what ``json.loads`` gives (value, or error);
- the ``X | None`` hook factory structures and fails exactly like cattrs' own;
- ``number_path`` skipping ``quote`` for plain ids builds the same path;
- the transport's reuse of the parsed base URL builds the same URL;
- the sync hop cancels the call when the waiting thread is interrupted, and refuses calls
  once the owning client is closed.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import cattrs
import pytest
from cattrs.v import transform_error
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from voxasync import OrganizationTelephoneNumber, Vox, VoxError, _converter
from voxasync._paths import NUMBERS_PATH, number_path
from voxasync._sync._portal import LoopThread
from voxasync._transport import Transport
from voxasync.models import OrganizationTelephoneNumberPage, TelephoneNumberTermination
from voxasync.testing import FakeVoxServer

RECORD: dict[str, Any] = {
    "id": "5f0c2a64-8a52-4f7e-9d1b-3c6e2f9a7b10",
    "number": "07011112222",
    "provider": "vox",
    "status": "active",
    "start_at": 1_726_000_000_000,
    "created_at": 1_726_000_000_000,
    "updated_at": 1_735_000_000_000,
    "monthly_fee": 3000,
    "address": None,
    "inbound_trunk_id": None,
    "outbound_trunk_id": None,
    "inbound_agent": {"agent_id": "0b8f3a4e", "agent_version": "production"},
    "outbound_agent": None,
    "memo": None,
    "end_at": None,
    "cancel_requested_at": None,
}


def outcome(func: Any, *args: Any) -> tuple[str, Any]:
    """What a call gives: its value (repr, so NaN == NaN and -0.0 != 0.0), or its error."""
    try:
        return ("value", repr(func(*args)))
    except Exception as exc:
        return ("error", (type(exc), str(exc)))


@pytest.fixture(params=["orjson", "json"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with orjson (when installed) and without it."""
    if request.param == "orjson":
        if _converter.orjson is None:
            pytest.skip("orjson is not installed (the speedups extra)")
    else:
        monkeypatch.setattr(_converter, "orjson", None)
    return str(request.param)


TRICKY_BODIES = [
    b"\xef\xbb\xbf{}",  # a UTF-8 BOM: json accepts it, orjson does not
    b'{"a": "\\ud800"}',  # a lone surrogate
    b"NaN",
    b"[Infinity, -Infinity]",
    b"1e400",
    b"123456789012345678901234567890",  # past 64 bits: json keeps the int, orjson a float
    b"-9223372036854775809",
    b"18446744073709551615",
    b"18446744073709551616",
    b"9223372036854775807",
    b'{"a": 1, "a": 2}',
    b" \n{} \t",
    b"{}\x00",
    b"{} x",  # data after the value, past whitespace: the error names where it starts
    b'{"a": 1}\n\n{"b": 2}',
    b'{ "a" : 1 }  \r\n\t',
    b"{\n}",
    b"{",
    b'{"a": x}',  # a value missing inside the object: json's scanner says StopIteration
    b'{"a":',
    b'{"a": }',
    b'{"a": [1,]}',
    b'{"id": ',
    b'"\xe9"',  # not UTF-8
    b"",
    b"[1.5e-10, -0, 0.1, -0.0, 1E2, 5e-324]",
    json.dumps(RECORD).encode(),
    json.dumps({"memo": "한국어 메모", "n": 10**25}, ensure_ascii=False).encode(),
    b'{"items": [' + b",".join([json.dumps(RECORD).encode()] * 3) + b"]}",
    b"[" * 200 + b"]" * 200,
]


@pytest.mark.parametrize("body", TRICKY_BODIES)
def test_decode_json_is_json_loads(decoder: str, body: bytes) -> None:
    assert outcome(_converter.decode_json, body) == outcome(json.loads, body)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300)
@given(value=json_values, ensure_ascii=st.booleans())
def test_decode_json_is_json_loads_for_any_json(value: object, ensure_ascii: bool) -> None:
    body = json.dumps(value, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
    decoded = _converter.decode_json(body)
    expected = json.loads(body)
    assert repr(decoded) == repr(expected)
    assert type(decoded) is type(expected)


# -- the X | None hook -------------------------------------------------------------------


def converter_without_the_optional_hook() -> cattrs.Converter:
    """``make_converter()`` as it is, but for the one factory under test."""
    original = cattrs.Converter.register_structure_hook_factory

    def skip_ours(self: cattrs.Converter, predicate: Any, factory: Any = None) -> Any:
        if predicate is _converter.is_optional:
            return factory
        return original(self, predicate, factory)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cattrs.Converter, "register_structure_hook_factory", skip_ours)
        return _converter.make_converter()


@pytest.fixture(scope="module")
def plain_converter() -> cattrs.Converter:
    return converter_without_the_optional_hook()


def structured(converter: cattrs.Converter, payload: object, model: type) -> tuple[str, Any]:
    try:
        return ("value", converter.structure(payload, model))
    except Exception as exc:
        lines = (
            transform_error(exc, path="$")
            if isinstance(exc, cattrs.BaseValidationError)
            else [str(exc)]
        )
        return ("error", (type(exc), lines))


OPTIONAL_FIELDS = [
    "start_at", "monthly_fee", "address", "inbound_trunk_id", "outbound_trunk_id",
    "inbound_agent", "outbound_agent", "memo", "end_at", "cancel_requested_at",
]  # fmt: skip

ODD_VALUES: list[object] = [
    None, 0, -1, 10**30, 1.5, math.nan, True, "x", "", [], {}, {"agent_id": "a"},
    {"agent_id": "a", "agent_version": "v1"}, {"agent_id": 1, "agent_version": None},
]  # fmt: skip


@pytest.mark.parametrize("field", OPTIONAL_FIELDS)
def test_optional_fields_structure_and_fail_as_cattrs_does(
    plain_converter: cattrs.Converter, field: str
) -> None:
    for value in ODD_VALUES:
        payload = {**RECORD, field: value}
        ours = structured(_converter.converter, payload, OrganizationTelephoneNumber)
        theirs = structured(plain_converter, payload, OrganizationTelephoneNumber)
        assert repr(ours) == repr(theirs), (field, value)
    missing = {k: v for k, v in RECORD.items() if k != field}
    assert repr(structured(_converter.converter, missing, OrganizationTelephoneNumber)) == repr(
        structured(plain_converter, missing, OrganizationTelephoneNumber)
    )


def test_pages_and_terminations_structure_as_cattrs_does(
    plain_converter: cattrs.Converter,
) -> None:
    cases: list[tuple[object, type]] = [
        ({"items": [RECORD], "total_count": None, "next_cursor": None},
         OrganizationTelephoneNumberPage),
        ({"items": [RECORD, {**RECORD, "end_at": "soon"}], "total_count": "1", "next_cursor": 5},
         OrganizationTelephoneNumberPage),
        ({"items": []}, OrganizationTelephoneNumberPage),
        ({"id": "a", "number": "1", "provider": "new", "effective_at": 1},
         TelephoneNumberTermination),
    ]  # fmt: skip
    for payload, model in cases:
        ours = structured(_converter.converter, payload, model)
        assert repr(ours) == repr(structured(plain_converter, payload, model))


def test_the_optional_hook_is_built_once_per_type() -> None:
    hook = _converter.converter.get_structure_hook(int | None)
    assert hook is _converter.converter.get_structure_hook(int | None)
    assert hook(None, int | None) is None
    assert hook(5, int | None) == 5
    with pytest.raises(TypeError, match="expected an integer"):
        hook("5", int | None)


# -- paths and URLs ------------------------------------------------------------------------


class Id(str):
    """A str subclass: never taken down the fast path."""

    def __format__(self, spec: str) -> str:
        return "formatted"


@settings(max_examples=500)
@given(number_id=st.text(min_size=1, max_size=12) | st.from_regex(r"[A-Za-z0-9_.~-]{1,40}"))
def test_number_path_is_quote_of_the_id(number_id: str) -> None:
    expected = outcome(lambda: f"{NUMBERS_PATH}/{quote(number_id, safe='')}/revoke-cancel")
    if not number_id.strip() or number_id in (".", ".."):
        return  # refused earlier, as before (see test_paths.py)
    assert outcome(number_path, number_id, "revoke-cancel") == expected


def test_number_path_of_a_str_subclass_is_quote_of_its_content() -> None:
    assert number_path(Id("abc")) == f"{NUMBERS_PATH}/abc"


BASE_URLS = [
    "http://127.0.0.1:8080",
    "https://client-api.tryvox.co",
    "HTTP://LocalHost:1/API",
    "http://[::1]:80/x/y",
    "https://h/p%20q",
    "http://h/a/../b",
    "http://h/ sp",
    "https://h:443",
]
PATHS = [
    "/v3/organization-telephone-numbers/abc/revoke-cancel",
    "/v3/organization-telephone-numbers",
    "/v3/organization-telephone-numbers/a%2Fb%3F%23%25",
    "/v3/organization-telephone-numbers/..a",
    "/v3/organization-telephone-numbers/%ED%95%9C",
]


@pytest.mark.parametrize("base_url", BASE_URLS)
def test_request_urls_are_those_parsed_from_scratch(base_url: str) -> None:
    transport = Transport(base_url=base_url, headers={}, max_connections=1)
    assert transport.reuses_base_url
    for path in PATHS:
        fast = transport.url(path)
        slow = URL(transport.base_url + path, encoded=True)
        assert fast == slow
        assert str(fast) == str(slow)
        assert (fast.raw_host, fast.port, fast.raw_path) == (
            slow.raw_host,
            slow.port,
            slow.raw_path,
        )


# -- the sync hop --------------------------------------------------------------------------


class Interrupted(Exception):
    pass


@pytest.fixture
def portal() -> Iterator[LoopThread]:
    thread = LoopThread()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.mark.skipif(os.name != "posix", reason="needs a real SIGINT")
@pytest.mark.timeout(30)
def test_interrupting_the_waiting_thread_cancels_the_call(portal: LoopThread) -> None:
    assert threading.current_thread() is threading.main_thread()
    started = threading.Event()
    cancelled = threading.Event()

    async def slow() -> None:
        started.set()
        try:
            await asyncio.sleep(20)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    def on_sigint(signum: int, frame: object) -> None:
        raise Interrupted

    main_thread = threading.main_thread().ident
    assert main_thread is not None

    def interrupt_when_started() -> None:
        if started.wait(10):
            # To the main thread itself, as Ctrl-C would land: a signal sent to the process
            # may be taken by another thread (Linux picks one when the main thread already
            # has one pending), and then never wakes the waiting main thread.
            signal.pthread_kill(main_thread, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        threading.Thread(target=interrupt_when_started, daemon=True).start()
        with pytest.raises(Interrupted):
            portal.call(slow)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert cancelled.wait(10), "the coroutine on the loop was not cancelled"
    assert portal.calls_waiting == 0


def test_a_copy_of_a_closed_client_refuses_calls(server: FakeVoxServer) -> None:
    vox = Vox(server.api_key, base_url=server.url)
    copy = vox.with_options(max_retries=0)
    (number_id,) = server.seed_pending(1)
    assert copy.organization_telephone_numbers.revoke_cancel(number_id).status == "active"
    vox.close()
    with pytest.raises(VoxError, match="closed"):
        copy.organization_telephone_numbers.retrieve(number_id)
