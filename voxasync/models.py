"""The records the API returns, as frozen attrs classes.

Field names and values are exactly the API's: timestamps stay ``int`` milliseconds since the
epoch, as sent. Each timestamp also has a read-only ``*_datetime`` property that gives it as
a timezone-aware UTC :class:`~datetime.datetime`.

``provider`` and ``status`` are *open* enums: a value the SDK knows becomes a member of
:class:`Provider` / :class:`TelephoneNumberStatus` (which compares equal to its string), and
a value the server adds later is kept as the plain string it sent. Models hold no I/O and no
serialization rules; the converter in ``voxasync._converter`` does the structuring.
"""

from __future__ import annotations

import datetime as _dt
import enum

import attrs

__all__ = [
    "AgentMapping",
    "OrganizationTelephoneNumber",
    "Provider",
    "RevokeCancelOutcome",
    "TelephoneNumberStatus",
    "TelephoneNumberTermination",
]


class Provider(enum.StrEnum):
    """Where a number comes from. The server may add values; unknown ones stay ``str``."""

    VOX = "vox"
    """Bought from vox.ai; termination waits for the end of the paid period."""
    CUSTOM = "custom"
    """The organization's own number, connected over SIP; terminated at once."""


class TelephoneNumberStatus(enum.StrEnum):
    """Life-cycle state of a number. The server may add values; unknown ones stay ``str``."""

    ACTIVE = "active"
    SCHEDULED = "scheduled"
    CANCEL_REQUESTED = "cancel_requested"
    """Termination was requested and takes effect at ``end_at``: ``revoke_cancel`` undoes it."""
    EXPIRED = "expired"


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def ms_to_datetime(ms: int) -> _dt.datetime:
    """A millisecond unix timestamp as an exact, timezone-aware UTC datetime."""
    # Integer arithmetic: ``ms / 1000`` as a float drops microseconds for dates past ~2100.
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def _optional_ms_to_datetime(ms: int | None) -> _dt.datetime | None:
    return None if ms is None else ms_to_datetime(ms)


@attrs.frozen(kw_only=True)
class AgentMapping:
    """The voice agent a number routes calls to (or from)."""

    agent_id: str
    agent_version: str
    """``"current"``, ``"production"`` or ``"v<N>"``."""


@attrs.frozen(kw_only=True)
class OrganizationTelephoneNumber:
    """A telephone number the organization owns, as every number endpoint returns it."""

    id: str
    number: str
    """Digits only, Korean domestic format, e.g. ``"07011112222"``."""
    provider: Provider | str
    status: TelephoneNumberStatus | str
    created_at: int
    updated_at: int
    start_at: int | None = None
    monthly_fee: int | None = None
    """Monthly fee in KRW; ``None`` for custom numbers."""
    address: str | None = None
    inbound_trunk_id: str | None = None
    outbound_trunk_id: str | None = None
    inbound_agent: AgentMapping | None = None
    outbound_agent: AgentMapping | None = None
    memo: str | None = None
    end_at: int | None = None
    """When service ends; ``None`` when no termination is scheduled."""
    cancel_requested_at: int | None = None
    """When termination was requested; ``None`` when none is pending."""

    @property
    def is_pending_termination(self) -> bool:
        """Whether a termination is scheduled that ``revoke_cancel`` could undo."""
        return self.status == TelephoneNumberStatus.CANCEL_REQUESTED

    @property
    def start_datetime(self) -> _dt.datetime | None:
        return _optional_ms_to_datetime(self.start_at)

    @property
    def created_datetime(self) -> _dt.datetime:
        return ms_to_datetime(self.created_at)

    @property
    def updated_datetime(self) -> _dt.datetime:
        return ms_to_datetime(self.updated_at)

    @property
    def end_datetime(self) -> _dt.datetime | None:
        return _optional_ms_to_datetime(self.end_at)

    @property
    def cancel_requested_datetime(self) -> _dt.datetime | None:
        return _optional_ms_to_datetime(self.cancel_requested_at)


@attrs.frozen(kw_only=True)
class TelephoneNumberTermination:
    """The answer to ``delete``: when the number's service ends."""

    id: str
    number: str
    provider: Provider | str
    effective_at: int
    """End of the paid period for vox numbers; the moment of the request for custom ones."""

    @property
    def effective_datetime(self) -> _dt.datetime:
        return ms_to_datetime(self.effective_at)


@attrs.frozen(kw_only=True)
class OrganizationTelephoneNumberPage:
    """One page of ``GET /v3/organization-telephone-numbers`` (internal to pagination)."""

    items: list[OrganizationTelephoneNumber]
    total_count: int | None = None
    next_cursor: str | None = None


@attrs.frozen
class RevokeCancelOutcome:
    """How one input position of ``revoke_cancel_iter`` settled.

    ``result`` is the restored record, or the exception for that position (a ``VoxError``,
    or the ``ValueError``/``TypeError`` of an invalid id); ``ok`` tells which. ``id`` is the
    value given at ``index``, as given (an invalid one may not be a ``str``).

    A repeated id is sent once: its later positions settle at once with a ``ValueError``
    and ``repeat_of`` set to the index whose outcome reports the request. (``revoke_cancel_many``
    gives those positions the first position's result instead.)
    """

    index: int
    id: str
    result: OrganizationTelephoneNumber | Exception
    repeat_of: int | None = attrs.field(default=None, kw_only=True)

    @property
    def ok(self) -> bool:
        """Whether the number was restored."""
        return isinstance(self.result, OrganizationTelephoneNumber)
