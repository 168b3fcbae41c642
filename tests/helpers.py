"""Helpers shared by the test modules: running our own scripts, and catching warnings.

Imported as ``from helpers import ...``: ``tests/`` is not a package, so pytest puts it on
``sys.path`` (the default ``prepend`` import mode), whether the SDK is installed or found
through ``PYTHONPATH``.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The repository root: ``examples/``, ``bench/`` and ``docs/`` are under it."""


# -- subprocesses ---------------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment with no ``VOX_*`` configuration, and UTF-8 stdio."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOX_")}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def run_python(
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    cwd: Path | str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run this very interpreter with ``args`` and capture its output as UTF-8 text.

    The environment is :func:`clean_env` unless given; stdin is closed unless ``input``
    is given. Never raises for the exit status: the caller asserts ``returncode``.
    """
    return subprocess.run(  # noqa: S603 - our own interpreter, our own scripts and modules
        [sys.executable, *args],
        env=dict(env) if env is not None else clean_env(),
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
        cwd=cwd,
    )


# -- warnings and finalizers ----------------------------------------------------------------


def portal_threads() -> set[threading.Thread]:
    """The sync facade's portal threads alive right now."""
    return {t for t in threading.enumerate() if t.name == "voxasync-portal"}


def drop_and_collect(holder: list[object]) -> None:
    """Drop the last reference to an object and run the garbage collector."""
    holder.clear()
    gc.collect()


@contextmanager
def no_resource_warnings() -> Iterator[None]:
    """Fail if the block emits a ``ResourceWarning`` (each one recorded, none filtered)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    leaked = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == [], [str(w.message) for w in leaked]
