"""The fake's routing table: which store operation answers which method and path."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

import attrs

from ._store import ApiError, NumberStore, Query

__all__ = ["ROUTES", "Call", "Route", "decoded", "find_route", "target"]

_NUMBERS = ("v3", "organization-telephone-numbers")
_CATALOG = ("v3", "telephone-numbers")


@attrs.frozen
class Call:
    """What a route's handler gets: the path parameters (decoded), the query and the body
    (raw bytes; the store's rules decode it)."""

    params: Mapping[str, str]
    query: Query
    body: bytes = b""

    @property
    def id(self) -> str:
        return self.params["id"]


Handler = Callable[[NumberStore, Call], Any]


@attrs.frozen
class Route:
    """``method`` on ``path`` (segments; ``{name}`` is a parameter) answers 200 with what
    ``handler`` returns."""

    method: str
    path: tuple[str, ...]
    handler: Handler


ROUTES: tuple[Route, ...] = (
    Route("GET", _NUMBERS, lambda store, call: store.list(call.query)),
    Route("GET", (*_NUMBERS, "{id}"), lambda store, call: store.retrieve(call.params["id"])),
    Route("DELETE", (*_NUMBERS, "{id}"), lambda store, call: store.delete(call.params["id"])),
    Route("POST", (*_NUMBERS, "{id}", "revoke-cancel"),
          lambda store, call: store.revoke_cancel(call.params["id"])),
    Route("PATCH", (*_NUMBERS, "{id}"), lambda store, call: store.update(call.id, call.body)),
    Route("PATCH", (*_NUMBERS, "{id}", "agent"),
          lambda store, call: store.update_agents(call.id, call.body)),
    Route("PATCH", (*_NUMBERS, "{id}", "sip"),
          lambda store, call: store.update_sip(call.id, call.body)),
    Route("POST", (*_CATALOG, "register"), lambda store, call: store.register(call.body)),
    Route("GET", (*_CATALOG, "available"),
          lambda store, call: store.catalog.available(call.query)),
)
"""Every endpoint the fake serves. A path under a known resource (its first two segments)
with no route for the method is 405; any other path is 404."""


def _match(pattern: tuple[str, ...], segments: Sequence[str]) -> dict[str, str] | None:
    """The path parameters if ``segments`` (still percent-encoded) fit ``pattern``."""
    if len(pattern) != len(segments):
        return None
    params = {}
    for expected, segment in zip(pattern, segments, strict=True):
        if expected.startswith("{") and expected.endswith("}"):
            params[expected[1:-1]] = unquote(segment)
        elif expected != segment:
            return None
    return params


def find_route(method: str, segments: Sequence[str]) -> tuple[Route, dict[str, str]]:
    for route in ROUTES:
        params = _match(route.path, segments)
        if params is not None and route.method == method:
            return route, params
    if not any(tuple(segments[:2]) == route.path[:2] for route in ROUTES):
        raise ApiError(404, "NOT_FOUND", "요청한 경로를 찾을 수 없습니다.")
    raise ApiError(405, "METHOD_NOT_ALLOWED", "지원하지 않는 요청입니다.")


def target(segments: Sequence[str]) -> tuple[str | None, str | None]:
    """(number id, action) of a path, for the request log and for matching faults.

    ``/v3/organization-telephone-numbers/{id}/agent`` is ``(id, "agent")``, ``.../{id}`` is
    ``(id, "")``; ``/v3/telephone-numbers/register`` is ``(None, "register")``.
    """
    if tuple(segments[:2]) == _CATALOG:
        return None, (segments[2] if len(segments) == 3 else None)
    number_id = unquote(segments[2]) if len(segments) >= 3 else None
    action = segments[3] if len(segments) == 4 else ("" if len(segments) == 3 else None)
    return number_id, action


def decoded(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None
