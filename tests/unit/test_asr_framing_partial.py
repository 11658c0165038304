"""Good frames followed by bad bytes in one chunk: the good frames are kept."""

from __future__ import annotations

import uuid

import pytest

from asr.framing import FrameDecoder, Kind, ProtocolError, encode


def test_frames_before_bad_bytes_in_the_same_chunk_are_returned() -> None:
    decoder = FrameDecoder()
    chunk = (
        encode(Kind.UUID, uuid.uuid4().bytes) + encode(Kind.SLIN_8K, bytes(320)) + b"\x99\x00\x00"
    )
    frames = decoder.feed(chunk)
    assert [f.kind for f in frames] == [Kind.UUID, Kind.SLIN_8K]
    assert decoder.error is not None
    with pytest.raises(ProtocolError, match="unknown frame kind 0x99"):
        decoder.feed(b"")


def test_bad_bytes_alone_raise_at_once() -> None:
    decoder = FrameDecoder()
    decoder.feed(encode(Kind.UUID, uuid.uuid4().bytes))
    with pytest.raises(ProtocolError, match="oversize"):
        decoder.feed(b"\x10\xff\xf0")
