"""Request bodies for the PATCH and register calls, checked before any request is made.

PATCH semantics, in Python terms: an argument left at ``NOT_GIVEN`` is not sent (the
server keeps the value), ``None`` is sent as JSON ``null`` (the server clears it), and a
call that gives nothing at all is a ``ValueError``, since the API refuses an empty body.
Only the fields the API documents are ever put in a body.

Each check names the argument it refuses. None of them ever quotes ``auth_password``; the
pipeline redacts it from the bodies it logs (``_pipeline.SECRET_FIELDS``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .._types import NOT_GIVEN, NotGiven, check_int
from ..models import AgentMapping

__all__ = [
    "MEMO_MAX_CHARS",
    "agents_body",
    "available_params",
    "memo_body",
    "register_body",
    "sip_body",
]

MEMO_MAX_CHARS: Final = 200

_AGENT_VERSION: Final = re.compile(r"current|production|v[1-9][0-9]*")
_NUMBER: Final = re.compile(r"[0-9]{1,20}")


def _str_or_none(name: str, value: object, *, secret: bool = False) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)  # a str subclass (an enum member) becomes its plain value
    shown = type(value).__name__ if secret else f"{type(value).__name__} {value!r:.40}"
    raise TypeError(f"{name} must be a str or None, got {shown}")


def _non_blank(name: str, value: object) -> str:
    text = _str_or_none(name, value)
    if text is None:
        raise TypeError(f"{name} must be a str, got None")
    if not text.strip():
        raise ValueError(f"{name} must not be blank")
    return text


def _memo(value: object) -> str | None:
    memo = _str_or_none("memo", value)
    if memo is not None and len(memo) > MEMO_MAX_CHARS:
        raise ValueError(f"memo must be at most {MEMO_MAX_CHARS} characters, got {len(memo)}")
    return memo


def _password(value: object) -> str | None:
    password = _str_or_none("auth_password", value, secret=True)
    if password == "":
        raise ValueError("auth_password must not be empty; pass None to clear it")
    return password


def _given(what: str, fields: Mapping[str, object]) -> dict[str, Any]:
    """The fields that were given; ``ValueError`` if none was (the API refuses ``{}``)."""
    body = {name: value for name, value in fields.items() if value is not NOT_GIVEN}
    if not body:
        names = ", ".join(f"{name}=" for name in fields)
        raise ValueError(f"{what} needs at least one of {names} (None clears a value)")
    return body


def memo_body(memo: str | NotGiven | None) -> dict[str, Any]:
    """``PATCH .../{id}``: only ``memo``."""
    body = _given("update()", {"memo": memo})
    return {"memo": _memo(body["memo"])}


def agent_mapping(name: str, value: object) -> dict[str, str] | None:
    """An ``AgentMapping`` (or ``None``, to unmap) as the API's JSON object."""
    if value is None:
        return None
    if not isinstance(value, AgentMapping):
        raise TypeError(
            f"{name} must be an AgentMapping or None, got {type(value).__name__} {value!r:.60}"
        )
    agent_id = _non_blank(f"{name}.agent_id", value.agent_id)
    version = value.agent_version
    if not isinstance(version, str):
        raise TypeError(f"{name}.agent_version must be a str, got {type(version).__name__}")
    if not _AGENT_VERSION.fullmatch(version):
        raise ValueError(
            f"{name}.agent_version must be 'current', 'production' or 'v<N>' with N >= 1, "
            f"got {version!r:.40}"
        )
    return {"agent_id": agent_id, "agent_version": str(version)}


def agents_body(
    *,
    inbound_agent: AgentMapping | NotGiven | None,
    outbound_agent: AgentMapping | NotGiven | None,
    sms_inbound_agent: AgentMapping | NotGiven | None,
) -> dict[str, Any]:
    """``PATCH .../{id}/agent``: each mapping given, or ``null`` to unmap."""
    body = _given("update_agents()", {
        "inbound_agent": inbound_agent,
        "outbound_agent": outbound_agent,
        "sms_inbound_agent": sms_inbound_agent,
    })
    return {name: agent_mapping(name, value) for name, value in body.items()}


def sip_body(
    *,
    address: str | NotGiven,
    auth_username: str | NotGiven | None,
    auth_password: str | NotGiven | None,
    memo: str | NotGiven | None,
) -> dict[str, Any]:
    """``PATCH .../{id}/sip``. The API requires ``auth_password`` with any change of
    ``address`` or ``auth_username``; ``address`` cannot be cleared (a custom number is
    reached through it)."""
    body = _given("update_sip()", {
        "address": address,
        "auth_username": auth_username,
        "auth_password": auth_password,
        "memo": memo,
    })
    if "address" in body:
        body["address"] = _non_blank("address", body["address"])
    if "auth_username" in body:
        body["auth_username"] = _str_or_none("auth_username", body["auth_username"])
    if "auth_password" in body:
        body["auth_password"] = _password(body["auth_password"])
    elif "address" in body or "auth_username" in body:
        changed = "address" if "address" in body else "auth_username"
        raise ValueError(
            f"auth_password is required when {changed} changes (the API requires it): "
            "pass auth_password=..., or None for a trunk without authentication"
        )
    if "memo" in body:
        body["memo"] = _memo(body["memo"])
    return body


def register_body(
    *,
    number: object,
    address: object,
    auth_username: object,
    auth_password: object,
    memo: object,
) -> dict[str, Any]:
    """``POST /v3/telephone-numbers/register``: every field, ``null`` where not set."""
    if not isinstance(number, str):
        raise TypeError(f"number must be a str of digits, got {type(number).__name__}")
    if not _NUMBER.fullmatch(number):
        hint = " without hyphens" if "-" in number else ""
        raise ValueError(
            f"number must be 1 to 20 digits (0-9){hint}, e.g. '07011112222'; got {number!r:.40}"
        )
    return {
        "number": str(number),
        "address": _non_blank("address", address),
        "auth_username": _str_or_none("auth_username", auth_username),
        "auth_password": _password(auth_password),
        "memo": _memo(memo),
    }


def available_params(
    *,
    line_type: object,
    limit: object,
    sort_by: object,
    sort_order: object,
) -> list[tuple[str, str]]:
    """The query of ``GET /v3/telephone-numbers/available``, checked."""
    params: list[tuple[str, str]] = []
    if line_type is not None:
        params.append(("line_type", _non_blank("line_type", line_type)))
    if limit is not None:
        params.append(("limit", str(check_int("limit", limit, minimum=1, maximum=100))))
    if sort_by is not None:
        params.append(("sort_by", _non_blank("sort_by", sort_by)))
    if sort_order is not None:
        if sort_order not in ("asc", "desc"):
            raise ValueError(f"sort_order must be 'asc' or 'desc', got {sort_order!r:.40}")
        params.append(("sort_order", str(sort_order)))
    return params

