"""``vox numbers revoke-cancel`` for operators: the journal and resuming a killed run, exit
status 4 on a refused key, checked choices, ``--allow-insecure-http``, and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from cli_support import run_main

from voxasync import Vox
from voxasync.cli import EXIT_KEY_REFUSED, main
from voxasync.testing import FakeVoxServer, Fault

pytestmark = pytest.mark.usefixtures("no_key_in_env")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOX_")}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env





def journal_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def applied_revokes(server: FakeVoxServer) -> Counter[str | None]:
    return Counter(
        r.number_id for r in server.requests if r.action == "revoke-cancel" and r.status == 200
    )


# -- the journal -------------------------------------------------------------------------


def test_the_journal_has_one_line_per_settled_id(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = real.seed_pending(3)
    journal = tmp_path / "run.jsonl"
    code, _, err = run_main(
        capsys, ["numbers", "revoke-cancel", *ids, "ghost", "--journal", str(journal)]
    )
    assert code == 1, err
    lines = journal_lines(journal)
    assert sorted(str(line["id"]) for line in lines) == sorted([*ids, "ghost"])
    by_id = {line["id"]: line for line in lines}
    assert by_id["ghost"]["outcome"] == "failed"
    assert by_id["ghost"]["code"] == "NOT_FOUND" and by_id["ghost"]["status"] == 404
    assert all(by_id[i]["outcome"] == "restored" and by_id[i]["status"] == 200 for i in ids)
    assert all(str(line["time"]).endswith("+00:00") for line in lines)


def test_a_rerun_skips_what_the_journal_says_is_restored(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = real.seed_pending(4)
    journal = tmp_path / "run.jsonl"
    first = ["numbers", "revoke-cancel", *ids[:2], "--journal", str(journal)]
    assert run_main(capsys, first)[0] == 0
    real.clear_requests()
    code, _, err = run_main(capsys, ["numbers", "revoke-cancel", *ids, "--journal", str(journal)])
    assert code == 0, err
    assert "2 ids already restored, skipped" in err
    assert sorted(r.number_id for r in real.requests) == sorted(ids[2:])
    assert len(journal_lines(journal)) == 4


def test_a_number_restored_by_a_killed_run_counts_as_restored(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = real.seed_pending(3)
    journal = tmp_path / "run.jsonl"
    journal.write_text('{"id": "' + ids[0] + '", "outco', encoding="utf-8")  # cut by a kill
    with Vox(real.api_key, base_url=real.url) as vox:  # the earlier run's request
        vox.organization_telephone_numbers.revoke_cancel(ids[0])
    code, _, err = run_main(
        capsys, ["numbers", "revoke-cancel", *ids, "--journal", str(journal)]
    )
    assert code == 0, err
    assert "restored 3 of 3 numbers (1 already active: restored by an earlier run)" in err
    assert "1 unreadable lines ignored" in err
    last = {line["id"]: line for line in journal_lines_tolerant(journal)}
    assert all(last[i]["outcome"] == "restored" for i in ids)


def journal_lines_tolerant(path: Path) -> list[dict[str, object]]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def test_a_run_killed_at_any_moment_and_rerun_restores_each_number_once(
    tmp_path: Path,
) -> None:
    with FakeVoxServer(latency=0.02) as server:
        ids = server.seed_pending(120)
        id_file = tmp_path / "ids.txt"
        id_file.write_text("\n".join(ids) + "\n", encoding="utf-8")
        journal = tmp_path / "run.jsonl"
        env = clean_env(VOX_API_KEY=server.api_key, VOX_BASE_URL=server.url)
        command = [sys.executable, "-m", "voxasync", "numbers", "revoke-cancel", "--from-file",
                   str(id_file), "--journal", str(journal), "--concurrency", "4"]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not journal.exists() or journal.read_text(encoding="utf-8").count("\n") < 30:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        assert 0 < len(journal_lines_tolerant(journal)) < 120
        resumed = subprocess.run(  # noqa: S603 - our own interpreter and module
            command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            encoding="utf-8", timeout=60, check=False,
        )
        assert resumed.returncode == 0, resumed.stderr
        assert "already restored, skipped" in resumed.stderr
        assert all(server.number(i)["status"] == "active" for i in ids)
        assert applied_revokes(server) == Counter(dict.fromkeys(ids, 1))  # once each
    last = {line["id"]: line["outcome"] for line in journal_lines_tolerant(journal)}
    assert last == dict.fromkeys(ids, "restored")


# -- a refused key -----------------------------------------------------------------------


def test_a_refused_key_exits_4_after_at_most_concurrency_requests(
    server: FakeVoxServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = server.seed_pending(200)
    monkeypatch.setenv("VOX_API_KEY", "not-the-key")
    monkeypatch.setenv("VOX_BASE_URL", server.url)
    code, _, err = run_main(capsys, ["numbers", "revoke-cancel", *ids])
    assert code == EXIT_KEY_REFUSED == 4
    assert len(server.requests) <= 8
    assert err.count("UNAUTHORIZED") == 1
    assert "200 ids not restored, and nothing more was sent" in err


def test_a_403_on_get_exits_4(real: FakeVoxServer, capsys: pytest.CaptureFixture[str]) -> None:
    (number_id,) = real.seed_pending(1)
    real.inject(Fault.status(403, code="FORBIDDEN"))
    code, _, err = run_main(capsys, ["numbers", "get", number_id])
    assert code == 4 and "FORBIDDEN" in err


def test_exit_status_4_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["numbers", "revoke-cancel", "--help"]) == 0
    assert "4 if the API refused the key (401/403)" in " ".join(capsys.readouterr().out.split())


# -- usage -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (["numbers", "list", "--status", "pending"], "cancel_requested, expired, all"),
        (["numbers", "list", "--status", "active,bogus"], "cancel_requested"),
        (["numbers", "list", "--provider", "twilio"], "vox, custom"),
        (["numbers", "available", "--line-type", "fax"], "mobile, landline, voip, uan"),
    ],
)
def test_an_unknown_choice_is_a_usage_error_before_any_request(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], args: list[str], listed: str
) -> None:
    code, _, err = run_main(capsys, args)
    assert code == 2
    assert "valid values:" in err and listed in err
    assert real.requests == []


def test_known_choices_still_work(real: FakeVoxServer, capsys: pytest.CaptureFixture[str]) -> None:
    real.seed_pending(2)
    code, out, _ = run_main(
        capsys, ["numbers", "list", "--status", "cancel_requested,active", "--provider", "vox"]
    )
    assert code == 0 and len(out.splitlines()) == 3


def test_plain_http_is_refused_naming_the_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOX_API_KEY", "k")
    code, _, err = run_main(
        capsys, ["--base-url", "http://api.example.invalid", "numbers", "get", "x"]
    )
    assert code == 2 and "--allow-insecure-http" in err
    assert "allow_insecure_http=True" not in err


def test_allow_insecure_http_lets_the_client_be_built(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOX_API_KEY", "k")
    # Nothing listens there: the client is built, then the request fails to connect.
    code, _, err = run_main(
        capsys, ["--allow-insecure-http", "--base-url", "http://127.0.0.2:9", "numbers",
                 "get", "x"]
    )
    assert code == 1, err
    assert "plain http" not in err


# -- Ctrl-C --------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_lets_in_flight_settle_and_summarizes(tmp_path: Path) -> None:
    with FakeVoxServer(latency=0.5) as slow:
        ids = slow.seed_pending(20)
        journal = tmp_path / "run.jsonl"
        env = clean_env(VOX_API_KEY=slow.api_key, VOX_BASE_URL=slow.url)
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "voxasync", "numbers", "revoke-cancel", *ids,
             "--concurrency", "4", "--journal", str(journal)],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8",
        )
        try:
            deadline = time.monotonic() + 30
            while slow.max_in_flight == 0:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.01)
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:  # pragma: no cover - only when the test fails
                process.kill()
                process.wait()
        applied = sum(1 for i in ids if slow.number(i)["status"] == "active")
    assert process.returncode == 130, err
    assert "Traceback" not in err
    summary = f"interrupted: restored {applied} of 20 numbers; 0 failed; {20 - applied} not sent"
    assert summary in err
    assert 0 < applied <= 8
    # Everything that was sent settled and is in the journal.
    assert len(journal_lines(journal)) == applied


# -- progress ------------------------------------------------------------------------------


def test_progress_shows_rate_and_time_left() -> None:
    import io

    from voxasync._console import Progress, format_duration

    stream = io.StringIO()
    progress = Progress(100, label="revoke-cancel", stream=stream, enabled=True)
    progress.start()
    time.sleep(0.2)
    for _ in range(10):
        progress.advance(ok=True)
    status = progress.status()
    assert status.startswith("10/100, ")
    rate = float(status.split(", ")[1].removesuffix("/s"))
    assert 10 <= rate <= 60  # ten in about 0.2 s
    assert status.endswith(" left")
    assert "/s" in stream.getvalue() and "left" in stream.getvalue()
    assert [format_duration(s) for s in (5, 125, 7300)] == ["5s", "2m05s", "2h01m"]
