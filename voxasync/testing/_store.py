"""The fake's number records and the API's rules over them, as plain data.

Kept free of HTTP and threads so the rules can be read (and extended) on their own: the
server holds the lock and turns an :class:`ApiError` into a response.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Mapping
from typing import Any

from . import _edits
from ._catalog import Catalog
from ._rules import (
    ApiError,
    Query,
    check_choice,
    decode_cursor,
    default_code,
    error_payload,
    page,
    page_limit,
    single_params,
)

__all__ = ["DAY_MS", "ApiError", "NumberStore", "Query", "default_code", "error_payload"]

DAY_MS = 24 * 60 * 60 * 1000
_SINGLE_LIST_KEYS = ("provider", "cursor", "limit", "sort_by", "sort_order")
_STATUSES = ("active", "scheduled", "cancel_requested", "expired")


def now_ms() -> int:
    return int(time.time() * 1000)


class NumberStore:
    """The numbers, by id, in the order added. Every method returns copies."""

    def __init__(self) -> None:
        self._numbers: dict[str, dict[str, Any]] = {}
        self._serial = 0
        self.catalog = Catalog()
        """The numbers for sale."""
        self._credentials: dict[str, dict[str, Any]] = {}
        """SIP credentials by number id: set, never shown in a record."""

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
        return copy.deepcopy(page(matching, offset, limit))

    def update(self, number_id: str, raw: bytes) -> dict[str, Any]:
        body = _edits.memo_update(raw)
        return self._changed(self._existing(number_id), body)

    def update_agents(self, number_id: str, raw: bytes) -> dict[str, Any]:
        record = self._existing(number_id)
        body = _edits.agents_update(raw)
        mapped = any(value is not None for value in body.values())
        if mapped and record["status"] == "expired":
            raise ApiError(409, "INVALID_STATUS", "만료된 번호에는 에이전트를 연결할 수 없습니다.",
                           field="status", reason="expired")
        return self._changed(record, body)

    def update_sip(self, number_id: str, raw: bytes) -> dict[str, Any]:
        record = self._existing(number_id)
        body = _edits.sip_update(raw)
        if record["provider"] != "custom":
            raise ApiError(400, "VALIDATION_ERROR", "SIP 설정은 직접 등록한 번호에만 있습니다.",
                           field="provider", reason="not_custom_number",
                           allowed_values=["custom"])
        self._credentials.setdefault(number_id, {}).update(_edits.credentials(body))
        shown = {k: v for k, v in body.items() if k in ("address", "memo")}
        return self._changed(record, shown)

    def register(self, raw: bytes) -> dict[str, Any]:
        """A new ``custom`` number; 409 if the number is already in service here."""
        body = _edits.registration(raw)
        taken = any(r["number"] == body["number"] and r["status"] != "expired"
                    for r in self._numbers.values())
        if taken:
            raise ApiError(409, "ALREADY_EXISTS", "이미 등록된 번호입니다.",
                           field="number", reason="already_registered")
        now = now_ms()
        record = self.add(
            id=None, number=body["number"], provider="custom", status="active",
            start_at=now, created_at=now, updated_at=now, inbound_agent=None,
            address=body["address"], memo=body.get("memo"),
        )
        self._credentials[record["id"]] = _edits.credentials(body)
        return record

    def credentials(self, number_id: str) -> dict[str, Any]:
        """The SIP credentials last set for a number (for tests)."""
        return dict(self._credentials.get(number_id, {}))

    def _changed(self, record: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
        record.update(fields, updated_at=max(now_ms(), record["updated_at"] + 1))
        return copy.deepcopy(record)

    def _existing(self, number_id: str) -> dict[str, Any]:
        record = self._numbers.get(number_id)
        if record is None:
            raise ApiError(404, "NOT_FOUND", "전화번호를 찾을 수 없습니다.",
                           field="organization_telephone_number_id")
        return record


def _list_params(query: Query) -> tuple[dict[str, str | None], list[str], int, int]:
    """Validate a list query: (single-valued params, statuses, limit, offset)."""
    single = single_params([(k, v) for k, v in query if k != "status"], _SINGLE_LIST_KEYS)
    statuses = [v for k, v in query if k == "status"] or ["active"]
    check_choice("provider", single["provider"], ("vox", "custom"), optional=True)
    for status in statuses:
        check_choice("status", status, _STATUSES)
    check_choice("sort_by", single["sort_by"], ("created_at",), optional=True)
    check_choice("sort_order", single["sort_order"], ("asc", "desc"), optional=True)
    return single, statuses, page_limit(single["limit"]), decode_cursor(single["cursor"])


def _end_of_period(record: Mapping[str, Any], now: int) -> int:
    """The next monthly (30-day) anniversary of ``start_at`` after ``now``."""
    start = record.get("start_at") or now
    period = 30 * DAY_MS
    return int(start + ((now - start) // period + 1) * period)
