"""AudioSocket wire format: 1-byte kind, 2-byte big-endian payload length, payload.

What a real Asterisk 22 sent (``../shared/ami-traces`` 08–10): the first frame is always
``01 00 10`` + the 16-byte binary UUID; audio from the ``AudioSocket()`` app and from a ChanSpy
tap is kind ``0x10`` (slin 8 kHz, 320 bytes per 20 ms); ``c(slin16)`` / externalMedia
``format=slin16`` gives kind ``0x12`` (640 bytes per 20 ms); DTMF is ``0x03`` with one ASCII
byte; at hangup Asterisk closes the socket (no ``0x00`` frame was seen, but it is legal).

The decoder is incremental (TCP delivers arbitrary splits) and strict: anything that is not a
well-formed frame raises :class:`ProtocolError` so the server can close cleanly with a reason.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from enum import IntEnum

HEADER = struct.Struct(">BH")
FRAME_MS = 20
DEFAULT_MAX_PAYLOAD = 4096  # 20 ms at 96 kHz is 3,840 bytes; a larger frame is garbage


class Kind(IntEnum):
    HANGUP = 0x00
    UUID = 0x01
    DTMF = 0x03
    SLIN_8K = 0x10
    SLIN_12K = 0x11
    SLIN_16K = 0x12
    SLIN_24K = 0x13
    SLIN_32K = 0x14
    SLIN_44K = 0x15
    SLIN_48K = 0x16
    SLIN_96K = 0x17
    SLIN_192K = 0x18
    ERROR = 0xFF


AUDIO_RATES: dict[Kind, int] = {
    Kind.SLIN_8K: 8000,
    Kind.SLIN_12K: 12000,
    Kind.SLIN_16K: 16000,
    Kind.SLIN_24K: 24000,
    Kind.SLIN_32K: 32000,
    Kind.SLIN_44K: 44100,
    Kind.SLIN_48K: 48000,
    Kind.SLIN_96K: 96000,
    Kind.SLIN_192K: 192000,
}
RATE_KINDS: dict[int, Kind] = {rate: kind for kind, rate in AUDIO_RATES.items()}

# Error codes Asterisk puts in a 0xff payload (res_audiosocket).
ERROR_CODES: dict[int, str] = {
    0x00: "none",
    0x01: "calling party hung up",
    0x02: "frame forwarding error",
    0x04: "memory error",
}


class ProtocolError(Exception):
    """The peer sent something that is not AudioSocket; the connection must be closed."""


@dataclass(frozen=True, slots=True)
class Frame:
    kind: Kind
    payload: bytes

    @property
    def is_audio(self) -> bool:
        return self.kind in AUDIO_RATES

    @property
    def sample_rate(self) -> int:
        return AUDIO_RATES[self.kind]

    @property
    def duration_ms(self) -> float:
        """Length of an audio frame in milliseconds (16-bit mono samples)."""
        return len(self.payload) / 2 / AUDIO_RATES[self.kind] * 1000

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(bytes=self.payload)

    def error_text(self) -> str:
        if not self.payload:
            return "error (no code)"
        code = self.payload[0]
        return f"error 0x{code:02x} ({ERROR_CODES.get(code, 'application-specific')})"


def encode(kind: Kind, payload: bytes = b"") -> bytes:
    if len(payload) > 0xFFFF:
        raise ValueError(f"payload of {len(payload)} bytes does not fit a 16-bit length")
    return HEADER.pack(kind, len(payload)) + payload


def uuid_frame(stream_id: uuid.UUID) -> bytes:
    return encode(Kind.UUID, stream_id.bytes)


def audio_frame(pcm: bytes, sample_rate: int = 8000) -> bytes:
    return encode(RATE_KINDS[sample_rate], pcm)


def silence_frame(sample_rate: int = 8000) -> bytes:
    """20 ms of digital silence at ``sample_rate`` (what keeps Asterisk's 2-s timer happy)."""
    return audio_frame(bytes(sample_rate * FRAME_MS // 1000 * 2), sample_rate)


def frame_bytes(sample_rate: int) -> int:
    """Payload bytes of one 20 ms frame."""
    return sample_rate * FRAME_MS // 1000 * 2


def _validate(kind: Kind, length: int, max_payload: int) -> None:
    if length > max_payload:
        raise ProtocolError(f"oversize frame: kind 0x{kind:02x} length {length} > {max_payload}")
    if kind is Kind.UUID and length != 16:
        raise ProtocolError(f"UUID frame with length {length}, expected 16")
    if kind is Kind.DTMF and length != 1:
        raise ProtocolError(f"DTMF frame with length {length}, expected 1")
    if kind in AUDIO_RATES and length % 2:
        raise ProtocolError(f"audio frame with odd length {length}")


class FrameDecoder:
    """Feed it bytes as they arrive; it returns the complete frames found so far."""

    def __init__(self, max_payload: int = DEFAULT_MAX_PAYLOAD, *, expect_uuid: bool = True) -> None:
        # ``expect_uuid`` False: the server→Asterisk direction, which starts with audio.
        self._buffer = bytearray()
        self._max_payload = max_payload
        self._expect_uuid = expect_uuid
        self.frames_decoded = 0
        self.error: ProtocolError | None = None  # set once bad bytes follow good frames

    @property
    def pending(self) -> int:
        """Bytes received that do not yet form a complete frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        """Return the complete frames. Bad bytes raise :class:`ProtocolError` — but when good
        frames came before them in the same chunk, those are returned first and the error is
        kept in :attr:`error` (and raised by the next ``feed``): nothing before it is lost."""
        if self.error is not None:
            raise self.error
        self._buffer += data
        frames: list[Frame] = []
        try:
            self._decode(frames)
        except ProtocolError as exc:
            if not frames:
                raise
            self.error = exc
        return frames

    def _decode(self, frames: list[Frame]) -> None:
        while len(self._buffer) >= HEADER.size:
            raw_kind, length = HEADER.unpack_from(self._buffer)
            try:
                kind = Kind(raw_kind)
            except ValueError:
                raise ProtocolError(
                    f"unknown frame kind 0x{raw_kind:02x} after {self.frames_decoded} frames"
                ) from None
            if self._expect_uuid and self.frames_decoded == 0 and kind is not Kind.UUID:
                raise ProtocolError(f"first frame must be kind 0x01 (UUID), got 0x{raw_kind:02x}")
            _validate(kind, length, self._max_payload)
            end = HEADER.size + length
            if len(self._buffer) < end:
                break
            frames.append(Frame(kind, bytes(self._buffer[HEADER.size : end])))
            del self._buffer[:end]
            self.frames_decoded += 1
