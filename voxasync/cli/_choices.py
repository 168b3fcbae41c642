"""Checked choices for options: an unknown value is a usage error that lists the valid ones.

Shared by ``_parser`` and ``_edit_parsers``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

__all__ = ["one_of"]


def one_of(allowed: Sequence[str], *, several: bool = False) -> Callable[[str], str]:
    """An argparse ``type=``: the value must be one of ``allowed`` (with ``several``, a
    comma-separated list of them). Anything else is a usage error, exit status 2, that
    lists the valid values, before any request::

        parser.add_argument("--provider", type=one_of(KNOWN_PROVIDERS))
    """

    def check(text: str) -> str:
        parts = [part.strip() for part in text.split(",")] if several else [text.strip()]
        for part in parts:
            if part and part not in allowed:
                raise argparse.ArgumentTypeError(
                    f"unknown value {part!r}; valid values: {', '.join(allowed)}"
                )
        return text

    return check
