"""Request paths, and the id checks that keep bad input from ever reaching the server."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote

__all__ = ["AVAILABLE_PATH", "NUMBERS_PATH", "REGISTER_PATH", "number_path"]

NUMBERS_PATH: Final = "/v3/organization-telephone-numbers"
REGISTER_PATH: Final = "/v3/telephone-numbers/register"
AVAILABLE_PATH: Final = "/v3/telephone-numbers/available"

# The characters ``quote`` never escapes (ASCII letters, digits, ``_.-~``): a plain ``str`` id
# made of these alone (every UUID) is its own encoding, and skips ``quote``.
_UNRESERVED: Final = re.compile(r"[A-Za-z0-9_.~-]+")


def number_path(organization_telephone_number_id: object, action: str = "") -> str:
    """The path for one number: the id is exactly one percent-encoded segment.

    ``/``, ``?``, ``#``, ``%`` and spaces cannot change the path: ``a%2Fb`` reaches the server
    as exactly that string. Raises ``TypeError`` for a non-``str`` id and ``ValueError`` for
    an empty or blank id, or ``.``/``..``.
    """
    value = organization_telephone_number_id
    if not isinstance(value, str):
        raise TypeError(
            f"organization_telephone_number_id must be a str, got {type(value).__name__}"
        )
    if not value.strip():
        raise ValueError("organization_telephone_number_id must be a non-blank string")
    if value in (".", ".."):
        raise ValueError(f"organization_telephone_number_id cannot be {value!r}")
    plain = type(value) is str and _UNRESERVED.fullmatch(value)
    segment = value if plain else quote(value, safe="")
    path = f"{NUMBERS_PATH}/{segment}"
    return f"{path}/{action}" if action else path
