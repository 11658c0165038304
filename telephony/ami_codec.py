"""Asterisk Manager Interface wire codec: an incremental parser and an encoder (stdlib only).

The wire format, as recorded from Asterisk 22 (``../shared/ami-traces/README.md``):

* right after connect the server sends one banner line ``Asterisk Call Manager/11.0.0\\r\\n``
  (no blank line after it);
* every other message is a block of ``Key: value\\r\\n`` lines closed by an empty line;
* keys repeat inside one message (``Output:`` of Command, ``Variable:`` of Originate, a
  ``UserEvent`` whose custom headers repeat ``Channel``/``Uniqueid``) so a message is an
  ordered list of pairs, never a plain dict;
* values may contain ``:`` and may start with spaces (Command output is indented), so a line
  splits at the FIRST colon and exactly one following space is dropped.

The parser never raises on bad input. Anything it has to drop or repair becomes a
:class:`ProtocolIssue` (kind, byte offset, detail) that the bridge logs and counts; parsing
continues with the next line / message. Lines ending in a bare LF are accepted too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

BANNER_PREFIX = "Asterisk Call Manager/"
DEFAULT_BANNER = b"Asterisk Call Manager/11.0.0\r\n"

# Issue kinds (stable strings; the bridge counts them per kind).
INVALID_UTF8 = "invalid_utf8"
OVERSIZED_LINE = "oversized_line"
OVERSIZED_MESSAGE = "oversized_message"
TOO_MANY_HEADERS = "too_many_headers"
MALFORMED_LINE = "malformed_line"
TRUNCATED_MESSAGE = "truncated_message"


@dataclass(frozen=True, slots=True)
class AmiMessage:
    """One AMI message: ordered ``(key, value)`` pairs, repeated keys kept.

    Lookups are case-insensitive (Asterisk is not fully consistent: ``ActionID``/``ActionId``).
    """

    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, *pairs: tuple[str, str], **fields: str) -> AmiMessage:
        return cls(tuple(pairs) + tuple(fields.items()))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, object]) -> AmiMessage:
        """From a dict-like message (e.g. panoramisk's ``Message``, which folds repeated keys
        into a list): list values become repeated headers, in order."""
        pairs: list[tuple[str, str]] = []
        for key, value in mapping.items():
            if isinstance(value, list | tuple):
                pairs.extend((key, str(v)) for v in value)
            else:
                pairs.append((key, str(value)))
        return cls(tuple(pairs))

    def get(self, key: str, default: str | None = None) -> str | None:
        """First value for ``key`` (case-insensitive), else ``default``."""
        k = key.lower()
        for name, value in self.headers:
            if name.lower() == k:
                return value
        return default

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def get_all(self, key: str) -> list[str]:
        k = key.lower()
        return [value for name, value in self.headers if name.lower() == k]

    def to_dict(self) -> dict[str, str]:
        """Last-wins dict (use :meth:`get_all` for repeated keys)."""
        return dict(self.headers)

    @property
    def kind(self) -> str:
        """``event``, ``response``, ``action`` or ``unknown`` (decided by the first header)."""
        if not self.headers:
            return "unknown"
        first = self.headers[0][0].lower()
        return first if first in ("event", "response", "action") else "unknown"

    @property
    def name(self) -> str:
        """The value of the first header (event name, response status or action name)."""
        return self.headers[0][1] if self.headers else ""

    @property
    def event(self) -> str | None:
        return self.get("Event")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")


@dataclass(frozen=True, slots=True)
class ProtocolIssue:
    """Something on the wire the parser had to drop or repair; parsing went on."""

    kind: str
    offset: int  # byte offset in the stream where the offending line/message starts
    detail: str
    message_index: int  # number of messages emitted before this issue
    sample: bytes = b""  # first bytes of what was dropped/repaired, for the log


@dataclass(slots=True)
class _Partial:
    headers: list[tuple[str, str]] = field(default_factory=list)
    start: int = -1  # stream offset of the first line; -1 = no message open
    size: int = 0
    discarding: bool = False  # message exceeded a limit: skip until the blank line


class AmiStreamParser:
    """Incremental AMI parser: ``feed(bytes) -> [AmiMessage]``, issues via :meth:`take_issues`.

    Feeding the same stream split at any points yields the same messages and issues.
    A message is only emitted once its closing blank line arrived; an unfinished message stays
    pending (``pending_bytes``) and :meth:`close` reports it as ``truncated_message``.
    """

    def __init__(
        self,
        *,
        expect_banner: bool = True,
        max_line_bytes: int = 16 * 1024,
        max_message_bytes: int = 1024 * 1024,
        max_headers: int = 10_000,
    ) -> None:
        self.max_line_bytes = max_line_bytes
        self.max_message_bytes = max_message_bytes
        self.max_headers = max_headers
        self.banner: str | None = None
        self._expect_banner = expect_banner
        self._buf = bytearray()
        self._buf_offset = 0  # stream offset of _buf[0]
        self._skip_line = False  # inside an oversized line: drop bytes until LF
        self._msg = _Partial()
        self._issues: list[ProtocolIssue] = []
        self._emitted = 0
        self.issue_counts: dict[str, int] = {}

    # -- public API ---------------------------------------------------------------------------
    def feed(self, data: bytes) -> list[AmiMessage]:
        out: list[AmiMessage] = []
        self._buf += data
        buf = self._buf
        pos = 0
        n = len(buf)
        # the sample of an oversized line must not depend on how the stream was split
        sample_len = min(64, self.max_line_bytes)
        while pos < n:
            if not self._skip_line and self._msg.start < 0:
                # fast path: a whole well-formed message is buffered → split it in one go
                end = buf.find(b"\r\n\r\n", pos)
                if end >= 0:
                    fast = self._whole_message(bytes(buf[pos:end]))
                    if fast is not None:
                        out.append(fast)
                        pos = end + 4
                        continue
            nl = buf.find(b"\n", pos)
            if self._skip_line:
                if nl < 0:
                    pos = n
                    break
                self._skip_line = False
                pos = nl + 1
                continue
            if nl < 0:
                if n - pos > self.max_line_bytes + 1:  # +1: a CR may still precede the LF
                    self._oversized_line(pos, bytes(buf[pos : pos + sample_len]))
                    self._skip_line = True
                    pos = n
                break
            end = nl
            if end > pos and buf[end - 1] == 0x0D:  # CR
                end -= 1
            if end - pos > self.max_line_bytes:
                self._oversized_line(pos, bytes(buf[pos : pos + sample_len]))
                pos = nl + 1
                continue
            line_start = self._buf_offset + pos
            line = bytes(buf[pos:end])
            line_len = nl + 1 - pos
            pos = nl + 1
            msg = self._line(line, line_start, line_len)
            if msg is not None:
                out.append(msg)
        del buf[:pos]
        self._buf_offset += pos
        return out

    def take_issues(self) -> list[ProtocolIssue]:
        issues, self._issues = self._issues, []
        return issues

    @property
    def pending_bytes(self) -> int:
        """Bytes of an unfinished line or message still waiting for more input."""
        return len(self._buf) + (self._msg.size if self._msg.start >= 0 else 0)

    def close(self) -> list[ProtocolIssue]:
        """End of stream: report an unfinished message (it is not emitted) and reset."""
        if self._msg.start >= 0 or self._buf:
            start = self._msg.start if self._msg.start >= 0 else self._buf_offset
            keys = ",".join(k for k, _ in self._msg.headers[:5])
            self._issue(
                TRUNCATED_MESSAGE,
                start,
                f"stream ended inside a message ({self.pending_bytes} bytes; headers: {keys})",
                bytes(self._buf[:64]),
            )
        self._buf.clear()
        self._msg = _Partial()
        self._skip_line = False
        return self.take_issues()

    # -- internals ------------------------------------------------------------------------------
    def _issue(self, kind: str, offset: int, detail: str, sample: bytes = b"") -> None:
        self._issues.append(ProtocolIssue(kind, offset, detail, self._emitted, sample))
        self.issue_counts[kind] = self.issue_counts.get(kind, 0) + 1

    def _oversized_line(self, pos: int, sample: bytes) -> None:
        self._issue(
            OVERSIZED_LINE,
            self._buf_offset + pos,
            f"header line longer than {self.max_line_bytes} bytes dropped",
            sample,
        )

    def _whole_message(self, block: bytes) -> AmiMessage | None:
        """Parse a complete message block, or None when anything needs the careful line path
        (limits, bare LF, bad UTF-8, a line without ':' such as the banner). The result is the
        same as the line path's, so splitting the stream anywhere changes nothing."""
        if not block or len(block) + 2 > self.max_message_bytes:
            return None
        if block.count(b"\n") != block.count(b"\r\n"):
            return None
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            return None
        lines = text.split("\r\n")
        if len(lines) > self.max_headers:
            return None
        headers: list[tuple[str, str]] = []
        limit = self.max_line_bytes
        for line in lines:
            colon = line.find(":")
            if colon <= 0 or (len(line) > limit // 4 and len(line.encode("utf-8")) > limit):
                return None
            value = line[colon + 1 :]
            headers.append((line[:colon], value[1:] if value.startswith(" ") else value))
        self._expect_banner = False
        self._emitted += 1
        return AmiMessage(tuple(headers))

    def _line(self, line: bytes, offset: int, length: int) -> AmiMessage | None:
        msg = self._msg
        if not line:
            if msg.start < 0:
                return None  # stray blank line between messages
            headers, discarding = msg.headers, msg.discarding
            self._msg = _Partial()
            if discarding or not headers:
                return None
            self._emitted += 1
            return AmiMessage(tuple(headers))
        if msg.start < 0:
            msg.start = offset
        msg.size += length
        if msg.discarding:
            return None
        if msg.size > self.max_message_bytes:
            self._issue(
                OVERSIZED_MESSAGE,
                msg.start,
                f"message longer than {self.max_message_bytes} bytes skipped",
                line[:64],
            )
            msg.discarding = True
            return None
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = line.decode("utf-8", errors="replace")
            self._issue(INVALID_UTF8, offset, f"non-UTF-8 bytes replaced: {exc.reason}", line[:64])
        colon = text.find(":")
        if colon <= 0:
            if self._expect_banner and not msg.headers and text.startswith(BANNER_PREFIX):
                self.banner = text
                self._expect_banner = False
                self._msg = _Partial()
                return None
            self._issue(MALFORMED_LINE, offset, "line without 'Key: value' dropped", line[:64])
            if not msg.headers:
                # nothing kept yet: do not let a junk line open a message on its own
                msg.start = -1
                msg.size = 0
            return None
        self._expect_banner = False
        if len(msg.headers) >= self.max_headers:
            self._issue(
                TOO_MANY_HEADERS,
                msg.start,
                f"message with more than {self.max_headers} headers skipped",
                line[:64],
            )
            msg.discarding = True
            return None
        value = text[colon + 1 :]
        if value.startswith(" "):
            value = value[1:]
        msg.headers.append((text[:colon], value))
        return None


def parse_message_text(raw: str) -> AmiMessage:
    """Parse one complete message given as text (e.g. a ``.jsonl`` ``raw`` field)."""
    parser = AmiStreamParser(expect_banner=False)
    data = raw.encode("utf-8")
    if not data.endswith(b"\r\n\r\n"):
        data += b"\r\n\r\n"
    messages = parser.feed(data)
    if len(messages) != 1:
        raise ValueError(f"expected one AMI message, got {len(messages)}")
    return messages[0]


def iter_messages(data: bytes, **limits: int) -> Iterator[AmiMessage | ProtocolIssue]:
    """Parse a whole recorded stream; yields messages, then issues (incl. truncation)."""
    parser = AmiStreamParser(**limits)  # type: ignore[arg-type]
    yield from parser.feed(data)
    yield from parser.take_issues()
    yield from parser.close()


# -- encoder -------------------------------------------------------------------------------------
def _check(text: str, what: str) -> str:
    if "\r" in text or "\n" in text:
        raise ValueError(f"AMI {what} must not contain CR or LF: {text!r}")
    return text


def encode_message(headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> bytes:
    """Encode header pairs as one AMI message (CRLF lines + blank line).

    Raises ``ValueError`` for a key with ``:`` or any CR/LF (header injection).
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    lines: list[str] = []
    for key, value in pairs:
        if not key or ":" in key:
            raise ValueError(f"invalid AMI key: {key!r}")
        lines.append(f"{_check(key, 'key')}: {_check(str(value), 'value')}\r\n")
    if not lines:
        raise ValueError("an AMI message needs at least one header")
    return ("".join(lines) + "\r\n").encode("utf-8")


def encode_action(
    action: str,
    action_id: str | None = None,
    fields: Iterable[tuple[str, str]] | Mapping[str, str] = (),
) -> bytes:
    pairs: list[tuple[str, str]] = [("Action", action)]
    if action_id is not None:
        pairs.append(("ActionID", action_id))
    pairs.extend(fields.items() if isinstance(fields, Mapping) else fields)
    return encode_message(pairs)


def encode_event(
    event: str,
    fields: Iterable[tuple[str, str]] | Mapping[str, str] = (),
    privilege: str | None = "call,all",
) -> bytes:
    pairs: list[tuple[str, str]] = [("Event", event)]
    if privilege is not None:
        pairs.append(("Privilege", privilege))
    pairs.extend(fields.items() if isinstance(fields, Mapping) else fields)
    return encode_message(pairs)


def encode_response(
    status: str,
    action_id: str | None = None,
    fields: Iterable[tuple[str, str]] | Mapping[str, str] = (),
) -> bytes:
    pairs: list[tuple[str, str]] = [("Response", status)]
    if action_id is not None:
        pairs.append(("ActionID", action_id))
    pairs.extend(fields.items() if isinstance(fields, Mapping) else fields)
    return encode_message(pairs)
