"""AMI wire codec: every recorded stream parses cleanly, bad input is reported and skipped."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telephony.ami_codec import (
    INVALID_UTF8,
    MALFORMED_LINE,
    OVERSIZED_LINE,
    OVERSIZED_MESSAGE,
    TOO_MANY_HEADERS,
    TRUNCATED_MESSAGE,
    AmiMessage,
    AmiStreamParser,
    encode_action,
    encode_event,
    encode_message,
    parse_message_text,
)
from tests.conftest import AMI_TRACES, shared_path

RX_FILES = sorted(p.name for p in AMI_TRACES.glob("*.rx.raw")) if AMI_TRACES.exists() else []

# message counts per trace (rx, banner excluded), from the .summary.txt "message counts"
EXPECTED_COUNTS = {
    "00-session-badlogin.rx.raw": 1,
    "00-session.rx.raw": 23,
    "01-answered-caller-hangup.rx.raw": 170,
    "01b-answered-agent-hangup.rx.raw": 168,
    "02-abandon-in-queue.rx.raw": 118,
    "03-queue-timeout-to-voicemail.rx.raw": 155,
    "03b-exit-queue-with-key-to-voicemail.rx.raw": 101,
    "04-ivr-online-channel.rx.raw": 38,
    "05-pause-unpause-status-summary.rx.raw": 252,
    "06-concurrent-20-calls.rx.raw": 2988,
    "07-originate.rx.raw": 50,
    "08-audiosocket-app-local.rx.raw": 41,
    "08b-audiosocket-channel-dial.rx.raw": 18,
    "09-asr-tap-chanspy-audiosocket.rx.raw": 217,
    "10-asr-ari-snoop-externalmedia.rx.raw": 218,
}


def test_every_trace_is_listed() -> None:
    shared_path("ami-traces")
    assert sorted(EXPECTED_COUNTS) == RX_FILES


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_trace_parses_like_the_jsonl_record(name: str) -> None:
    """The byte stream and the per-message .jsonl record agree message for message."""
    data = shared_path("ami-traces", name).read_bytes()
    parser = AmiStreamParser()
    messages = parser.feed(data)
    assert parser.take_issues() == []
    assert parser.close() == []
    assert parser.banner == "Asterisk Call Manager/11.0.0"
    assert len(messages) == EXPECTED_COUNTS[name]
    records = [
        json.loads(line)
        for line in (AMI_TRACES / name.replace(".rx.raw", ".jsonl")).read_text().splitlines()
    ]
    rx = [r["raw"] for r in records if r["dir"] == "rx" and r["raw"].endswith("\r\n\r\n")]
    assert [parse_message_text(r) for r in rx] == messages
    # re-encoding what we parsed gives back the exact received bytes
    banner = b"Asterisk Call Manager/11.0.0\r\n"
    assert b"".join(encode_message(m.headers) for m in messages) == data[len(banner) :]


def _trace(name: str) -> list[AmiMessage]:
    return AmiStreamParser().feed(shared_path("ami-traces", name).read_bytes())


def test_repeated_keys_and_colons_in_values_are_kept() -> None:
    messages = _trace("00-session.rx.raw")
    queue_show = next(m for m in messages if m.get("ActionID") == "00-6")
    outputs = queue_show.get_all("Output")
    assert outputs[0].startswith("hotline has 0 calls (max 100) in 'rrmemory' strategy")
    assert outputs[1] == "   Members: "  # leading spaces of console output survive
    assert outputs[-2:] == ["", ""]
    auth = next(m for m in messages if m.event == "SuccessfulAuth")
    assert auth["LocalAddress"] == "IPV4/TCP/127.0.0.1/5038"
    assert auth["EventTV"] == "2026-11-21T06:15:03.472+0000"  # value with ':'


def test_userevent_duplicate_channel_headers_are_both_kept() -> None:
    messages = _trace("04-ivr-online-channel.rx.raw")
    user = next(m for m in messages if m.event == "UserEvent")
    assert user["UserEvent"] == "HotlineOnlineChannel"
    assert len(user.get_all("Channel")) == 2
    assert len(user.get_all("Uniqueid")) == 2


def test_lookup_is_case_insensitive_and_kinds() -> None:
    msg = AmiMessage.of(("Response", "Success"), ("ActionId", "7"))
    assert msg.action_id == "7"
    assert msg.kind == "response"
    assert msg.name == "Success"
    assert "actionid" in msg
    with pytest.raises(KeyError):
        _ = msg["Event"]


def test_non_utf8_bytes_are_replaced_and_reported() -> None:
    parser = AmiStreamParser(expect_banner=False)
    messages = parser.feed(b"Event: UserEvent\r\nCaller: \xe5\xbc\xa0\xff\r\n\r\n")
    assert messages[0]["Caller"] == "张\ufffd"
    [issue] = parser.take_issues()
    assert issue.kind == INVALID_UTF8
    assert issue.offset == len(b"Event: UserEvent\r\n")
    assert issue.message_index == 0


def test_oversized_line_is_dropped_message_kept() -> None:
    parser = AmiStreamParser(expect_banner=False, max_line_bytes=32)
    data = b"Event: Hangup\r\nJunk: " + b"x" * 100 + b"\r\nCause: 16\r\n\r\nEvent: Ping\r\n\r\n"
    messages = parser.feed(data)
    assert [m.headers for m in messages] == [
        (("Event", "Hangup"), ("Cause", "16")),
        (("Event", "Ping"),),
    ]
    [issue] = parser.take_issues()
    assert (issue.kind, issue.offset) == (OVERSIZED_LINE, 15)


def test_oversized_line_without_newline_is_not_buffered_forever() -> None:
    parser = AmiStreamParser(expect_banner=False, max_line_bytes=32)
    parser.feed(b"Event: X\r\nJunk: ")
    for _ in range(100):
        parser.feed(b"y" * 1000)
    assert parser.pending_bytes < 100
    messages = parser.feed(b"\r\nA: 1\r\n\r\n")
    assert messages == [AmiMessage((("Event", "X"), ("A", "1")))]
    assert [i.kind for i in parser.take_issues()] == [OVERSIZED_LINE]


def test_oversized_message_is_skipped_and_parsing_continues() -> None:
    parser = AmiStreamParser(expect_banner=False, max_message_bytes=100)
    big = b"Response: Success\r\n" + b"Output: 0123456789\r\n" * 20 + b"\r\n"
    messages = parser.feed(big + b"Event: FullyBooted\r\n\r\n")
    assert [m.name for m in messages] == ["FullyBooted"]
    assert [i.kind for i in parser.take_issues()] == [OVERSIZED_MESSAGE]


def test_too_many_headers() -> None:
    parser = AmiStreamParser(expect_banner=False, max_headers=3)
    messages = parser.feed(b"Event: A\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\nEvent: B\r\n\r\n")
    assert [m.name for m in messages] == ["B"]
    assert [i.kind for i in parser.take_issues()] == [TOO_MANY_HEADERS]


def test_malformed_line_is_dropped() -> None:
    parser = AmiStreamParser(expect_banner=False)
    messages = parser.feed(b"garbage line\r\nEvent: A\r\nnot a header\r\nX: 1\r\n\r\n")
    assert messages == [AmiMessage((("Event", "A"), ("X", "1")))]
    assert [i.kind for i in parser.take_issues()] == [MALFORMED_LINE, MALFORMED_LINE]


def test_truncated_final_message_is_pending_then_reported() -> None:
    parser = AmiStreamParser()
    messages = parser.feed(b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\nEvent: Hangup\r\nCau")
    assert [m.name for m in messages] == ["A"]
    assert parser.pending_bytes == len(b"Event: Hangup\r\nCau")
    [issue] = parser.close()
    assert issue.kind == TRUNCATED_MESSAGE
    assert issue.offset == len(b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\n")
    assert parser.pending_bytes == 0


def test_bare_lf_line_endings_are_accepted() -> None:
    parser = AmiStreamParser(expect_banner=False)
    assert parser.feed(b"Event: A\nB: c\n\n") == [AmiMessage((("Event", "A"), ("B", "c")))]


def test_encoder_refuses_header_injection() -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        encode_action("Originate", "1", {"Variable": "A=1\r\nAction: Hangup"})
    with pytest.raises(ValueError, match="invalid AMI key"):
        encode_message([("Bad:Key", "x")])
    with pytest.raises(ValueError, match="at least one header"):
        encode_message([])


def test_encoder_round_trip() -> None:
    data = encode_action("Originate", "cb-1", [("Variable", "A=1"), ("Variable", "B=2")])
    assert data == b"Action: Originate\r\nActionID: cb-1\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"
    event = encode_event("QueueCallerJoin", {"Queue": "hotline", "Position": "1"})
    [msg] = AmiStreamParser(expect_banner=False).feed(data + event)[1:]
    assert msg.get("Privilege") == "call,all"
    assert msg["Queue"] == "hotline"


STREAM = (
    b"Asterisk Call Manager/11.0.0\r\n"
    b"Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n"
    b"Event: UserEvent\r\nChannel: A\r\nChannel: B\r\nV: x:y: z\r\n\r\n"
    b"Event: Bad\r\nName: \xff\xfe\r\n" + b"Long: " + b"L" * 80 + b"\r\n\r\n"
    b"\r\n"
    b"Event: Huge\r\n" + b"H: 0123456789\r\n" * 30 + b"\r\n"
    b"Event: Last\r\nA: 1\r\n\r\n"
    b"Event: Cut\r\nB: 2"
)


def _parse_in_chunks(data: bytes, cuts: list[int]) -> tuple[list[AmiMessage], list[object]]:
    parser = AmiStreamParser(max_line_bytes=40, max_message_bytes=200)
    messages: list[AmiMessage] = []
    previous = 0
    for cut in [*sorted(cuts), len(data)]:
        messages.extend(parser.feed(data[previous:cut]))
        previous = cut
    issues: list[object] = [*parser.take_issues(), *parser.close()]
    return messages, issues


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=30))
def test_split_points_do_not_change_the_result(cuts: list[int]) -> None:
    assert _parse_in_chunks(STREAM, cuts) == _parse_in_chunks(STREAM, [])


def test_reference_result_of_the_split_stream() -> None:
    messages, issues = _parse_in_chunks(STREAM, [])
    assert [m.name for m in messages] == ["Success", "UserEvent", "Bad", "Last"]
    assert messages[1]["V"] == "x:y: z"
    assert [i.kind for i in issues] == [  # type: ignore[attr-defined]
        INVALID_UTF8,
        OVERSIZED_LINE,
        OVERSIZED_MESSAGE,
        TRUNCATED_MESSAGE,
    ]


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_real_trace_split_anywhere(data: st.DataObject) -> None:
    raw = shared_path("ami-traces", "02-abandon-in-queue.rx.raw").read_bytes()
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(raw)), max_size=50))
    parser = AmiStreamParser()
    whole = AmiStreamParser().feed(raw)
    got: list[AmiMessage] = []
    previous = 0
    for cut in [*sorted(cuts), len(raw)]:
        got.extend(parser.feed(raw[previous:cut]))
        previous = cut
    assert got == whole


_LINE = st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b""))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_LINE, min_size=1, max_size=6), max_size=6), st.booleans())
def test_whole_buffer_and_byte_by_byte_agree_on_arbitrary_bytes(
    blocks: list[list[bytes]], bare_lf: bool
) -> None:
    """Random (often invalid) lines: the block fast path and the line path agree."""
    eol = b"\n" if bare_lf else b"\r\n"
    data = b"".join(eol.join(lines) + eol + eol for lines in blocks)

    def run(chunks: list[bytes]) -> tuple[list[AmiMessage], list[object]]:
        parser = AmiStreamParser(max_line_bytes=20, max_message_bytes=80, max_headers=4)
        got = [m for c in chunks for m in parser.feed(c)]
        return got, [*parser.take_issues(), *parser.close()]

    assert run([data]) == run([data[i : i + 1] for i in range(len(data))])


def test_from_mapping_unfolds_panoramisk_style_lists() -> None:
    folded = {"Event": "UserEvent", "Channel": ["PJSIP/pstn-1", "PJSIP/pstn-1"], "Queue": "q"}
    msg = AmiMessage.from_mapping(folded)
    assert msg.get_all("Channel") == ["PJSIP/pstn-1", "PJSIP/pstn-1"]
    assert msg.headers[0] == ("Event", "UserEvent")
