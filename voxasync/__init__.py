"""voxasync: the Python SDK for the vox.ai telephone-number API.

``AsyncVox`` is the async client (aiohttp); ``Vox`` runs the same code from blocking code,
including inside a running event loop such as a Jupyter notebook.
"""

from ._client import AsyncVox
from ._retry import MAX_RETRY_AFTER
from ._sync import Vox
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BatchAborted,
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
    OrganizationTelephoneNumber,
    Provider,
    RevokeCancelOutcome,
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
    "BadRequestError",
    "BatchAborted",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "OrganizationTelephoneNumber",
    "PermissionDeniedError",
    "Provider",
    "RateLimitError",
    "RevokeCancelOutcome",
    "TelephoneNumberStatus",
    "TelephoneNumberTermination",
    "UnprocessableEntityError",
    "Vox",
    "VoxError",
    "__version__",
]
