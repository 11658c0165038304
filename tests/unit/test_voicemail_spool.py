"""Reading Asterisk's voicemail spool: real message files in app_voicemail's layout and format,
bad ones reported by name and skipped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.errors import NotFoundError, ValidationError
from core.use_cases.voicemail_reimport import SpoolMessage
from ivr_flows.voicemail_spool import (
    SpoolFileError,
    caller_number,
    parse_message,
    scan_spool_blocking,
)
from tests.spool_support import LINKEDID, MAILBOX, ORIGTIME, message_text, write_message


def parse(text: str, path: str = "/s/msg0000.txt") -> SpoolMessage:
    return parse_message(
        text, path, context="hotline", mailbox="12345", folder="INBOX", recording_path=None
    )


def test_a_message_as_leave_voicemail_writes_it() -> None:
    message = parse_message(
        message_text(),
        "/spool/voicemail/hotline/12345/INBOX/msg0000.txt",
        context="hotline",
        mailbox="12345",
        folder="INBOX",
        recording_path="/spool/voicemail/hotline/12345/INBOX/msg0000.wav",
    )
    assert message.origtime == datetime.fromtimestamp(ORIGTIME, UTC)
    assert (message.caller_number, message.duration_s) == ("13800137", 7.0)
    assert (message.msg_id, message.linkedid) == ("1795241842-00000000", LINKEDID)
    assert message.call_id == LINKEDID  # the live paths' key
    assert message.slot == ("hotline", "12345", "INBOX", "msg0000")
    vm = message.voicemail()
    assert vm.received_at.tzinfo is not None
    assert vm.recording_path.endswith("INBOX/msg0000.wav")
    assert not vm.recording_missing


def test_without_the_dialplan_category_the_key_is_asterisks_msg_id() -> None:
    plain = parse_message(
        message_text(category=""), "/s/msg0003.txt", context="hotline", mailbox="12345",
        folder="Old", recording_path=None,
    )  # fmt: skip
    assert plain.linkedid == ""
    assert plain.call_id == "vm:1795241842-00000000"
    vm = plain.voicemail()
    assert vm.recording_missing
    assert vm.recording_path == "/s/msg0003"  # the message, without an audio extension
    old = parse_message(  # before Asterisk 11: no msg_id; a stable digest instead
        message_text(category="", msg_id=None), "/s/msg0003.txt", context="hotline",
        mailbox="12345", folder="Old", recording_path=None,
    )  # fmt: skip
    assert old.call_id.startswith("vm:")
    assert old.call_id == parse_message(
        message_text(category="", msg_id=None), "/t/msg0009.txt", context="hotline",
        mailbox="12345", folder="INBOX", recording_path=None,
    ).call_id  # fmt: skip
    assert len(old.call_id) <= 64


@pytest.mark.parametrize(
    ("callerid", "number"),
    [
        ('"Citizen 13800137" <13800137>', "13800137"),
        ('"张 \\"老\\" 三" <+8613800137000>', "+8613800137000"),
        ("Citizen <02988886666>", "02988886666"),
        ("13800137", "13800137"),
        ("<13800137>", "13800137"),
        ("Unknown", ""),
        ("Anonymous", ""),
        ('"only a name"', ""),
        ("", ""),
    ],
)
def test_caller_number_from_callerid(callerid: str, number: str) -> None:
    assert caller_number(callerid) == number


def test_config_syntax_asterisk_accepts() -> None:
    text = (
        "[message]\n"
        "  origtime => 1795241842   ; Asterisk allows =>\n"
        'callerid="a\\;b" <13800137>\n'
        "duration = 12\n"
        "category=\n"
    )
    message = parse(text)
    assert message.caller_number == "13800137"
    assert message.duration_s == 12.0
    assert message.linkedid == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("\n\n   \n", "empty file"),
        ("origtime=1795241842\n", "before any [section]"),
        ("[general]\norigtime=1795241842\n", "no [message] section"),
        ("[message]\ncallerid=13800137\n", "no origtime"),
        ("[message]\norigtime=\n", "no origtime"),
        ("[message]\norigtime=yesterday\n", "origtime='yesterday' is not a whole number"),
        ("[message]\norigtime=-5\n", "negative"),
        ("[message]\norigtime=99999999999999999999\n", "is not a time"),
        ("[message]\norigtime=1795241842\nduration=7s\n", "duration='7s' is not a whole"),
        ("[message\norigtime=1795241842\n", "line 1: bad section header"),
        ("[message]\norigtime=1795241842\nthis is not a field\n", "line 3: expected key=value"),
        ("[message]\n=1795241842\n", "line 2: expected key=value"),
    ],
)
def test_malformed_files_name_the_file(text: str, reason: str) -> None:
    with pytest.raises(SpoolFileError) as info:
        parse(text, "/spool/voicemail/hotline/12345/INBOX/msg0007.txt")
    assert info.value.path.endswith("INBOX/msg0007.txt")
    assert reason in info.value.reason
    assert str(info.value).startswith("/spool/voicemail/hotline/12345/INBOX/msg0007.txt: ")


def test_scan_reads_every_message_folder_and_skips_the_rest(tmp_path: Path) -> None:
    write_message(tmp_path, 0)
    write_message(tmp_path, 1, audio=("WAV", "gsm"), msg_id="1795241900-00000001")
    write_message(tmp_path, 0, folder="Old", audio=("gsm",), msg_id="1795241000-0000000a")
    write_message(tmp_path, 0, folder="Urgent", audio=(), msg_id="1795241950-00000002")
    # not messages of the hotline: recordings in progress, deleted ones, another mailbox,
    # greetings, stray files
    write_message(tmp_path, 0, folder="tmp")
    write_message(tmp_path, 0, folder="Deleted")
    write_message(tmp_path, 0, mailbox="8001@staff")
    box = tmp_path / "voicemail" / "hotline" / "12345"
    (box / "unavail.wav").write_bytes(b"RIFF")
    (box / "INBOX" / "notes.txt").write_text("hello", encoding="utf-8")
    (box / "INBOX" / "msg0001.txt.bak").write_text("x", encoding="utf-8")

    scan = scan_spool_blocking(tmp_path, [MAILBOX])
    assert scan.problems == []
    found = {(m.folder, m.number): m for m in scan.messages}
    assert set(found) == {
        ("INBOX", "msg0000"), ("INBOX", "msg0001"), ("Old", "msg0000"), ("Urgent", "msg0000"),
    }  # fmt: skip
    assert found["INBOX", "msg0000"].recording_path == str(box / "INBOX" / "msg0000.wav")
    assert found["INBOX", "msg0001"].recording_path == str(box / "INBOX" / "msg0001.WAV")
    assert found["Old", "msg0000"].recording_path == str(box / "Old" / "msg0000.gsm")
    assert found["Urgent", "msg0000"].recording_path is None  # audio gone: still a message
    # the spool's voicemail/ directory itself works too
    assert len(scan_spool_blocking(tmp_path / "voicemail", [MAILBOX]).messages) == 4


def test_a_broken_file_is_reported_and_the_others_are_read(tmp_path: Path) -> None:
    good = write_message(tmp_path, 0)
    broken = write_message(tmp_path, 1, text="[message]\norigtime=soon\n")
    empty = write_message(tmp_path, 2, text="")
    gbk = write_message(tmp_path, 3)
    gbk.write_bytes(message_text(callerid='"张三" <13800137>').encode("gb18030"))

    scan = scan_spool_blocking(tmp_path, [MAILBOX])
    assert [m.path for m in scan.messages] == [str(good), str(gbk)]
    assert scan.messages[1].caller_number == "13800137"  # a GBK caller name costs nothing
    assert [(p.path, p.reason) for p in scan.problems] == [
        (str(broken), "origtime='soon' is not a whole number"),
        (str(empty), "empty file"),
    ]
    assert all(str(p).startswith(p.path + ": ") for p in scan.problems)


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    txt = write_message(tmp_path, 0)
    txt.unlink()
    txt.mkdir()  # msg0000.txt that is a directory: read_bytes fails
    scan = scan_spool_blocking(tmp_path, [MAILBOX])
    assert scan.messages == []
    assert [p.path for p in scan.problems] == [str(txt)]
    assert scan.problems[0].reason.startswith("cannot read")


def test_missing_spool_and_bad_mailbox_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="not a directory"):
        scan_spool_blocking(tmp_path / "nope", [MAILBOX])
    with pytest.raises(ValidationError, match="not a mailbox"):
        scan_spool_blocking(tmp_path, ["../etc@hotline"])
    # a mailbox nobody left a message in yet: nothing, no error
    assert scan_spool_blocking(tmp_path, ["9999@hotline"]).messages == []
