"""``python -m voxasync demo``: the quick start's first command, run for real."""

from __future__ import annotations

import re
import time

import pytest

from voxasync.cli import main

from helpers import run_python


def check_story(out: str) -> None:
    assert "no API key" in out
    assert "12 numbers are pending termination" in out
    assert re.search(r"^1\. async .*AsyncVox.*revoke_cancel.*-> active$", out, re.M)
    assert re.search(r"^2\. sync .*Vox.*revoke_cancel.*-> active$", out, re.M)
    assert re.search(r"^3\. batch .*revoke_cancel_many\(10 ids.*10 restored, 0 failed$", out, re.M)

    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("ID "))
    assert lines[header].split()[:6] == ["ID", "NUMBER", "STATUS", "BEFORE", "->", "AFTER"]
    rows = lines[header + 1 : header + 13]
    assert len(rows) == 12
    for row in rows:
        short_id, number, before, arrow, after, end_before, *_rest, via = row.split()
        assert re.fullmatch(r"[0-9a-f]{8}", short_id)
        assert re.fullmatch(r"0\d{10}", number)
        assert (before, arrow, after) == ("cancel_requested", "->", "active")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", end_before)  # it had an end date before
        assert row.split()[-2] == "-"  # ... and none after
        assert via in {"async", "sync", "batch"}
    assert [row.split()[-1] for row in rows].count("async") == 1
    assert [row.split()[-1] for row in rows].count("sync") == 1
    assert [row.split()[-1] for row in rows].count("batch") == 10
    # every column starts at the same offset on every line
    status_column = lines[header].index("STATUS")
    assert all(row[status_column:].startswith("cancel_requested") for row in rows)

    summary = re.search(r"^12 of 12 numbers restored in ([\d.]+) s", out, re.M)
    assert summary is not None
    assert float(summary.group(1)) < 5


def test_demo_runs_as_a_module_with_no_key_and_exits_0() -> None:
    started = time.monotonic()
    result = run_python("-m", "voxasync", "demo")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    check_story(result.stdout)
    assert "http://127.0.0.1:" in result.stdout  # loopback only
    assert result.stderr == ""  # piped: no progress bar, no noise
    assert elapsed < 15  # generous for slow CI; the demo itself reports < 5 s


def test_demo_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOX_API_KEY", raising=False)
    assert main(["demo"]) == 0
    check_story(capsys.readouterr().out)


@pytest.mark.anyio
async def test_demo_inside_a_running_event_loop(capsys: pytest.CaptureFixture[str]) -> None:
    """As from a notebook cell: the async part must not call asyncio.run on this loop."""
    assert main(["demo"]) == 0
    check_story(capsys.readouterr().out)
