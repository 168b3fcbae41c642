"""The public surface: exactly these names, all importable, plus the version and py.typed."""

from __future__ import annotations

import importlib
import importlib.resources
import re

import pytest

import voxasync

EXPECTED = {
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
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(voxasync.__all__) == EXPECTED
    assert len(voxasync.__all__) == len(EXPECTED)  # no duplicates


def test_all_is_sorted() -> None:
    """Sorted the way ruff (RUF022) sorts it: CONSTANTS, then Classes, then the rest."""

    def kind(name: str) -> tuple[int, str]:
        if name.isupper():
            return 0, name
        return (1 if name[0].isupper() else 2), name

    assert voxasync.__all__ == sorted(voxasync.__all__, key=kind)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_exported_name_is_importable(name: str) -> None:
    module = importlib.import_module("voxasync")
    assert getattr(module, name) is not None
    namespace: dict[str, object] = {}
    exec(f"from voxasync import {name}", namespace)  # noqa: S102 - a fixed, known name
    assert namespace[name] is getattr(voxasync, name)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from voxasync import *", namespace)  # noqa: S102 - a fixed statement
    assert set(namespace) - {"__builtins__"} == EXPECTED


def test_exported_classes_say_they_are_public() -> None:
    for name in EXPECTED:
        value = getattr(voxasync, name)
        if isinstance(value, type):
            assert value.__module__.startswith("voxasync"), name
            assert value.__name__ == name, name


def test_version_is_a_pep440_string() -> None:
    assert isinstance(voxasync.__version__, str)
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", voxasync.__version__)


def test_py_typed_ships() -> None:
    marker = importlib.resources.files("voxasync").joinpath("py.typed")
    assert marker.is_file()


def test_testing_module_exports() -> None:
    import voxasync.testing

    assert set(voxasync.testing.__all__) == {
        "FakeVoxServer",
        "Fault",
        "RecordedRequest",
        "instant_retries",
    }
