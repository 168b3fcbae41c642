"""``vox numbers update | set-agents | sip | register | available``, run in-process against
``--sandbox`` or the test's own FakeVoxServer (as "the real API")."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
from cli_support import run_main as run

from voxasync.cli import SANDBOX_NUMBERS, sandbox_id
from voxasync.testing import FakeVoxServer, Fault

pytestmark = pytest.mark.usefixtures("no_key_in_env")

AGENT = str(uuid.UUID(int=11))
PASSWORD = "cli-PASSWORD-never-echoed"
CUSTOM = next(sandbox_id(i) for i, (p, s, _) in enumerate(SANDBOX_NUMBERS)
              if p == "custom" and s == "active")
VOX = sandbox_id(0)





def password_file(tmp_path: Path, text: str = PASSWORD + "\n") -> str:
    path = tmp_path / "sip-password"
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- update -----------------------------------------------------------------------------


def test_update_memo_in_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["--sandbox", "numbers", "update", VOX, "--memo", "새 메모",
                                "--json"])
    assert code == 0
    assert json.loads(out)["memo"] == "새 메모"


def test_clear_memo_sends_null(real: FakeVoxServer, capsys: pytest.CaptureFixture[str]) -> None:
    number_id = real.add_number(memo="old")["id"]
    code, out, _ = run(capsys, ["numbers", "update", number_id, "--clear-memo"])
    assert code == 0
    assert [r.json for r in real.requests] == [{"memo": None}]
    assert "memo" in out and "old" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "one of the arguments --memo --clear-memo is required"),
        (["--memo", "a", "--clear-memo"], "not allowed with"),
        (["--memo", "x" * 201], "memo must be at most 200 characters"),
    ],
)
def test_update_usage_errors_exit_2_before_any_request(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, ["numbers", "update", "some-id", *args])
    assert code == 2
    assert message in err
    assert real.requests == []


def test_update_unknown_id_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, ["--sandbox", "numbers", "update", "nope", "--memo", "a"])
    assert code == 1
    assert "vox: nope: NOT_FOUND (HTTP 404)" in err


# -- set-agents -------------------------------------------------------------------------


def test_set_agents_maps_and_unmaps(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    number_id = real.add_number()["id"]
    code, out, _ = run(capsys, [
        "numbers", "set-agents", number_id, "--inbound", f"{AGENT}@v2", "--clear-outbound",
        "--sms-inbound", AGENT, "--json",
    ])
    assert code == 0
    assert real.requests[0].json == {
        "inbound_agent": {"agent_id": AGENT, "agent_version": "v2"},
        "outbound_agent": None,
        "sms_inbound_agent": {"agent_id": AGENT, "agent_version": "current"},
    }
    record = json.loads(out)
    assert record["sms_inbound_agent"] == {"agent_id": AGENT, "agent_version": "current"}


def test_set_agents_table_shows_the_sms_agent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["--sandbox", "numbers", "set-agents", VOX,
                                "--sms-inbound", f"{AGENT}@production"])
    assert code == 0
    assert f"sms_inbound_agent    {AGENT} (production)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to change"),
        (["--inbound", f"{AGENT}@v0"], "inbound_agent.agent_version must be"),
        (["--inbound", f"{AGENT}@"], "--inbound needs AGENT_ID or AGENT_ID@VERSION"),
        (["--outbound", "@v1"], "--outbound needs AGENT_ID"),
        (["--inbound", AGENT, "--clear-inbound"], "not allowed with"),
    ],
)
def test_set_agents_usage_errors_exit_2(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, ["numbers", "set-agents", "some-id", *args])
    assert code == 2
    assert message in err
    assert real.requests == []


def test_set_agents_on_an_expired_number_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    expired = next(sandbox_id(i) for i, (_, s, _) in enumerate(SANDBOX_NUMBERS) if s == "expired")
    code, _, err = run(capsys, ["--sandbox", "numbers", "set-agents", expired, "--inbound", AGENT])
    assert code == 1
    assert "INVALID_STATUS (HTTP 409)" in err


# -- sip --------------------------------------------------------------------------------


def test_sip_reads_the_password_from_a_file_and_never_prints_it(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    number_id = real.add_number(provider="custom", address="sip:old")["id"]
    code, out, err = run(capsys, [
        "numbers", "sip", number_id, "--address", "sip:new.example:5060",
        "--auth-username", "pbx", "--auth-password-file", password_file(tmp_path), "--json",
    ])
    assert code == 0, err
    assert json.loads(out)["address"] == "sip:new.example:5060"
    assert real.sip_credentials(number_id) == {"auth_username": "pbx", "auth_password": PASSWORD}
    assert PASSWORD not in out + err


def test_sip_password_from_stdin(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number_id = real.add_number(provider="custom", address="sip:old")["id"]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = run(capsys, ["numbers", "sip", number_id, "--auth-username", "u",
                                  "--auth-password-file", "-"])
    assert code == 0, err
    assert real.sip_credentials(number_id)["auth_password"] == PASSWORD
    assert PASSWORD not in out + err


def test_sip_clear_auth_sends_nulls(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    number_id = real.add_number(provider="custom", address="sip:old")["id"]
    code, _, _ = run(capsys, ["numbers", "sip", number_id, "--clear-auth", "--memo", "m"])
    assert code == 0
    assert real.requests[0].json == {"auth_username": None, "auth_password": None, "memo": "m"}


def test_a_plain_password_argument_is_refused_without_echoing_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, ["--sandbox", "numbers", "sip", CUSTOM, "--auth-password",
                                  PASSWORD])
    assert code == 2
    assert "--auth-password is not accepted" in err
    assert PASSWORD not in out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to change"),
        (["--address", "sip:x"], "needs the password again"),
        (["--auth-username", "u"], "needs the password again"),
        (["--address", " ", "--auth-password-file", "PW"], "address must not be blank"),
        (["--clear-auth", "--auth-username", "u"], "--clear-auth cannot be combined"),
        (["--auth-password-file", "EMPTY"], "holds no password"),
        (["--auth-password-file", "/no/such/file"], "cannot read --auth-password-file"),
    ],
)
def test_sip_usage_errors_exit_2_before_any_request(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str],
    message: str,
) -> None:
    files = {"PW": password_file(tmp_path), "EMPTY": str(tmp_path / "empty")}
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    code, out, err = run(capsys, ["numbers", "sip", "some-id", *[files.get(a, a) for a in args]])
    assert code == 2
    assert message in err
    assert PASSWORD not in out + err
    assert real.requests == []


def test_sip_on_a_vox_number_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, ["--sandbox", "numbers", "sip", VOX, "--memo", "x"])
    assert code == 1
    assert "VALIDATION_ERROR (HTTP 400)" in err


# -- register ---------------------------------------------------------------------------


def test_register_in_the_sandbox(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, [
        "--sandbox", "numbers", "register", "0212345678", "--address", "sip:pbx:5060",
        "--auth-username", "pbx", "--auth-password-file", password_file(tmp_path),
        "--memo", "본사", "--json",
    ])
    assert code == 0, err
    record = json.loads(out)
    assert (record["number"], record["provider"], record["memo"]) == (
        "0212345678", "custom", "본사")
    assert PASSWORD not in out + err


def test_register_retried_after_a_lost_answer_converges(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from voxasync.testing import instant_retries

    real.inject(Fault.reset(after_effect=True), action="register")
    with instant_retries():
        code, out, _ = run(capsys, ["numbers", "register", "0311112222", "--address", "sip:a"])
    assert code == 0
    assert "0311112222" in out
    assert len([n for n in real.numbers if n["number"] == "0311112222"]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["070-1111-2222", "--address", "sip:a"], "without hyphens"),
        (["07011112222", "--address", ""], "address must not be blank"),
        (["07011112222"], "the following arguments are required: --address"),
    ],
)
def test_register_usage_errors_exit_2(
    real: FakeVoxServer, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, ["numbers", "register", *args])
    assert code == 2
    assert message in err
    assert real.requests == []


def test_registering_an_existing_number_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    number = "07012340003"  # a sandbox custom number
    code, _, err = run(capsys, ["--sandbox", "numbers", "register", number, "--address", "sip:a"])
    assert code == 1
    assert f"vox: {number}: ALREADY_EXISTS (HTTP 409)" in err


# -- available --------------------------------------------------------------------------


def test_available_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, ["--sandbox", "numbers", "available"])
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split()[:3] == ["ID", "NUMBER", "LINE_TYPE"]
    assert len(rows) >= 10
    assert "dashboard" in err


def test_available_json_filtered(real: FakeVoxServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["numbers", "available", "--line-type", "mobile",
                                "--sort-by", "monthly_fee", "--json"])
    assert code == 0
    items = json.loads(out)
    assert items and {i["line_type"] for i in items} == {"mobile"}
    assert set(items[0]) == {"id", "number", "line_type", "monthly_fee", "provider",
                             "sms_capable"}
    assert set(items[0]["sms_capable"]) == {"send", "recv"}
    assert ("line_type", "mobile") in real.requests[0].query


def test_available_unknown_line_type_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Checked before any request, as for --status and --provider (the batch issue's rule)."""
    code, _, err = run(capsys, ["--sandbox", "numbers", "available", "--line-type", "fax"])
    assert code == 2
    assert "unknown value 'fax'; valid values: mobile, landline" in err


def test_available_none_left(real: FakeVoxServer, capsys: pytest.CaptureFixture[str]) -> None:
    real.inject(Fault.extra_fields(items=[], total_count=0, next_cursor=None),
                action="available")
    code, out, err = run(capsys, ["numbers", "available"])
    assert (code, out) == (0, "")
    assert "no numbers for sale" in err
