"""The ``vox`` command, run for real: as ``python -m voxasync`` in a subprocess, and as
``voxasync.cli.main([...])`` in-process, against ``--sandbox`` or a FakeVoxServer of the test.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from cli_support import run_main

from voxasync import cli
from voxasync.cli import SANDBOX_NUMBERS, sandbox_id
from voxasync.testing import FakeVoxServer, Fault

from helpers import clean_env, run_python

pytestmark = pytest.mark.usefixtures("no_key_in_env")

RECORD_FIELDS = {
    "id", "number", "provider", "status", "start_at", "created_at", "updated_at",
    "monthly_fee", "address", "inbound_trunk_id", "outbound_trunk_id", "inbound_agent",
    "outbound_agent", "sms_inbound_agent", "memo", "end_at", "cancel_requested_at",
}


def sandbox_ids(status: str, provider: str | None = None) -> list[str]:
    return [
        sandbox_id(position)
        for position, (prov, stat, _memo) in enumerate(SANDBOX_NUMBERS)
        if stat == status and (provider is None or prov == provider)
    ]


ACTIVE_VOX = sandbox_ids("active", "vox")
ACTIVE_CUSTOM = sandbox_ids("active", "custom")
PENDING = sandbox_ids("cancel_requested")


def run_vox(
    *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_python("-m", "voxasync", *args, env=env, input=input)





def failure_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(r"vox: \S+: [A-Z_0-9]+ ", line)]


# -- the sandbox, through a real subprocess ----------------------------------------------


def test_module_runs_the_command_and_names_itself() -> None:
    result = run_vox("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m voxasync")
    assert "numbers" in result.stdout and "demo" in result.stdout


def test_sandbox_list_json_has_the_api_field_names() -> None:
    result = run_vox("--sandbox", "numbers", "list", "--status", "all", "--json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == [sandbox_id(i) for i in range(len(SANDBOX_NUMBERS))]
    assert all(set(r) == RECORD_FIELDS for r in records)
    assert {r["status"] for r in records} == {"active", "cancel_requested", "expired"}
    pending = [r for r in records if r["status"] == "cancel_requested"]
    assert len(pending) >= 3
    assert all(isinstance(r["end_at"], int) for r in pending)
    assert "sandbox" in result.stderr


def test_sandbox_revoke_cancel_in_a_subprocess_exits_1_with_one_line_per_failure() -> None:
    result = run_vox(
        "--sandbox", "numbers", "revoke-cancel", PENDING[0], ACTIVE_VOX[0], "no-such-id",
    )
    assert result.returncode == 1
    assert PENDING[0] in result.stdout and "active" in result.stdout
    lines = failure_lines(result.stderr)
    assert len(lines) == 2
    assert ACTIVE_VOX[0] in lines[0] and "INVALID_STATUS" in lines[0] and "409" in lines[0]
    assert "no-such-id" in lines[1] and "NOT_FOUND" in lines[1]
    assert "전화번호를 찾을 수 없습니다" in lines[1]  # the API's message, intact
    assert "restored 1 of 3 numbers; 2 failed" in result.stderr


def test_sandbox_option_works_after_the_command_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, ["numbers", "get", PENDING[0], "--sandbox", "--json"])
    assert code == 0
    assert json.loads(out)["status"] == "cancel_requested"


def test_revoke_cancel_from_stdin_in_a_subprocess() -> None:
    ids = f"# pending ones\n{PENDING[0]}\n\n  {PENDING[1]}  # trailing comment\n"
    result = run_vox(
        "--sandbox", "numbers", "revoke-cancel", "--from-file", "-", "--json", input=ids
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["succeeded"] == 2 and report["failed"] == 0
    assert [r["id"] for r in report["results"]] == PENDING[:2]
    assert all(r["record"]["status"] == "active" for r in report["results"])


# -- list and get ------------------------------------------------------------------------


def test_list_defaults_to_active_numbers_in_an_aligned_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_main(capsys, ["--sandbox", "numbers", "list"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NUMBER", "PROVIDER", "STATUS", "END_AT", "(UTC)", "MEMO"]
    assert [line.split()[0] for line in lines[1:]] == ACTIVE_VOX + ACTIVE_CUSTOM
    number_column = lines[0].index("NUMBER")
    assert all(re.fullmatch(r"0\d{10}", line[number_column:].split()[0]) for line in lines[1:])
    assert not any(line.endswith(" ") for line in lines)


@pytest.mark.parametrize(
    "status_args",
    [
        ["--status", "cancel_requested", "expired"],
        ["--status", "cancel_requested", "--status", "expired"],
        ["--status", "cancel_requested,expired"],
    ],
)
def test_list_takes_several_statuses(
    capsys: pytest.CaptureFixture[str], status_args: list[str]
) -> None:
    code, out, _ = run_main(capsys, ["--sandbox", "numbers", "list", *status_args, "--json"])
    assert code == 0
    records = json.loads(out)
    assert {r["id"] for r in records} == set(PENDING + sandbox_ids("expired"))


def test_list_filters_by_provider_and_sends_repeated_status(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    vox_pending = real.add_number(status="cancel_requested")["id"]
    real.add_number(provider="custom", status="active")
    code, out, _ = run_main(
        capsys, ["numbers", "list", "--provider", "vox", "--status", "all", "--json"]
    )
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == [vox_pending]
    (request,) = real.requests
    assert ("provider", "vox") in request.query
    assert [v for k, v in request.query if k == "status"] == [
        "active", "scheduled", "cancel_requested", "expired"
    ]


def test_an_empty_list_explains_the_active_default(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    real.seed_pending(2)
    code, out, err = run_main(capsys, ["numbers", "list"])
    assert code == 0
    assert out == ""
    assert "--status cancel_requested" in err


def test_get_shows_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, ["--sandbox", "numbers", "get", ACTIVE_VOX[0]])
    assert code == 0
    fields = {line.split()[0] for line in out.splitlines()[1:]}
    assert fields == RECORD_FIELDS
    assert "대표번호" in out
    assert re.search(r"created_at\s+\d{13} \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)", out)


def test_get_unknown_id_exits_1_naming_id_and_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, ["--sandbox", "numbers", "get", "nope"])
    assert code == 1
    assert out == ""
    assert failure_lines(err) == ["vox: nope: NOT_FOUND (HTTP 404) 전화번호를 찾을 수 없습니다."]


# -- revoke-cancel -----------------------------------------------------------------------


def test_revoke_cancel_restores_numbers_on_the_server(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = real.seed_pending(3)
    code, out, err = run_main(capsys, ["numbers", "revoke-cancel", *ids])
    assert code == 0, err
    assert [real.number(i)["status"] for i in ids] == ["active"] * 3
    rows = out.splitlines()[1:]
    assert sorted(row.split()[0] for row in rows) == sorted(ids)
    assert all(row.split()[2] == "active" for row in rows)
    assert failure_lines(err) == []
    assert "restored 3 of 3 numbers" in err
    assert "revoke-cancel [" not in err  # no progress bar when stderr is not a terminal


def test_revoke_cancel_json_reports_each_failure(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    (pending,) = real.seed_pending(1)
    custom = real.add_number(provider="custom", status="active")["id"]
    code, out, err = run_main(
        capsys, ["numbers", "revoke-cancel", pending, custom, "..", "--json"]
    )
    assert code == 1
    report = json.loads(out)
    assert (report["succeeded"], report["failed"]) == (1, 2)
    ok, bad_provider, bad_id = report["results"]
    assert ok == {"id": pending, "ok": True, "record": ok["record"]}
    assert ok["record"]["status"] == "active" and ok["record"]["end_at"] is None
    assert bad_provider["ok"] is False
    assert bad_provider["error"]["code"] == "VALIDATION_ERROR"
    assert bad_provider["error"]["status_code"] == 400
    assert bad_provider["error"]["details"]["field"] == "provider"
    assert bad_id["error"]["code"] == "INVALID_ID" and bad_id["error"]["status_code"] is None
    lines = failure_lines(err)
    assert len(lines) == 2
    assert lines[0].startswith(f"vox: {custom}: VALIDATION_ERROR (HTTP 400)")
    assert lines[1].startswith("vox: ..: INVALID_ID")
    # the invalid id never reached the server
    assert {r.number_id for r in real.requests} == {pending, custom}


def test_revoke_cancel_all_pending_follows_every_page(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    pending = real.seed_pending(130)
    active = real.add_number(status="active")["id"]
    code, _, err = run_main(
        capsys, ["numbers", "revoke-cancel", "--all-pending", "--concurrency", "16"]
    )
    assert code == 0, err
    assert all(real.number(i)["status"] == "active" for i in pending)
    posts = [r for r in real.requests if r.method == "POST"]
    assert sorted(r.number_id or "" for r in posts) == sorted(pending)
    assert active not in {r.number_id for r in real.requests}
    assert len([r for r in real.requests if r.method == "GET"]) == 2  # 100 + 30
    assert real.max_in_flight <= 16


def test_revoke_cancel_with_nothing_pending_is_a_success(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(capsys, ["numbers", "revoke-cancel", "--all-pending", "--json"])
    assert code == 0
    assert json.loads(out) == {"succeeded": 0, "failed": 0, "results": []}
    assert "nothing to do" in err


def test_from_file_merges_with_arguments_and_drops_repeats(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    a, b, c = real.seed_pending(3)
    id_file = tmp_path / "ids.txt"
    id_file.write_text(f"{b}\n# a comment\n\n{c}\n{a}\n", encoding="utf-8")
    code, out, err = run_main(
        capsys, ["numbers", "revoke-cancel", a, "--from-file", str(id_file), "--json"]
    )
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)["results"]] == [a, b, c]
    assert "1 repeated ids ignored" in err
    assert len([r for r in real.requests if r.method == "POST"]) == 3


def test_from_file_dash_reads_stdin(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = real.seed_pending(2)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(ids) + "\n"))
    code, _, err = run_main(capsys, ["numbers", "revoke-cancel", "--from-file", "-"])
    assert code == 0, err
    assert [real.number(i)["status"] for i in ids] == ["active", "active"]


def test_dry_run_sends_nothing(real: FakeVoxServer, capsys: pytest.CaptureFixture[str]) -> None:
    ids = real.seed_pending(2)
    code, out, err = run_main(capsys, ["numbers", "revoke-cancel", *ids, "--dry-run"])
    assert code == 0
    assert out.split() == ids
    assert real.requests == []
    assert [real.number(i)["status"] for i in ids] == ["cancel_requested"] * 2
    assert "dry run" in err


def test_dry_run_all_pending_only_reads(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = real.seed_pending(3)
    code, out, _ = run_main(
        capsys, ["numbers", "revoke-cancel", "--all-pending", "--dry-run", "--json"]
    )
    assert code == 0
    assert json.loads(out) == {"dry_run": True, "ids": ids, "invalid": []}
    assert {r.method for r in real.requests} == {"GET"}
    assert all(real.number(i)["status"] == "cancel_requested" for i in ids)


def test_rate_caps_request_starts(real: FakeVoxServer, capsys: pytest.CaptureFixture[str]) -> None:
    ids = real.seed_pending(5)
    code, _, err = run_main(capsys, ["numbers", "revoke-cancel", *ids, "--rate", "20"])
    assert code == 0, err
    starts = sorted(r.received_at for r in real.requests)
    assert starts[-1] - starts[0] >= 4 / 20 * 0.9


def test_a_failing_server_reports_each_id(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], no_wait: None
) -> None:
    ok, broken = real.seed_pending(2)
    real.inject(Fault.status(503, body="html"), id=broken, times=10)
    code, out, err = run_main(capsys, ["numbers", "revoke-cancel", ok, broken])
    assert code == 1
    assert ok in out and broken not in out
    (line,) = failure_lines(err)
    assert line.startswith(f"vox: {broken}: HTTP_503 (HTTP 503) non-JSON response body")


def test_an_unreachable_api_is_a_failure_not_a_crash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_wait: None
) -> None:
    with FakeVoxServer() as gone:
        url = gone.url
    monkeypatch.setenv("VOX_API_KEY", "k")
    code, _, err = run_main(capsys, ["--base-url", url, "numbers", "get", "x"])
    assert code == 1
    (line,) = failure_lines(err)
    assert line.startswith("vox: x: CONNECTION_ERROR ")


# -- delete ------------------------------------------------------------------------------


def test_delete_with_yes_requests_termination(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    number_id = real.add_number(status="active")["id"]
    code, out, _ = run_main(capsys, ["numbers", "delete", number_id, "--yes", "--json"])
    assert code == 0
    termination = json.loads(out)
    assert set(termination) == {"id", "number", "provider", "effective_at"}
    assert termination["id"] == number_id
    assert real.number(number_id)["status"] == "cancel_requested"


def test_delete_refuses_without_yes_when_stdin_is_not_a_terminal(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number_id = real.add_number(status="active")["id"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    code, _, err = run_main(capsys, ["numbers", "delete", number_id])
    assert code == 2
    assert "--yes" in err
    assert real.requests == []
    assert real.number(number_id)["status"] == "active"


def test_delete_of_a_pending_number_fails_with_its_code(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    (number_id,) = real.seed_pending(1)
    code, _, err = run_main(capsys, ["numbers", "delete", number_id, "-y"])
    assert code == 1
    (line,) = failure_lines(err)
    assert line.startswith(f"vox: {number_id}: INVALID_STATUS (HTTP 409)")


# -- terminals: confirmation and progress, through a pseudo-terminal -----------------------

try:
    import pty
except ImportError:  # pragma: no cover - Windows
    pty = None  # type: ignore[assignment]

needs_pty = pytest.mark.skipif(pty is None, reason="needs a POSIX pseudo-terminal")


class Terminal:
    """A pseudo-terminal whose output is collected by a thread, so the child never blocks."""

    def __init__(self) -> None:
        self.controller, self.device = pty.openpty()
        self._seen = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.controller, 4096)
            except OSError:  # EIO: the last process holding the terminal is gone
                return
            if not chunk:
                return
            with self._lock:
                self._seen += chunk

    @property
    def seen(self) -> str:
        with self._lock:
            return self._seen.decode(errors="replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            assert time.monotonic() < deadline, self.seen
            time.sleep(0.01)

    def type(self, text: str) -> None:
        os.write(self.controller, text.encode())

    def close(self) -> None:
        self._reader.join(timeout=10)
        os.close(self.controller)


def start_on_terminal(
    args: Sequence[str], env: dict[str, str], terminal: Terminal, *, stdin: bool, stderr: bool
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "voxasync", *args],
        stdin=terminal.device if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal.device if stderr else subprocess.PIPE,
        env=env,
    )
    os.close(terminal.device)
    return process


@needs_pty
@pytest.mark.parametrize(("answer", "deleted"), [("y", True), ("n", False), ("", False)])
def test_delete_asks_on_a_terminal(server: FakeVoxServer, answer: str, deleted: bool) -> None:
    number_id = server.add_number(status="active", number="07099990000")["id"]
    env = clean_env(VOX_API_KEY=server.api_key, VOX_BASE_URL=server.url, TERM="xterm")
    terminal = Terminal()
    process = start_on_terminal(
        ["numbers", "delete", number_id], env, terminal, stdin=True, stderr=True
    )
    try:
        terminal.wait_for("[y/N]")
        assert "07099990000" in terminal.seen  # the prompt names the number
        assert server.number(number_id)["status"] == "active"  # nothing done before yes
        terminal.type(answer + "\n")
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # pragma: no cover - only when the test fails
            process.kill()
            process.wait()
        terminal.close()
    assert (server.number(number_id)["status"] == "cancel_requested") is deleted
    assert process.returncode == (0 if deleted else 1)
    assert (b"termination requested" in out) is deleted
    assert [r.method for r in server.requests] == (["GET", "DELETE"] if deleted else ["GET"])


@needs_pty
def test_progress_bar_is_drawn_only_on_a_terminal(server: FakeVoxServer) -> None:
    ids = server.seed_pending(6)
    env = clean_env(VOX_API_KEY=server.api_key, VOX_BASE_URL=server.url, TERM="xterm")
    terminal = Terminal()
    process = start_on_terminal(
        ["numbers", "revoke-cancel", *ids], env, terminal, stdin=False, stderr=True
    )
    try:
        out, _ = process.communicate(timeout=60)
    finally:
        terminal.close()
    assert process.returncode == 0
    assert "\rrevoke-cancel [" in terminal.seen
    assert "] 6/6" in terminal.seen
    assert "restored 6 of 6 numbers" in terminal.seen
    assert b"revoke-cancel [" not in out  # the table on stdout stays clean

    piped = run_vox("numbers", "revoke-cancel", *server.seed_pending(6), env=env)
    assert piped.returncode == 0
    assert "revoke-cancel [" not in piped.stderr
    assert "restored 6 of 6 numbers" in piped.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_stops_a_batch_with_status_130() -> None:
    with FakeVoxServer(latency=1.5) as slow:
        ids = slow.seed_pending(4)
        env = clean_env(VOX_API_KEY=slow.api_key, VOX_BASE_URL=slow.url)
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "voxasync", "numbers", "revoke-cancel", *ids],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8",
        )
        try:
            deadline = time.monotonic() + 30
            while slow.max_in_flight == 0:  # wait until the batch is under way
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.01)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:  # pragma: no cover - only when the test fails
                process.kill()
                process.wait()
    assert process.returncode == 130
    assert "interrupted" in err
    assert "Traceback" not in err
    assert out == ""


# -- usage errors and the key ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["numbers", "revoke-cancel", "x", "--rate", "abc"],
        ["numbers", "revoke-cancel", "x", "--rate", "0"],
        ["numbers", "revoke-cancel", "x", "--rate", "-2"],
        ["numbers", "revoke-cancel", "x", "--rate", "nan"],
        ["numbers", "revoke-cancel", "x", "--rate", "inf"],
        ["numbers", "revoke-cancel", "x", "--concurrency", "0"],
        ["numbers", "revoke-cancel", "x", "--concurrency", "2.5"],
        ["numbers", "revoke-cancel"],
        ["numbers", "revoke-cancel", "--from-file", "/no/such/file"],
        ["numbers", "get"],
        ["numbers", "frobnicate"],
        ["numbers"],
        [],
        ["numbers", "list", "--stat", "active"],  # no abbreviations
        ["numbers", "list", "--provider", " "],
        ["numbers", "list", "--status", ","],
        ["--base-url", "http://example.com", "numbers", "list"],  # key over plain http
    ],
)
def test_bad_usage_exits_2_before_any_request(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run_main(capsys, args)
    assert code == 2
    assert out == ""
    assert err.strip()
    assert real.requests == []


def test_sandbox_cannot_be_mixed_with_a_real_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, ["--sandbox", "--base-url", "https://x", "numbers", "list"])
    assert code == 2
    assert "--sandbox" in err


def test_missing_key_exits_2_naming_the_variable() -> None:
    result = run_vox("numbers", "revoke-cancel", "some-id")
    assert result.returncode == 2
    assert "VOX_API_KEY" in result.stderr
    assert "--api-key-file" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_key_argument_is_refused_without_echoing_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for args in (["--api-key", "sk-live-SECRET"], ["--api-key=sk-live-SECRET"]):
        code, out, err = run_main(capsys, ["numbers", "list", *args])
        assert code == 2
        assert "VOX_API_KEY" in err
        assert "sk-live-SECRET" not in out + err


def test_key_file_is_used_and_never_printed(
    server: FakeVoxServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server.seed_pending(1)
    good = tmp_path / "key"
    good.write_text(server.api_key + "\n", encoding="utf-8")
    code, out, err = run_main(
        capsys, ["--api-key-file", str(good), "--base-url", server.url, "numbers", "list",
                 "--status", "cancel_requested"]
    )
    assert code == 0, err
    assert len(out.splitlines()) == 2
    assert all(r.authorized for r in server.requests)

    wrong = tmp_path / "wrong"
    wrong.write_text("sk-wrong-SECRET", encoding="utf-8")
    code, out, err = run_main(
        capsys, ["--api-key-file", str(wrong), "--base-url", server.url, "numbers", "list"]
    )
    assert code == 4  # the key was refused
    assert "UNAUTHORIZED" in err
    assert "sk-wrong-SECRET" not in out + err


@pytest.mark.parametrize("content", ["", "  \n", "two words\n"])
def test_a_bad_key_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    path = tmp_path / "key"
    path.write_text(content, encoding="utf-8")
    code, _, err = run_main(capsys, ["--api-key-file", str(path), "numbers", "list"])
    assert code == 2
    assert "--api-key-file" in err
    assert "two words" not in err


def test_the_key_is_never_printed_even_with_debug_logging(server: FakeVoxServer) -> None:
    secret = "sk-live-DO-NOT-PRINT-0123456789"
    env = clean_env(VOX_API_KEY=secret, VOX_BASE_URL=server.url, VOX_LOG="debug")
    result = run_vox("numbers", "revoke-cancel", "a", "b", env=env)
    assert result.returncode == 4  # the key was refused: one line for every id
    assert "the API refused the key: UNAUTHORIZED (HTTP 401)" in result.stderr
    assert "2 ids not restored" in result.stderr
    assert secret not in result.stdout + result.stderr
    assert len(server.requests) == 2
    assert not any(r.authorized for r in server.requests)


# -- staying light -----------------------------------------------------------------------


def test_importing_the_sdk_does_not_import_the_command() -> None:
    code = (
        "import sys, voxasync; "
        "print(sorted(m for m in sys.modules if m in {'voxasync.cli', 'voxasync._console', "
        "'voxasync._demo', 'voxasync.testing', 'argparse'}))"
    )
    result = run_python("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_main_is_the_console_script_target() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "vox"]
    assert script.value == "voxasync.cli:main"
    assert script.load() is cli.main
