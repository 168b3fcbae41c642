"""Running ``vox`` in-process, for the CLI test files (their fixtures, ``no_key_in_env``
and ``real``, are in ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from voxasync.cli import main


def run_main(capsys: pytest.CaptureFixture[str], args: Sequence[str]) -> tuple[int, str, str]:
    """``vox ARGS`` in this process: exit status, stdout, stderr."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
