"""voxasync: the Python SDK for the vox.ai telephone-number API.

``AsyncVox`` is the async client (aiohttp); ``Vox`` runs the same code from blocking code,
including inside a running event loop such as a Jupyter notebook.
"""

from typing import TYPE_CHECKING, Any

from ._batch import BatchAborted
from ._client import AsyncVox
from ._raw import RawResponse
from ._retry import MAX_RETRY_AFTER
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    VoxError,
)
from .models import (
    AgentMapping,
    AvailableTelephoneNumber,
    LineType,
    OrganizationTelephoneNumber,
    Provider,
    RevokeCancelOutcome,
    SmsCapability,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
)

__all__ = [
    "MAX_RETRY_AFTER",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AgentMapping",
    "AsyncVox",
    "AuthenticationError",
    "AvailableTelephoneNumber",
    "BadRequestError",
    "BatchAborted",
    "ConflictError",
    "InternalServerError",
    "LineType",
    "NotFoundError",
    "NotGiven",
    "OrganizationTelephoneNumber",
    "PermissionDeniedError",
    "Provider",
    "RateLimitError",
    "RawResponse",
    "RevokeCancelOutcome",
    "SmsCapability",
    "TelephoneNumberStatus",
    "TelephoneNumberTermination",
    "UnprocessableEntityError",
    "Vox",
    "VoxError",
    "__version__",
]

if TYPE_CHECKING:
    from ._sync import Vox


def __getattr__(name: str) -> Any:
    # ``Vox`` (the sync package: its loop thread, twins, id reader) loads on first use, so
    # async services that never touch it do not pay its import.
    if name == "Vox":
        from ._sync import Vox

        return Vox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"Vox"})
