"""The request pipeline: the one path from an operation to the wire and back.

Each attempt runs four small steps, in ``_Call._retry`` itself (no coroutine of its own):

1. **pace**: wait for this call's turn (:class:`~voxasync._pacer.Pacer`), if there is one;
2. **send**: one HTTP exchange through the transport (``_transport``), logged, and counted
   in a ``with_raw_response`` call's ``AnswerLog`` (``_raw``) by ``_before_send``;
3. **map status**: an error status becomes its ``APIStatusError`` subclass;
4. **structure**: a 2xx body becomes the operation's record (``_converter``).

:class:`_Call` retries failed attempts by the policy in ``_retry``, within the optional
deadline. Resources use the pipeline only through its verbs (:meth:`Pipeline.get`, ``post``,
``patch``, ``delete``) and :meth:`Pipeline.with_options`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, Final, Generic, Literal, TypeAlias, TypeVar

import aiohttp
import attrs

from . import _retry
from ._converter import decode_json, structure
from ._options import CallOptions
from ._pacer import Pacer
from ._raw import ANSWER_LOG, AnswerLog
from ._transport import Answer, Transport
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from .errors import (
    BODY_PREVIEW_CHARS,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    VoxError,
    make_status_error,
)

__all__ = ["SECRET_FIELDS", "Method", "Pipeline", "Recover", "redacted"]

logger = logging.getLogger("voxasync")

T = TypeVar("T")

SECRET_FIELDS: Final = frozenset({"auth_password"})
"""Request body fields that are secrets: never logged, never in a repr."""

Method: TypeAlias = Literal["GET", "POST", "PATCH", "DELETE"]
Recover: TypeAlias = Callable[[], Awaitable[T | None]]
"""For a call that is not idempotent: asked, when a retry is refused after an earlier
attempt may have taken effect, whether the desired state holds anyway. A value it returns
is the call's result; ``None`` lets the refusal stand."""


