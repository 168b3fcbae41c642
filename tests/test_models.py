"""Records structured into attrs models: every field, open enums, tolerance and strictness.

Both ways in are covered: through the fake server and the whole client (what users get), and
through ``voxasync._converter.structure`` directly (fast, for the property tests).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxasync import (
    AgentMapping,
    APIResponseValidationError,
    AsyncVox,
    OrganizationTelephoneNumber,
    Provider,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
    Vox,
)
from voxasync._converter import structure
from voxasync.testing import FakeVoxServer, Fault

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

#: Every field of the API's record, by its JSON type. The model must have exactly these.
REQUIRED_INT_FIELDS = ("created_at", "updated_at")
OPTIONAL_INT_FIELDS = ("start_at", "monthly_fee", "end_at", "cancel_requested_at")
REQUIRED_STR_FIELDS = ("id", "number")
OPTIONAL_STR_FIELDS = ("address", "inbound_trunk_id", "outbound_trunk_id", "memo")
ENUM_FIELDS = ("provider", "status")
AGENT_FIELDS = ("inbound_agent", "outbound_agent", "sms_inbound_agent")
ALL_FIELDS = frozenset(
    REQUIRED_INT_FIELDS
    + OPTIONAL_INT_FIELDS
    + REQUIRED_STR_FIELDS
    + OPTIONAL_STR_FIELDS
    + ENUM_FIELDS
    + AGENT_FIELDS
)

#: Each ``*_at`` field and the property that gives it as a datetime.
DATETIME_PROPERTIES = {
    "start_at": "start_datetime",
    "created_at": "created_datetime",
    "updated_at": "updated_datetime",
    "end_at": "end_datetime",
    "cancel_requested_at": "cancel_requested_datetime",
}

#: Largest millisecond timestamp a datetime can hold (9999-12-31T23:59:59.999Z).
MAX_MS = 253_402_300_799_999


def full_record(**overrides: Any) -> dict[str, Any]:
    """A record with every field set to a non-null value."""
    record: dict[str, Any] = {
        "id": "6f1c7a52-1b7e-4d1f-9a53-0c2e5f1d9e11",
        "number": "07011112222",
        "provider": "vox",
        "status": "cancel_requested",
        "start_at": 1_700_000_000_123,
        "created_at": 1_699_000_000_456,
        "updated_at": 1_710_000_000_789,
        "monthly_fee": 3000,
        "address": "sip.example.co.kr:5060",
        "inbound_trunk_id": "trunk-in-1",
        "outbound_trunk_id": "trunk-out-1",
        "inbound_agent": {"agent_id": "0b6f5a1e-agent-in", "agent_version": "production"},
        "outbound_agent": {"agent_id": "0b6f5a1e-agent-out", "agent_version": "v12"},
        "sms_inbound_agent": {"agent_id": "0b6f5a1e-agent-sms", "agent_version": "current"},
        "memo": "고객센터 대표번호",
        "end_at": 1_712_592_000_000,
        "cancel_requested_at": 1_710_000_000_000,
    }
    record.update(overrides)
    return record


def minimal_record(**overrides: Any) -> dict[str, Any]:
    """A record with only the required fields."""
    record: dict[str, Any] = {
        "id": "n-1",
        "number": "07000000001",
        "provider": "custom",
        "status": "active",
        "created_at": 1,
        "updated_at": 2,
    }
    record.update(overrides)
    return record


def parse(payload: Any, model: type[Any] = OrganizationTelephoneNumber) -> Any:
    """Structure a payload the way the client does, from the JSON text on the wire."""
    body = json.dumps(payload).encode()
    return structure(json.loads(body), model, status_code=200, body=body)


def as_plain_dict(number: OrganizationTelephoneNumber) -> dict[str, Any]:
    """The API fields, as attrs sees them (``extra``, the SDK's own field, left out)."""
    return attrs.asdict(number, recurse=True, filter=lambda field, _: field.name != "extra")


def api_fields(cls: type) -> list[str]:
    return [field.name for field in attrs.fields(cls) if field.name != "extra"]


# -- every field, through the server and the client ------------------------------------------


def test_model_has_exactly_the_api_field_names() -> None:
    assert set(api_fields(OrganizationTelephoneNumber)) == ALL_FIELDS
    assert api_fields(AgentMapping) == ["agent_id", "agent_version"]
    assert set(api_fields(TelephoneNumberTermination)) == {
        "id",
        "number",
        "provider",
        "effective_at",
    }


@pytest.mark.anyio
async def test_every_field_structured_from_a_server_record(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    seeded = server.add_number(**full_record())
    assert set(seeded) == ALL_FIELDS  # the fake sends every field of the API's record

    number = await avox.organization_telephone_numbers.retrieve(seeded["id"])

    assert as_plain_dict(number) == seeded
    assert number.id == seeded["id"]
    assert number.number == "07011112222"
    assert number.provider is Provider.VOX
    assert number.status is TelephoneNumberStatus.CANCEL_REQUESTED
    assert number.start_at == 1_700_000_000_123
    assert number.created_at == 1_699_000_000_456
    assert number.updated_at == 1_710_000_000_789
    assert number.monthly_fee == 3000
    assert number.address == "sip.example.co.kr:5060"
    assert number.inbound_trunk_id == "trunk-in-1"
    assert number.outbound_trunk_id == "trunk-out-1"
    assert number.inbound_agent == AgentMapping(
        agent_id="0b6f5a1e-agent-in", agent_version="production"
    )
    assert number.outbound_agent == AgentMapping(agent_id="0b6f5a1e-agent-out", agent_version="v12")
    assert number.memo == "고객센터 대표번호"
    assert number.end_at == 1_712_592_000_000
    assert number.cancel_requested_at == 1_710_000_000_000
    assert number.is_pending_termination


def test_every_field_structured_by_the_sync_client(server: FakeVoxServer, vox: Vox) -> None:
    seeded = server.add_number(**full_record(id="sync-1"))
    number = vox.organization_telephone_numbers.retrieve("sync-1")
    assert as_plain_dict(number) == seeded


def test_every_field_structured_by_the_converter() -> None:
    record = full_record()
    number = parse(record)
    assert isinstance(number, OrganizationTelephoneNumber)
    assert as_plain_dict(number) == record
    for name in REQUIRED_INT_FIELDS + OPTIONAL_INT_FIELDS:
        assert type(getattr(number, name)) is int, name
    for name in REQUIRED_STR_FIELDS + OPTIONAL_STR_FIELDS:
        assert type(getattr(number, name)) is str, name
    assert type(number.inbound_agent) is AgentMapping
    assert type(number.outbound_agent) is AgentMapping


def test_null_and_missing_optional_fields_become_none() -> None:
    nulls = parse(
        full_record(
            **dict.fromkeys(OPTIONAL_INT_FIELDS + OPTIONAL_STR_FIELDS + AGENT_FIELDS)
        )
    )
    missing = parse(minimal_record())
    for number in (nulls, missing):
        for name in OPTIONAL_INT_FIELDS + OPTIONAL_STR_FIELDS + AGENT_FIELDS:
            assert getattr(number, name) is None, name
    assert missing.start_datetime is None
    assert missing.end_datetime is None
    assert missing.cancel_requested_datetime is None
    assert not missing.is_pending_termination


def test_models_are_frozen_and_keyword_only() -> None:
    number = parse(minimal_record())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        number.status = "expired"
    with pytest.raises(TypeError):
        AgentMapping("a", "current")  # type: ignore[call-arg]


@pytest.mark.anyio
async def test_revoke_cancel_record_after_the_state_change(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    (number_id,) = server.seed_pending(1)
    number = await avox.organization_telephone_numbers.revoke_cancel(number_id)
    assert as_plain_dict(number) == server.number(number_id)
    assert number.status is TelephoneNumberStatus.ACTIVE
    assert number.end_at is None
    assert number.cancel_requested_at is None
    assert not number.is_pending_termination


# -- datetimes --------------------------------------------------------------------------------


def test_datetime_properties_are_aware_utc_and_match_the_milliseconds() -> None:
    record = full_record()
    number = parse(record)
    for field_name, property_name in DATETIME_PROPERTIES.items():
        value = getattr(number, property_name)
        assert isinstance(value, dt.datetime), property_name
        assert value.tzinfo is not None
        assert value.utcoffset() == dt.timedelta(0)
        assert value == EPOCH + dt.timedelta(milliseconds=record[field_name])
        assert round(value.timestamp() * 1000) == record[field_name]
    assert number.created_datetime == dt.datetime(
        2023, 11, 3, 8, 26, 40, 456_000, tzinfo=dt.UTC
    )


@settings(max_examples=100)
@given(ms=st.integers(min_value=0, max_value=MAX_MS))
def test_datetime_properties_are_exact_to_the_millisecond(ms: int) -> None:
    number = parse(
        minimal_record(start_at=ms, created_at=ms, updated_at=ms, end_at=ms,
                       cancel_requested_at=ms)
    )
    expected = EPOCH + dt.timedelta(milliseconds=ms)
    for property_name in DATETIME_PROPERTIES.values():
        value = getattr(number, property_name)
        assert value == expected
        assert value.utcoffset() == dt.timedelta(0)


# -- open enums -------------------------------------------------------------------------------


@pytest.mark.parametrize("member", list(Provider))
def test_known_provider_becomes_the_member_equal_to_its_string(member: Provider) -> None:
    number = parse(minimal_record(provider=member.value))
    assert number.provider is member
    assert number.provider == member.value
    assert isinstance(number.provider, Provider)


@pytest.mark.parametrize("member", list(TelephoneNumberStatus))
def test_known_status_becomes_the_member_equal_to_its_string(
    member: TelephoneNumberStatus,
) -> None:
    number = parse(minimal_record(status=member.value))
    assert number.status is member
    assert number.status == member.value
    assert isinstance(number.status, TelephoneNumberStatus)


def test_unknown_enum_values_are_kept_as_the_string_sent() -> None:
    number = parse(minimal_record(provider="kt_sip", status="porting"))
    assert number.provider == "kt_sip"
    assert type(number.provider) is str
    assert number.status == "porting"
    assert type(number.status) is str


def test_enum_values_are_case_sensitive_and_kept_as_sent() -> None:
    number = parse(minimal_record(status="ACTIVE"))
    assert number.status == "ACTIVE"
    assert not isinstance(number.status, TelephoneNumberStatus)


@pytest.mark.anyio
async def test_unknown_fields_and_enum_values_from_the_server(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    (number_id,) = server.seed_pending(1)
    server.inject(
        Fault.extra_fields(
            status="porting",
            provider="lg_uplus",
            region={"code": "KR-11", "tags": [1, None, "x"]},
            sms_enabled=True,
        )
    )
    number = await avox.organization_telephone_numbers.revoke_cancel(number_id)
    assert number.id == number_id
    assert number.status == "porting"
    assert type(number.status) is str
    assert number.provider == "lg_uplus"
    assert not hasattr(number, "region")
    assert not hasattr(number, "sms_enabled")


@pytest.mark.anyio
async def test_missing_optional_fields_from_the_server(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number(memo="x")["id"]
    server.inject(Fault.missing_fields("memo", "address", "inbound_agent", "start_at"))
    number = await avox.organization_telephone_numbers.retrieve(number_id)
    assert number.memo is None
    assert number.address is None
    assert number.inbound_agent is None
    assert number.start_at is None


def test_json_with_a_wrong_content_type_still_structures(server: FakeVoxServer, vox: Vox) -> None:
    number_id = server.add_number()["id"]
    server.inject(Fault.wrong_content_type("text/plain"))
    assert vox.organization_telephone_numbers.retrieve(number_id).id == number_id


# -- AgentMapping and TelephoneNumberTermination ----------------------------------------------


def test_agent_mapping_keeps_any_version_and_ignores_unknown_keys() -> None:
    number = parse(
        minimal_record(
            inbound_agent={"agent_id": "a-1", "agent_version": "v3", "agent_name": "상담원"},
            outbound_agent={"agent_id": "a-2", "agent_version": "staging"},
        )
    )
    assert number.inbound_agent == AgentMapping(agent_id="a-1", agent_version="v3")
    assert number.outbound_agent == AgentMapping(agent_id="a-2", agent_version="staging")


def test_agent_mapping_missing_its_id_names_the_nested_path() -> None:
    with pytest.raises(APIResponseValidationError, match=r"\$\.inbound_agent\.agent_id"):
        parse(minimal_record(inbound_agent={"agent_version": "current"}))


def test_termination_structured_by_the_converter() -> None:
    termination = parse(
        {"id": "t-1", "number": "07011112222", "provider": "vox", "effective_at": 1_712_592_000_000,
         "reason": "ignored"},
        TelephoneNumberTermination,
    )
    assert termination == TelephoneNumberTermination(
        id="t-1", number="07011112222", provider=Provider.VOX, effective_at=1_712_592_000_000
    )
    assert termination.provider is Provider.VOX
    assert termination.effective_datetime == EPOCH + dt.timedelta(milliseconds=1_712_592_000_000)
    assert termination.effective_datetime.utcoffset() == dt.timedelta(0)
    unknown = parse(
        {"id": "t-2", "number": "1", "provider": "sk_sip", "effective_at": 5},
        TelephoneNumberTermination,
    )
    assert type(unknown.provider) is str
    assert unknown.provider == "sk_sip"


@pytest.mark.anyio
async def test_termination_from_the_server(server: FakeVoxServer, avox: AsyncVox) -> None:
    vox_id = server.add_number(provider="vox", status="active")["id"]
    custom_id = server.add_number(provider="custom", status="active")["id"]

    vox_end = await avox.organization_telephone_numbers.delete(vox_id)
    custom_end = await avox.organization_telephone_numbers.delete(custom_id)

    assert isinstance(vox_end, TelephoneNumberTermination)
    assert vox_end.id == vox_id
    assert vox_end.provider is Provider.VOX
    assert vox_end.effective_at == server.number(vox_id)["end_at"]
    assert server.number(vox_id)["status"] == "cancel_requested"
    assert custom_end.provider is Provider.CUSTOM
    assert custom_end.effective_at == server.number(custom_id)["end_at"]
    assert server.number(custom_id)["status"] == "expired"
    assert custom_end.effective_datetime == EPOCH + dt.timedelta(
        milliseconds=custom_end.effective_at
    )


# -- strictness: wrong types name the field ---------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "1700000000000"),
        ("created_at", True),
        ("created_at", 1.5),
        ("created_at", 1_700_000_000_000.0),
        ("updated_at", None),
        ("start_at", "yesterday"),
        ("monthly_fee", False),
        ("end_at", 2.0),
        ("id", 123),
        ("id", None),
        ("number", 7011112222),
        ("memo", ["a"]),
        ("provider", 1),
        ("status", None),
        ("inbound_agent", "agent-1"),
    ],
)
def test_wrong_type_names_the_field_path(field: str, value: object) -> None:
    with pytest.raises(APIResponseValidationError) as caught:
        parse(full_record(**{field: value}))
    error = caught.value
    assert f"$.{field}" in str(error)
    assert any(f"$.{field}" in line for line in error.errors)
    assert error.status_code == 200


def test_missing_required_field_names_it() -> None:
    record = full_record()
    del record["created_at"]
    with pytest.raises(APIResponseValidationError, match=r"\$\.created_at"):
        parse(record)


def test_every_offending_field_is_reported() -> None:
    with pytest.raises(APIResponseValidationError) as caught:
        parse(full_record(created_at="x", number=1))
    text = str(caught.value)
    assert "$.created_at" in text
    assert "$.number" in text
    assert len(caught.value.errors) == 2


@pytest.mark.parametrize("payload", [[], "record", 3, None])
def test_a_body_that_is_not_an_object_is_a_validation_error(payload: object) -> None:
    with pytest.raises(APIResponseValidationError, match=r"\$"):
        parse(payload)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("field", "value"),
    [("created_at", "1700000000000"), ("created_at", True), ("monthly_fee", 3000.5),
     ("status", 3)],
)
async def test_wrong_type_from_the_server_names_the_field(
    server: FakeVoxServer, avox: AsyncVox, field: str, value: object
) -> None:
    number_id = server.add_number()["id"]
    server.inject(Fault.extra_fields(**{field: value}))
    with pytest.raises(APIResponseValidationError) as caught:
        await avox.organization_telephone_numbers.retrieve(number_id)
    assert f"$.{field}" in str(caught.value)
    assert caught.value.status_code == 200
    assert number_id in caught.value.body  # the body is kept for debugging


@pytest.mark.anyio
async def test_nested_wrong_type_from_the_server(server: FakeVoxServer, avox: AsyncVox) -> None:
    number_id = server.add_number()["id"]
    server.inject(Fault.extra_fields(outbound_agent={"agent_id": 42, "agent_version": "v1"}))
    with pytest.raises(APIResponseValidationError, match=r"\$\.outbound_agent\.agent_id"):
        await avox.organization_telephone_numbers.retrieve(number_id)


@pytest.mark.anyio
async def test_missing_required_field_from_the_server(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    (number_id,) = server.seed_pending(1)
    server.inject(Fault.missing_fields("id"))
    with pytest.raises(APIResponseValidationError, match=r"\$\.id"):
        await avox.organization_telephone_numbers.revoke_cancel(number_id, max_retries=0)


@pytest.mark.anyio
async def test_non_json_2xx_is_a_validation_error(server: FakeVoxServer, avox: AsyncVox) -> None:
    number_id = server.add_number()["id"]
    server.inject(Fault.not_json())
    with pytest.raises(APIResponseValidationError) as caught:
        await avox.organization_telephone_numbers.retrieve(number_id)
    assert caught.value.status_code == 200
    assert "<html>OK</html>" in caught.value.body
    assert len(server.requests) == 1  # not retried: the server did answer


def test_non_json_2xx_through_the_sync_client(server: FakeVoxServer, vox: Vox) -> None:
    server.inject(Fault.not_json(201))
    with pytest.raises(APIResponseValidationError) as caught:
        vox.organization_telephone_numbers.retrieve("anything")
    assert caught.value.status_code == 201


# -- property tests ---------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
timestamps = st.integers(min_value=0, max_value=MAX_MS)
optional_timestamps = st.none() | timestamps
optional_texts = st.none() | st.text(max_size=40)
agents = st.none() | st.fixed_dictionaries(
    {"agent_id": st.text(max_size=36), "agent_version": st.text(max_size=10)},
    optional={"extra": json_values},
)
provider_values = st.sampled_from([p.value for p in Provider]) | st.text(max_size=15)
status_values = st.sampled_from([s.value for s in TelephoneNumberStatus]) | st.text(max_size=15)
extra_keys = st.dictionaries(
    st.text(min_size=1, max_size=15).filter(lambda key: key not in ALL_FIELDS | {"cls"}),
    json_values,
    max_size=5,
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A record the API could send: known fields (optional ones null, set or absent) plus
    fields and enum values the SDK has never heard of."""
    record: dict[str, Any] = {
        "id": draw(st.text(max_size=36)),
        "number": draw(st.text(alphabet="0123456789", max_size=12)),
        "provider": draw(provider_values),
        "status": draw(status_values),
        "created_at": draw(timestamps),
        "updated_at": draw(timestamps),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "start_at": optional_timestamps,
        "monthly_fee": st.none() | st.integers(min_value=0, max_value=10**9),
        "address": optional_texts,
        "inbound_trunk_id": optional_texts,
        "outbound_trunk_id": optional_texts,
        "inbound_agent": agents,
        "outbound_agent": agents,
        "memo": optional_texts,
        "end_at": optional_timestamps,
        "cancel_requested_at": optional_timestamps,
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            record[name] = draw(strategy)
    record.update(draw(extra_keys))
    return record


def known_part(record: dict[str, Any]) -> dict[str, Any]:
    """What the model should hold: the known fields, absent optional ones as None, agents
    without their unknown keys."""
    expected = {name: record.get(name) for name in ALL_FIELDS}
    for name in AGENT_FIELDS:
        agent = expected[name]
        if agent is not None:
            expected[name] = {key: agent[key] for key in ("agent_id", "agent_version")}
    return expected


@settings(max_examples=150)
@given(record=records())
def test_any_record_with_extra_keys_or_new_enum_values_structures(record: dict[str, Any]) -> None:
    number = parse(record)
    assert as_plain_dict(number) == known_part(record)
    known_providers = {p.value for p in Provider}
    if record["provider"] in known_providers:
        assert isinstance(number.provider, Provider)
    else:
        assert type(number.provider) is str
    known_statuses = {s.value for s in TelephoneNumberStatus}
    if record["status"] in known_statuses:
        assert isinstance(number.status, TelephoneNumberStatus)
    else:
        assert type(number.status) is str
    assert number.created_datetime == EPOCH + dt.timedelta(milliseconds=record["created_at"])


not_an_int = (
    st.text(max_size=10)
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.lists(st.integers(), max_size=2)
)
not_a_str = st.integers() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=100)
@given(
    field=st.sampled_from(REQUIRED_INT_FIELDS + OPTIONAL_INT_FIELDS),
    value=not_an_int,
    extra=extra_keys,
)
def test_any_wrong_int_is_rejected_naming_the_field(
    field: str, value: object, extra: dict[str, Any]
) -> None:
    with pytest.raises(APIResponseValidationError) as caught:
        parse({**full_record(**{field: value}), **extra})
    assert f"$.{field}" in str(caught.value)


@settings(max_examples=100)
@given(
    field=st.sampled_from(REQUIRED_STR_FIELDS + OPTIONAL_STR_FIELDS + ENUM_FIELDS),
    value=not_a_str,
)
def test_any_wrong_str_is_rejected_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(APIResponseValidationError) as caught:
        parse(full_record(**{field: value}))
    assert f"$.{field}" in str(caught.value)


@pytest.fixture(scope="module")
def module_server() -> Iterator[FakeVoxServer]:
    with FakeVoxServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def module_vox(module_server: FakeVoxServer) -> Iterator[Vox]:
    with Vox(module_server.api_key, base_url=module_server.url, max_retries=0) as client:
        yield client


@settings(max_examples=40, deadline=None)
@given(
    extra=extra_keys,
    status=status_values,
    provider=provider_values,
)
def test_any_extra_keys_or_enum_values_from_the_server_still_structure(
    module_server: FakeVoxServer,
    module_vox: Vox,
    extra: dict[str, Any],
    status: str,
    provider: str,
) -> None:
    seeded = module_server.add_number()
    module_server.inject(
        Fault.extra_fields(status=status, provider=provider, **extra), id=seeded["id"]
    )
    number = module_vox.organization_telephone_numbers.retrieve(seeded["id"])
    assert as_plain_dict(number) == {**seeded, "status": status, "provider": provider}
