from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asr.framing import (
    Frame,
    FrameDecoder,
    Kind,
    ProtocolError,
    audio_frame,
    encode,
    silence_frame,
    uuid_frame,
)
from tests.conftest import shared_path

STREAM = uuid.UUID("0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0001")


def test_roundtrip_uuid_audio_dtmf_error() -> None:
    wire = (
        uuid_frame(STREAM)
        + audio_frame(b"\x01\x00" * 160)
        + encode(Kind.DTMF, b"#")
        + encode(Kind.ERROR, b"\x02")
        + encode(Kind.HANGUP)
    )
    frames = FrameDecoder().feed(wire)
    assert [f.kind for f in frames] == [Kind.UUID, Kind.SLIN_8K, Kind.DTMF, Kind.ERROR, Kind.HANGUP]
    assert frames[0].uuid() == STREAM
    assert frames[1].duration_ms == 20
    assert frames[3].error_text() == "error 0x02 (frame forwarding error)"


def test_silence_frames_are_20_ms_of_zeros() -> None:
    assert silence_frame(8000) == b"\x10\x01\x40" + bytes(320)
    assert silence_frame(16000) == b"\x12\x02\x80" + bytes(640)


@given(st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=40))
def test_any_tcp_split_gives_the_same_frames(cuts: list[int]) -> None:
    wire = uuid_frame(STREAM) + b"".join(audio_frame(bytes([i]) * 320) for i in range(5))
    decoder = FrameDecoder()
    frames: list[Frame] = []
    position = 0
    for cut in cuts:
        frames += decoder.feed(wire[position : position + cut])
        position += cut
    frames += decoder.feed(wire[position:])
    assert [f.payload[:1] for f in frames[1:]] == [bytes([i]) for i in range(5)]
    assert decoder.pending == 0


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (audio_frame(bytes(320)), "first frame must be kind 0x01"),
        (b"GET / HTTP/1.1\r\n", "unknown frame kind 0x47"),
        (encode(Kind.UUID, b"x" * 15), "UUID frame with length 15"),
        (uuid_frame(STREAM) + b"\x10\x01\x41" + bytes(321), "odd length 321"),
        (uuid_frame(STREAM) + b"\x10\xff\xff", "oversize frame"),
        (uuid_frame(STREAM) + encode(Kind.DTMF, b"12"), "DTMF frame with length 2"),
        (uuid_frame(STREAM) + b"\x42\x00\x00", "unknown frame kind 0x42 after 1 frames"),
    ],
)
def test_garbage_is_rejected_with_a_reason(wire: bytes, message: str) -> None:
    decoder = FrameDecoder()
    with pytest.raises(ProtocolError, match=message):  # noqa: PT012 - good frames come first
        decoder.feed(wire)  # raises at once, or returns the good frames before the garbage
        decoder.feed(b"")


@pytest.mark.parametrize(
    ("trace", "kind", "frame_len"),
    [
        ("08-audiosocket-app-local", Kind.SLIN_8K, 320),
        ("08b-audiosocket-channel-dial", Kind.SLIN_16K, 640),
        ("09-asr-tap-chanspy-audiosocket", Kind.SLIN_8K, 320),
        ("10-asr-ari-snoop-externalmedia", Kind.SLIN_16K, 640),
    ],
)
def test_real_asterisk_captures_decode(trace: str, kind: Kind, frame_len: int) -> None:
    raw = shared_path("ami-traces", f"{trace}.audiosocket-first4k.bin").read_bytes()
    meta = json.loads(shared_path("ami-traces", f"{trace}.audiosocket.json").read_text())
    decoder = FrameDecoder()
    frames = decoder.feed(raw)
    assert frames[0].kind is Kind.UUID
    expected_uuid = bytes.fromhex(meta["frames"][0]["head_hex"].replace(" ", ""))[3:19]
    assert frames[0].payload == expected_uuid
    audio = frames[1:]
    assert audio
    assert {f.kind for f in audio} == {kind}
    assert {len(f.payload) for f in audio} == {frame_len}
    # the capture stops at 4 KiB, mid-frame: the rest waits for more bytes
    assert 3 + 16 + len(audio) * (3 + frame_len) + decoder.pending == len(raw)
    heads = [bytes.fromhex(f["head_hex"].replace(" ", "")) for f in meta["frames"][1:]]
    for frame, head in zip(audio, heads, strict=False):
        assert (bytes([frame.kind]) + len(frame.payload).to_bytes(2, "big") + frame.payload)[
            : len(head)
        ] == head
