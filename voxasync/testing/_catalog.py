"""Numbers for sale (``GET /v3/telephone-numbers/available``), seeded with a fixed set."""

from __future__ import annotations

import copy
import uuid
from typing import Any, Final

from ._rules import Query, check_choice, decode_cursor, page, page_limit, single_params

LINE_TYPES: Final = ("mobile", "landline", "voip", "uan", "personal", "toll_free")
_KEYS: Final = ("line_type", "cursor", "limit", "sort_by", "sort_order")
_NAMESPACE: Final = uuid.UUID("3f0c2a9e-8d41-4b6e-a7d2-5c1e9b0f4a66")

#: What a new catalog holds: (number, line_type, monthly_fee, sms send, sms recv).
SEED: Final[tuple[tuple[str, str, int, bool, bool], ...]] = (
    ("07045670001", "voip", 2000, True, True),
    ("07045670002", "voip", 2000, True, True),
    ("07045670003", "voip", 2000, False, True),
    ("0215440001", "landline", 3000, False, False),
    ("0215440002", "landline", 3000, True, False),
    ("0515440003", "landline", 3000, False, False),
    ("01055550001", "mobile", 5500, True, True),
    ("01055550002", "mobile", 5500, True, True),
    ("15880001", "uan", 11000, False, False),
    ("16440002", "uan", 11000, True, False),
    ("05045670001", "personal", 4000, True, True),
    ("08045670001", "toll_free", 15000, False, False),
)


class Catalog:
    """The numbers for sale, by id. Every method returns copies."""

    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}
        for number, line_type, fee, send, recv in SEED:
            self.add(number=number, line_type=line_type, monthly_fee=fee,
                     sms_capable={"send": send, "recv": recv})

    def add(self, *, number: str, line_type: str = "voip", monthly_fee: int = 2000,
            sms_capable: dict[str, bool] | None = None, **fields: Any) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": str(uuid.uuid5(_NAMESPACE, number)),
            "number": number,
            "line_type": line_type,
            "monthly_fee": monthly_fee,
            "provider": "vox",
            "sms_capable": sms_capable or {"send": True, "recv": True},
        }
        item.update(fields)
        self._items[item["id"]] = item
        return copy.deepcopy(item)

    def all(self) -> list[dict[str, Any]]:
        return copy.deepcopy(list(self._items.values()))

    def available(self, query: Query) -> dict[str, Any]:
        single = single_params(query, _KEYS)
        check_choice("line_type", single["line_type"], LINE_TYPES, optional=True)
        check_choice("sort_by", single["sort_by"], ("number", "monthly_fee"), optional=True)
        check_choice("sort_order", single["sort_order"], ("asc", "desc"), optional=True)
        limit, offset = page_limit(single["limit"]), decode_cursor(single["cursor"])
        matching = [
            item for item in self._items.values()
            if single["line_type"] is None or item["line_type"] == single["line_type"]
        ]
        if single["sort_by"] == "monthly_fee":
            matching.sort(key=lambda item: (item["monthly_fee"], item["number"]))
        else:
            matching.sort(key=lambda item: item["number"])
        if single["sort_order"] == "desc":
            matching.reverse()
        return copy.deepcopy(page(matching, offset, limit))
