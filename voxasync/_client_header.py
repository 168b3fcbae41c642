"""The ``X-Vox-Client`` header, by which vox.ai's client SDKs say who is calling.

The header is layers ``name/version``, separated by single spaces, outermost first: an
application that wraps this SDK comes before ``voxasync/<version>``. The rules:

- ``name`` is 1 to 32 of ``[a-z0-9-]``; ``version`` is 1 to 32 of ``[A-Za-z0-9.+-]``;
- a malformed layer is dropped silently;
- at most 8 layers and 256 bytes: on overflow the outermost layers are dropped first, so
  the SDK's own layer (the innermost) always stays;
- no layer at all: no header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ._version import __version__

__all__ = [
    "HEADER",
    "MAX_BYTES",
    "MAX_LAYERS",
    "SDK_LAYER",
    "check_app_info",
    "client_header",
]

HEADER: Final = "X-Vox-Client"
MAX_LAYERS: Final = 8
MAX_BYTES: Final = 256
SDK_LAYER: Final = f"voxasync/{__version__}"

_LAYER: Final = re.compile(r"[a-z0-9-]{1,32}/[A-Za-z0-9.+-]{1,32}")


def is_layer(layer: str) -> bool:
    return _LAYER.fullmatch(layer) is not None


def client_header(layers: Iterable[str]) -> str | None:
    """The header's value for ``layers`` (outermost first), or ``None`` to send none."""
    kept = [layer for layer in layers if isinstance(layer, str) and is_layer(layer)]
    del kept[: max(len(kept) - MAX_LAYERS, 0)]
    while kept and len(" ".join(kept)) > MAX_BYTES:  # the layers are ASCII: chars are bytes
        del kept[0]
    return " ".join(kept) or None


def check_app_info(app_info: str | None) -> list[str]:
    """``app_info``'s layers, checked up front: a typo would otherwise vanish silently."""
    if app_info is None:
        return []
    if not isinstance(app_info, str):
        raise TypeError(f"app_info must be a str like 'myapp/1.2', got {app_info!r}")
    layers = app_info.split()
    bad = [layer for layer in layers if not is_layer(layer)]
    if bad or not layers:
        raise ValueError(
            f"app_info must be space-separated name/version layers like 'myapp/1.2' (name: "
            f"1-32 of a-z 0-9 -, version: 1-32 of A-Z a-z 0-9 . + -), got {app_info!r}"
        )
    return layers
