"""The bodies of the calls that change numbers, checked as the API documents them.

Every body is a non-empty JSON object with only the documented fields
(``additionalProperties: false``); a field sent as ``null`` clears a nullable value.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

from ._rules import check_fields, invalid, json_body, string_field

MEMO_MAX: Final = 200
AGENT_FIELDS: Final = ("inbound_agent", "outbound_agent", "sms_inbound_agent")
SIP_FIELDS: Final = ("address", "auth_username", "auth_password", "memo")
REGISTER_FIELDS: Final = ("number", "address", "auth_username", "auth_password", "memo")
_VERSION: Final = re.compile(r"current|production|v[1-9][0-9]*")
_NUMBER: Final = re.compile(r"[0-9]{1,20}")


def memo_update(raw: bytes) -> dict[str, Any]:
    """``UpdateTelephoneNumberRequest``: only ``memo``."""
    body = json_body(raw)
    check_fields(body, ("memo",))
    string_field(body, "memo", max_length=MEMO_MAX)
    return body


def _mapping(field: str, value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(field, "invalid_type", "에이전트 매핑은 객체여야 합니다.")
    check_fields(value, ("agent_id", "agent_version"))
    agent_id = value.get("agent_id")
    try:
        if not isinstance(agent_id, str):
            raise ValueError(agent_id)
        uuid.UUID(agent_id)
    except ValueError:
        raise invalid(f"{field}.agent_id", "invalid_uuid", "agent_id는 UUID여야 합니다.") from None
    version = value.get("agent_version", "current")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise invalid(f"{field}.agent_version", "invalid_pattern",
                      "agent_version은 current, production 또는 v<N>이어야 합니다.",
                      pattern="^(current|production|v[1-9][0-9]*)$")
    return {"agent_id": agent_id, "agent_version": version}


def agents_update(raw: bytes) -> dict[str, Any]:
    """``UpdateAgentMappingRequest``: each mapping, ``agent_version`` defaulting to current."""
    body = json_body(raw)
    check_fields(body, AGENT_FIELDS)
    return {field: _mapping(field, value) for field, value in body.items()}


def sip_update(raw: bytes) -> dict[str, Any]:
    """SIP settings; ``auth_password`` must come with any change of address or username."""
    body = json_body(raw)
    check_fields(body, SIP_FIELDS)
    string_field(body, "address", nullable=False, blank=False)
    for field in ("auth_username", "auth_password"):
        string_field(body, field)
    string_field(body, "memo", max_length=MEMO_MAX)
    if ("address" in body or "auth_username" in body) and "auth_password" not in body:
        raise invalid("auth_password", "required",
                      "address 또는 auth_username을 변경할 때는 auth_password가 필요합니다.")
    return body


def registration(raw: bytes) -> dict[str, Any]:
    """``POST /v3/telephone-numbers/register``: ``number`` and ``address`` required."""
    body = json_body(raw)
    check_fields(body, REGISTER_FIELDS)
    for field in ("number", "address"):
        if field not in body:
            raise invalid(field, "required", f"{field}은(는) 필수입니다.")
    string_field(body, "number", nullable=False)
    if not _NUMBER.fullmatch(body["number"]):
        raise invalid("number", "invalid_pattern", "번호는 1~20자리 숫자여야 합니다.",
                      pattern=r"^\d+$")
    string_field(body, "address", nullable=False, blank=False)
    for field in ("auth_username", "auth_password"):
        string_field(body, field)
    string_field(body, "memo", max_length=MEMO_MAX)
    return body


def credentials(body: Mapping[str, Any]) -> dict[str, Any]:
    """The SIP credentials a body sets; kept apart from the record, which never shows them."""
    return {k: body[k] for k in ("auth_username", "auth_password") if k in body}