def redacted(body: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``body`` fit for a log line or a repr: each secret field's value is ``"***"``."""
    if body is None or not SECRET_FIELDS.intersection(body):
        return body
    return {
        name: "***" if name in SECRET_FIELDS and value is not None else value
        for name, value in body.items()
    }


def _body_repr(body: Mapping[str, Any] | None) -> str:
    return repr(redacted(body))


@attrs.frozen
class Pipeline:
    """The transport, the options calls run with, and the pacer they share (if any)."""

    transport: Transport
    options: CallOptions
    pacer: Pacer | None = None

    def with_options(
        self,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> Pipeline:
        """The same pipeline with other options; ``self`` when none is given (the hot path)."""
        if timeout is NOT_GIVEN and max_retries is NOT_GIVEN and deadline is NOT_GIVEN:
            return self
        return attrs.evolve(self, options=self.options.merged(timeout, max_retries, deadline))

    def with_pacer(self, pacer: Pacer | None) -> Pipeline:
        return attrs.evolve(self, pacer=pacer)

    # The verbs are plain functions that return the call's coroutine, to be awaited: each
    # ``async def`` layer more would be walked again on every resumption of every call.

    def get(
        self, path: str, model: type[T], *, params: Sequence[tuple[str, str]] | None = None
    ) -> Coroutine[Any, Any, T]:
        return _Call(self, "GET", path, model, params, None, None).run()

    def post(
        self,
        path: str,
        model: type[T],
        *,
        json: Mapping[str, Any] | None = None,
        recover: Recover[T] | None = None,
    ) -> Coroutine[Any, Any, T]:
        return _Call(self, "POST", path, model, None, json, recover).run()

    def patch(
        self, path: str, model: type[T], *, json: Mapping[str, Any]
    ) -> Coroutine[Any, Any, T]:
        return _Call(self, "PATCH", path, model, None, json, None).run()

    def delete(
        self, path: str, model: type[T], *, recover: Recover[T] | None = None
    ) -> Coroutine[Any, Any, T]:
        return _Call(self, "DELETE", path, model, None, None, recover).run()


class _Watch:
    """An attempt being logged, or counted by a ``with_raw_response`` call."""

    __slots__ = ("answers", "started")

    def __init__(self, started: float | None, answers: AnswerLog | None) -> None:
        self.started = started
        self.answers = answers


def status_error(response: Answer) -> APIStatusError:
    """The error for an error answer; the Retry-After it asks for is read here, once."""
    return make_status_error(
        response.status,
        response.body,
        response.headers,
        retry_after=_retry.retry_after_seconds(response.headers),
    )


def structure_body(response: Answer, model: type[T]) -> T:
    """A 2xx body as ``model``, or ``APIResponseValidationError``."""
    try:
        payload = decode_json(response.body)
    except ValueError as exc:
        preview = response.body[:BODY_PREVIEW_CHARS].decode("utf-8", errors="replace")
        content_type = response.headers.get("Content-Type", "no content type")
        raise APIResponseValidationError(
            f"the {response.status} answer is not JSON ({content_type}): {preview[:120]!r}",
            status_code=response.status,
            body=preview,
        ) from exc
    return structure(payload, model, status_code=response.status, body=response.body)


class _Call(Generic[T]):
    """One call in progress: the operation, its attempts, retries and deadline.

    A plain slotted class, made once per call on the hot path; its operation fields
    (``method`` to ``recover``) are not changed once made."""

    __slots__ = (
        "attempts", "deadline_at", "json", "may_have_taken_effect", "method", "model",
        "options", "params", "path", "pipeline", "recover", "resent",
    )

    def __init__(  # positional: one is made per call
        self,
        pipeline: Pipeline,
        method: Method,
        path: str,
        model: type[T],
        params: Sequence[tuple[str, str]] | None,
        json: Mapping[str, Any] | None,
        recover: Recover[T] | None,
    ) -> None:
        self.pipeline = pipeline
        self.method = method
        self.path = path
        self.model = model
        self.params = params
        self.json = json
        self.recover = recover
        self.options = pipeline.options
        self.attempts = 0
        self.resent = False  # a stale connection's free resend is spent
        self.may_have_taken_effect = False
        self.deadline_at: float | None = None

    def __repr__(self) -> str:
        return (
            f"_Call(method={self.method!r}, path={self.path!r}, model={self.model.__name__}, "
            f"params={self.params!r}, json={_body_repr(self.json)})"
        )

    def run(self) -> Coroutine[Any, Any, T]:
        """Retry until success or a final error; the deadline, if any, bounds it all."""
        if self.options.deadline is None:
            return self._retry()
        return self._run_within_deadline()

    async def _run_within_deadline(self) -> T:
        assert self.options.deadline is not None
        self.deadline_at = asyncio.get_running_loop().time() + self.options.deadline
        try:
            async with asyncio.timeout_at(self.deadline_at):
                return await self._retry()
        except TimeoutError as exc:
            raise self._deadline_error(self.attempts) from exc

    async def _retry(self) -> T:
        pipeline, options = self.pipeline, self.options
        fresh = False  # the next attempt resends on a connection of its own
        while True:
            self.attempts += 1
            try:  # one attempt: pace, send, map status, structure
                if pipeline.pacer is not None and not pipeline.pacer.clear_to_start():
                    await pipeline.pacer.wait_turn()
                if self.deadline_at is None:
                    timeout, total = options.wire_timeout, options.total
                else:
                    timeout, total = self._capped_timeout(self.deadline_at)
                watch = self._before_send()
                response = await pipeline.transport.send(
                    self.method, self.path, self.params, self.json, timeout, total, fresh
                )
                return self._after_send(response, watch)
            except (APIConnectionError, APIStatusError) as error:
                if self._converges(error):
                    return await self._recover_or_raise(error)
                if _is_stale(error) and not self.resent:  # once per call, no wait, no retry
                    self.resent = fresh = self.may_have_taken_effect = True
                    logger.info("resending %s %s at once on a fresh connection after %s",
                                self.method, self.path, _reason(error))
                    continue
                fresh = False
                wait = self._wait_before_retry(error)
                if wait is None:
                    raise
                self.may_have_taken_effect |= _retry.may_have_taken_effect(error)
                if not self._paced(error):  # a paced retry waits its turn in the pacer
                    await asyncio.sleep(wait)

    def _capped_timeout(self, deadline_at: float) -> tuple[aiohttp.ClientTimeout, None]:
        """Under a deadline: the attempt's timeout for aiohttp, its total capped by what is
        left of the deadline. It stays in aiohttp's timeout (not the transport's timer), as
        it always was: the cap then ends the attempt with its own timeout error as the
        deadline passes."""
        options = self.options
        remaining = max(deadline_at - asyncio.get_running_loop().time(), 0.001)
        if options.total is not None and options.total <= remaining:
            return options.timeout, None
        return attrs.evolve(options.timeout, total=remaining), None

    # -- the steps of one attempt around its send, which ``_retry`` awaits itself ----------

    def _before_send(self) -> _Watch | None:
        """Log the request and count the attempt; what ``_after_send`` needs, if anything."""
        logging_on = logger.isEnabledFor(logging.INFO)  # once: both log lines are INFO or finer
        answers = ANSWER_LOG.get()  # set only inside a with_raw_response call
        if not logging_on and answers is None:
            return None
        if logging_on:
            _log_request(self, self.pipeline.transport)
        if answers is not None:
            answers.attempts += 1
        return _Watch(time.perf_counter() if logging_on else None, answers)

    def _after_send(self, response: Answer, watch: _Watch | None) -> T:
        """Map the status, structure the body: the attempt's result, or its error."""
        if watch is not None:
            if watch.started is not None:
                _log_response(self, response, watch.started)
            if watch.answers is not None:
                watch.answers.answer = response
        if not 200 <= response.status < 300:  # a 3xx (we follow no redirects) is an error too
            raise status_error(response)
        return structure_body(response, self.model)

    def _converges(self, error: VoxError) -> bool:
        """A refused retry of a call that an earlier attempt may already have done."""
        return (
            self.recover is not None
            and self.may_have_taken_effect
            and _retry.is_refusal(error)
        )

    async def _recover_or_raise(self, error: VoxError) -> T:
        assert self.recover is not None
        try:
            recovered = await self.recover()
        except VoxError as exc:
            logger.info("could not check whether an earlier attempt took effect: %s", _reason(exc))
            recovered = None
        if recovered is None:
            raise error
        logger.info(
            "%s %s was refused on retry, but an earlier attempt had already taken effect; "
            "returning the current record",
            self.method,
            self.path,
        )
        return recovered

    def _wait_before_retry(self, error: VoxError) -> float | None:
        """Seconds before the next attempt, or None: the error is final. Tells the pacer."""
        retry_number = self.attempts - 1 - int(self.resent)  # the free resend is no retry
        wait = None
        if retry_number < self.options.max_retries:
            wait = _retry.retry_wait(error, retry_number)
        pacer = self.pipeline.pacer
        if isinstance(error, RateLimitError) and pacer is not None:
            pacer.rate_limited(error, wait)  # retried or not, all who share it hold back
        if wait is None:
            return None
        loop_time = asyncio.get_running_loop().time()
        if self.deadline_at is not None and loop_time + wait >= self.deadline_at:
            raise self._deadline_error(self.attempts, error) from error
        logger.info(
            "retrying %s %s (attempt %d of %d) in %.2fs after %s",
            self.method,
            self.path,
            retry_number + 2,  # counted without the free resend, like the budget
            self.options.max_retries + 1,
            wait,
            _reason(error),
        )
        return wait

    def _paced(self, error: VoxError) -> bool:
        return isinstance(error, RateLimitError) and self.pipeline.pacer is not None

    def _deadline_error(self, attempts: int, last: VoxError | None = None) -> APITimeoutError:
        method, path = self.method, self.path
        suffix = f"; last error: {last}" if last is not None else ""
        return APITimeoutError(
            f"{method} {path}: deadline of {self.options.deadline}s exceeded "
            f"after {attempts} attempt(s){suffix}",
            method=method,
            url=self.pipeline.transport.base_url + path,
        )


def _is_stale(error: VoxError) -> bool:
    """Failed on a pooled connection the server had closed, before any byte of an answer."""
    return isinstance(error, APIConnectionError) and error.stale_connection


def _reason(error: VoxError) -> str:
    """Why an attempt failed, for INFO logs: status and code, never the server's message
    (which may quote a phone number)."""
    if isinstance(error, APIStatusError):
        return f"HTTP {error.status_code}" + (f" {error.code}" if error.code else "")
    return f"{type(error).__name__}: {error}"


def _log_request(call: _Call[Any], transport: Transport) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "request %s %s params=%s headers=%s body=%s",
            call.method,
            call.path,
            call.params,
            transport.redacted_headers(),
            _json_text(redacted(call.json)),
        )


def _json_text(body: Mapping[str, Any] | None) -> str:
    """A request body as the JSON it is sent as (``-`` for none)."""
    return "-" if body is None else json.dumps(body, ensure_ascii=False)


def _log_response(call: _Call[Any], response: Answer, started: float) -> None:
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info(
        "%s %s -> %d (%.1f ms)", call.method, call.path, response.status, elapsed_ms
    )
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "response headers %s body %s",
            dict(response.headers),
            response.body[:BODY_PREVIEW_CHARS].decode("utf-8", errors="replace"),
        )
