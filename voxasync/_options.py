"""What one call runs with: its per-attempt timeout, retry budget and overall deadline.

A client holds one :class:`CallOptions`; ``with_options`` and the per-call ``timeout=`` /
``max_retries=`` arguments derive others from it with :meth:`CallOptions.merged`, which is
also where those arguments are checked.
"""

from __future__ import annotations

from typing import Final

import aiohttp
import attrs

from ._types import NOT_GIVEN, NotGiven, TimeoutTypes, check_int, check_positive

__all__ = ["DEFAULT_TIMEOUT", "CallOptions", "as_client_timeout"]

#: Per attempt: 5 s to connect, 30 s for the whole exchange.
DEFAULT_TIMEOUT: Final = aiohttp.ClientTimeout(total=30.0, connect=5.0)


def as_client_timeout(timeout: TimeoutTypes) -> aiohttp.ClientTimeout:
    """Seconds, an ``aiohttp.ClientTimeout`` or ``None`` (no limit), as a ``ClientTimeout``."""
    if timeout is None:
        return aiohttp.ClientTimeout(total=None)
    if isinstance(timeout, aiohttp.ClientTimeout):
        return timeout
    seconds = check_positive("timeout", timeout)  # or an aiohttp.ClientTimeout, or None
    return aiohttp.ClientTimeout(total=seconds, connect=min(seconds, 5.0))


def _check_deadline(deadline: float | None) -> float | None:
    return None if deadline is None else check_positive("deadline", deadline)


@attrs.frozen
class CallOptions:
    """What one call runs with, after per-call overrides are applied."""

    timeout: aiohttp.ClientTimeout
    max_retries: int
    deadline: float | None
    wire_timeout: aiohttp.ClientTimeout = attrs.field(init=False, eq=False, repr=False)
    """``timeout`` without its ``total``, as the transport hands it to aiohttp: the total
    per attempt is kept by the transport's own timer (``_timeouts``)."""

    total: float | None = attrs.field(init=False, eq=False, repr=False)
    """Each attempt's time limit in seconds, or None (as aiohttp reads it: 0 is none)."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "wire_timeout", attrs.evolve(self.timeout, total=None))
        total = self.timeout.total
        object.__setattr__(self, "total", total if total is not None and total > 0 else None)

    @classmethod
    def build(
        cls, timeout: TimeoutTypes | NotGiven, max_retries: int, deadline: float | None
    ) -> CallOptions:
        """A client's options from its constructor arguments, checked."""
        return cls(
            timeout=as_client_timeout(DEFAULT_TIMEOUT if timeout is NOT_GIVEN else timeout),
            max_retries=check_int("max_retries", max_retries, minimum=0),
            deadline=_check_deadline(deadline),
        )

    def merged(
        self,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> CallOptions:
        """These options with the given ones replacing them (``Pipeline.with_options``
        returns itself, without calling this, when none is given)."""
        return CallOptions(
            timeout=self.timeout if timeout is NOT_GIVEN else as_client_timeout(timeout),
            max_retries=(
                self.max_retries
                if max_retries is NOT_GIVEN
                else check_int("max_retries", max_retries, minimum=0)
            ),
            deadline=self.deadline if deadline is NOT_GIVEN else _check_deadline(deadline),
        )
