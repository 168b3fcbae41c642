"""What every part of the fake shares: the API's error envelope and the checks of queries
and JSON bodies that all its endpoints apply the same way."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

Query = Sequence[tuple[str, str]]


class ApiError(Exception):
    """A refusal by the API's rules; the server answers it as an error envelope."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def payload(self) -> dict[str, Any]:
        return error_payload(self.code, self.message, self.details)


def error_payload(code: str, message: str, details: Mapping[str, Any]) -> dict[str, Any]:
    """The API's error envelope."""
    return {"error": {"code": code, "message": message, "details": dict(details)}}


def default_code(status: int) -> str:
    """The envelope code the API uses for ``status`` when a fault names none."""
    return {
        400: "VALIDATION_ERROR", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
        408: "REQUEST_TIMEOUT", 409: "CONFLICT", 422: "UNPROCESSABLE_ENTITY",
        429: "RATE_LIMITED",
    }.get(status, "INTERNAL_ERROR")


def invalid(field: str, reason: str, message: str = "요청 값이 올바르지 않습니다.",
            **details: Any) -> ApiError:
    """400 ``VALIDATION_ERROR`` about one field."""
    return ApiError(400, "VALIDATION_ERROR", message, field=field, reason=reason, **details)


def single_params(query: Query, keys: Sequence[str]) -> dict[str, str | None]:
    """Each of ``keys`` at most once (else 400); any key not in ``keys`` is 400 too."""
    unknown = {key for key, _ in query} - set(keys)
    if unknown:
        raise invalid(sorted(unknown)[0], "unknown_parameter", "알 수 없는 파라미터입니다.")
    single: dict[str, str | None] = {}
    for key in keys:
        values = [v for k, v in query if k == key]
        if len(values) > 1:
            raise invalid(key, "duplicate_parameter", "중복된 파라미터입니다.")
        single[key] = values[0] if values else None
    return single


def check_choice(field: str, value: str | None, allowed: Sequence[str],
                 *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if value not in allowed:
        raise invalid(field, "invalid_value", f"{field} 값이 올바르지 않습니다.",
                      allowed_values=list(allowed))


def page_limit(text: str | None) -> int:
    """``limit``: 1..100, default 50."""
    if text is None:
        return 50
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        raise invalid("limit", "out_of_range", "limit은 1에서 100 사이여야 합니다.")
    return limit


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset":
            raise ValueError(cursor)
        return int(number)
    except ValueError:
        raise invalid("cursor", "invalid_cursor", "cursor가 올바르지 않습니다.") from None


def page(items: Sequence[dict[str, Any]], offset: int, limit: int) -> dict[str, Any]:
    """``{items, total_count, next_cursor}`` for ``items[offset:offset + limit]``."""
    shown = list(items[offset: offset + limit])
    end = offset + len(shown)
    return {
        "items": shown,
        "total_count": len(items),
        "next_cursor": encode_cursor(end) if end < len(items) else None,
    }


def json_body(raw: bytes) -> dict[str, Any]:
    """A request body that must be a non-empty JSON object (every v3 PATCH and POST here)."""
    try:
        body = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        raise invalid("body", "invalid_json", "요청 본문이 JSON이 아닙니다.") from None
    if not isinstance(body, dict):
        raise invalid("body", "not_an_object", "요청 본문은 JSON 객체여야 합니다.")
    if not body:
        raise invalid("body", "empty_body", "변경할 항목이 없습니다.")
    return body


def check_fields(body: Mapping[str, Any], allowed: Sequence[str]) -> None:
    """``additionalProperties: false``: any other field is 400."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise invalid(unknown[0], "unknown_field", "알 수 없는 항목입니다.")


def string_field(body: Mapping[str, Any], field: str, *, nullable: bool = True,
                 max_length: int | None = None, blank: bool = True) -> None:
    """``body[field]``, if present, is a string (or null, when ``nullable``) that fits."""
    if field not in body:
        return
    value = body[field]
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise invalid(field, "invalid_type", f"{field}은(는) 문자열이어야 합니다.")
    if not blank and not value.strip():
        raise invalid(field, "blank", f"{field}은(는) 비어 있을 수 없습니다.")
    if max_length is not None and len(value) > max_length:
        raise invalid(field, "too_long", f"{field}은(는) {max_length}자 이하여야 합니다.",
                      max_length=max_length)
