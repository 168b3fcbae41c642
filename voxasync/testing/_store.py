"""The fake's number records and the API's rules over them, as plain data.

Kept free of HTTP and threads so the rules can be read (and extended) on their own: the
server holds the lock and turns an :class:`ApiError` into a response.
"""

from __future__ import annotations

import base64
import copy
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

DAY_MS = 24 * 60 * 60 * 1000
_LIST_KEYS = frozenset({"provider", "status", "cursor", "limit", "sort_by", "sort_order"})
_SINGLE_LIST_KEYS = ("provider", "cursor", "limit", "sort_by", "sort_order")
_STATUSES = ("active", "scheduled", "cancel_requested", "expired")

Query = Sequence[tuple[str, str]]


def now_ms() -> int:
    return int(time.time() * 1000)


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


class NumberStore:
    """The numbers, by id, in the order added. Every method returns copies."""

    def __init__(self) -> None:
        self._numbers: dict[str, dict[str, Any]] = {}
        self._serial = 0

    # -- seeding and inspecting ----------------------------------------------------------

    def add(
        self, *, id: str | None, number: str | None, provider: str, status: str, **fields: Any
    ) -> dict[str, Any]:
        self._serial += 1
        now = now_ms()
        record: dict[str, Any] = {
            "id": id or str(uuid.uuid4()),
            "number": number or f"070{self._serial:08d}",
            "provider": provider,
            "status": status,
            "start_at": now - 90 * DAY_MS,
            "created_at": now - 90 * DAY_MS + self._serial,
            "updated_at": now,
            "monthly_fee": 3000 if provider == "vox" else None,
            "address": None,
            "inbound_trunk_id": None,
            "outbound_trunk_id": None,
            "inbound_agent": {"agent_id": str(uuid.uuid4()), "agent_version": "production"},
            "outbound_agent": None,
            "sms_inbound_agent": None,
            "memo": None,
            "end_at": None,
            "cancel_requested_at": None,
        }
        if status == "cancel_requested":
            record["cancel_requested_at"] = now - DAY_MS
            record["end_at"] = _end_of_period(record, now)
        record.update(fields)
        self._numbers[record["id"]] = record
        return copy.deepcopy(record)

    def find(self, number_id: str) -> dict[str, Any] | None:
        record = self._numbers.get(number_id)
        return None if record is None else copy.deepcopy(record)

    def all(self) -> list[dict[str, Any]]:
        return copy.deepcopy(list(self._numbers.values()))

    # -- the API's operations ------------------------------------------------------------

    def retrieve(self, number_id: str) -> dict[str, Any]:
        return copy.deepcopy(self._existing(number_id))

    def revoke_cancel(self, number_id: str) -> dict[str, Any]:
        record = self._existing(number_id)
        if record["provider"] != "vox":
            raise ApiError(400, "VALIDATION_ERROR",
                           "vox에서 구매한 번호만 해지 예약을 취소할 수 있습니다.",
                           field="provider", reason="not_vox_number", allowed_values=["vox"])
        if record["status"] != "cancel_requested":
            raise ApiError(409, "INVALID_STATUS", "해지 예약 상태의 번호가 아닙니다.",
                           field="status", reason="not_cancel_requested",
                           allowed_values=["cancel_requested"])
        record.update(status="active", end_at=None, cancel_requested_at=None,
                      updated_at=now_ms())
        return copy.deepcopy(record)

    def delete(self, number_id: str) -> dict[str, Any]:
        """Vox numbers run to the end of the paid period; custom numbers expire at once."""
        record = self._existing(number_id)
        if record["status"] in ("cancel_requested", "expired"):
            raise ApiError(409, "INVALID_STATUS", "이미 해지되었거나 해지 예약된 번호입니다.",
                           field="status", reason=record["status"])
        now = now_ms()
        if record["provider"] == "vox":
            end = _end_of_period(record, now)
            record.update(status="cancel_requested", cancel_requested_at=now, end_at=end,
                          updated_at=now)
        else:
            end = now
            record.update(status="expired", end_at=now, updated_at=now)
        return {"id": record["id"], "number": record["number"],
                "provider": record["provider"], "effective_at": end}

    def list(self, query: Query) -> dict[str, Any]:
        single, statuses, limit, offset = _list_params(query)
        matching = [
            r for r in self._numbers.values()
            if r["status"] in statuses
            and (single["provider"] is None or r["provider"] == single["provider"])
        ]
        matching.sort(key=lambda r: (r["created_at"], r["id"]),
                      reverse=single["sort_order"] == "desc")
        page = copy.deepcopy(matching[offset: offset + limit])
        end = offset + len(page)
        return {
            "items": page,
            "total_count": len(matching),
            "next_cursor": _encode_cursor(end) if end < len(matching) else None,
        }

    def _existing(self, number_id: str) -> dict[str, Any]:
        record = self._numbers.get(number_id)
        if record is None:
            raise ApiError(404, "NOT_FOUND", "전화번호를 찾을 수 없습니다.",
                           field="organization_telephone_number_id")
        return record


def _list_params(query: Query) -> tuple[dict[str, str | None], list[str], int, int]:
    """Validate a list query: (single-valued params, statuses, limit, offset)."""
    unknown = {key for key, _ in query} - _LIST_KEYS
    if unknown:
        raise ApiError(400, "VALIDATION_ERROR", "알 수 없는 파라미터입니다.",
                       field=sorted(unknown)[0], reason="unknown_parameter")
    single: dict[str, str | None] = {}
    for key in _SINGLE_LIST_KEYS:
        values = [v for k, v in query if k == key]
        if len(values) > 1:
            raise ApiError(400, "VALIDATION_ERROR", "중복된 파라미터입니다.", field=key)
        single[key] = values[0] if values else None
    statuses = [v for k, v in query if k == "status"] or ["active"]
    _check_choice("provider", single["provider"], ("vox", "custom"), optional=True)
    for status in statuses:
        _check_choice("status", status, _STATUSES)
    _check_choice("sort_by", single["sort_by"], ("created_at",), optional=True)
    _check_choice("sort_order", single["sort_order"], ("asc", "desc"), optional=True)
    limit = 50
    if single["limit"] is not None:
        try:
            limit = int(single["limit"])
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            raise ApiError(400, "VALIDATION_ERROR", "limit은 1에서 100 사이여야 합니다.",
                           field="limit", reason="out_of_range")
    offset = 0 if single["cursor"] is None else _decode_cursor(single["cursor"])
    return single, statuses, limit, offset


def _check_choice(field: str, value: str | None, allowed: tuple[str, ...],
                  *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if value not in allowed:
        raise ApiError(400, "VALIDATION_ERROR", f"{field} 값이 올바르지 않습니다.",
                       field=field, reason="invalid_value", allowed_values=list(allowed))


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset":
            raise ValueError(cursor)
        return int(number)
    except ValueError:
        raise ApiError(400, "VALIDATION_ERROR", "cursor가 올바르지 않습니다.",
                       field="cursor", reason="invalid_cursor") from None


def _end_of_period(record: Mapping[str, Any], now: int) -> int:
    """The next monthly (30-day) anniversary of ``start_at`` after ``now``."""
    start = record.get("start_at") or now
    period = 30 * DAY_MS
    return int(start + ((now - start) // period + 1) * period)
