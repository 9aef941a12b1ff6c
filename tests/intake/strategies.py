"""Hypothesis strategies for fuzzing the ask page: damaged recordings and hostile form posts.

Recordings start from the real fixtures in tests/fixtures/audio/ and are damaged the ways real
uploads are (cut short, bit rot, zero padding, a header from another format, garbage after a
valid header), because random bytes alone never get past FFmpeg's format detection. Form posts
are built as raw multipart bodies, so a field can carry bytes no browser would send (invalid
UTF-8, NUL, a duplicate, a part without a name) and any field can be missing.
"""

import hashlib
import random
import struct
from dataclasses import dataclass

from hypothesis import strategies as st

from tests.conftest import AUDIO


class Blob(bytes):
    """Bytes that a failing example prints as its size, digest and start, not megabytes;
    Hypothesis's @reproduce_failure line replays the whole of it."""

    def __repr__(self) -> str:
        digest = hashlib.sha256(self).hexdigest()[:12]
        return f"<{len(self)} bytes, sha256 {digest}..., starting {bytes(self[:64])!r}>"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))


FIXTURES = {path.name: path.read_bytes() for path in sorted(AUDIO.iterdir())}
# Container headers, indexes and codec set-up live in the first few KB: aim half the damage
# there, where a parser can be pushed onto a bad path, and half anywhere.
HEADER_BYTES = 4096
# Values that size and offset fields in container headers handle worst.
SIZE_WORDS = (0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)


def _position(draw, length: int) -> int:
    if length == 0:
        return 0
    near_header = st.integers(0, min(HEADER_BYTES, length) - 1)
    return draw(st.one_of(near_header, st.integers(0, length - 1)))


def _garbage(draw, size: int) -> bytes:
    # A seeded generator instead of st.binary: kilobytes of noise stay cheap to draw and shrink.
    return random.Random(draw(st.integers(0, 2**32 - 1))).randbytes(size)


@st.composite
def _bit_flips(draw, data: bytearray) -> bytearray:
    if not data:
        return data
    for _ in range(draw(st.integers(1, 16))):
        position = _position(draw, len(data))
        data[position] ^= 1 << draw(st.integers(0, 7))
    return data


@st.composite
def _size_word(draw, data: bytearray) -> bytearray:
    if len(data) < 4:
        return data
    position = _position(draw, max(len(data) - 4, 0))
    word = struct.pack(draw(st.sampled_from(("<I", ">I"))), draw(st.sampled_from(SIZE_WORDS)))
    data[position : position + 4] = word
    return data


@st.composite
def _truncation(draw, data: bytearray) -> bytearray:
    return data[: _position(draw, len(data))]


@st.composite
def _header_swap(draw, data: bytearray) -> bytearray:
    other = FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))]
    size = draw(st.sampled_from((4, 12, 16, 44, 64, 512, 4096)))
    return bytearray(other[:size]) + data[size:]


@st.composite
def _zero_padding(draw, data: bytearray) -> bytearray:
    zeros = bytes(draw(st.sampled_from((1, 7, 512, 4096, 65536))))
    position = draw(st.sampled_from((0, len(data), _position(draw, len(data)))))
    return data[:position] + zeros + data[position:]


@st.composite
def _garbage_after_header(draw, data: bytearray) -> bytearray:
    keep = draw(st.sampled_from((4, 32, 128, 1024, HEADER_BYTES, len(data) // 2)))
    return data[:keep] + _garbage(draw, draw(st.sampled_from((16, 1024, 20000))))


@st.composite
def _chunk_repeat(draw, data: bytearray) -> bytearray:
    start = _position(draw, len(data))
    chunk = data[start : start + draw(st.sampled_from((8, 256, 4096)))]
    at = _position(draw, len(data))
    return data[:at] + chunk * draw(st.integers(1, 4)) + data[at:]


MUTATIONS = (
    _bit_flips,
    _size_word,
    _truncation,
    _header_swap,
    _zero_padding,
    _garbage_after_header,
    _chunk_repeat,
)


@st.composite
def damaged_recordings(draw, max_mutations: int = 3) -> Blob:
    """A fixture recording with one to `max_mutations` kinds of damage applied in turn."""
    data = bytearray(FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))])
    for _ in range(draw(st.integers(1, max_mutations))):
        data = draw(draw(st.sampled_from(MUTATIONS))(data))
    return Blob(data)


# --- Form posts -----------------------------------------------------------------------------

BOUNDARY = "mailbag-fuzz-boundary-7c1f9a"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
# What a well-behaved browser sends for each field; most posts keep most of these, so that
# plenty of them get as far as the recording check and the database.
NORMAL = {
    "kind": b"question",
    "name": b"Sam",
    "email": b"sam@example.com",
    "text": b"What comes after pre-training?",
    "consent": b"on",
    "website": b"",
}
_CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("\x7f\u2028\ufeff")
_ODD_TEXT = st.text(st.characters(codec="utf-8") | _CONTROL, max_size=80)
_ODD_VALUES = st.one_of(
    _ODD_TEXT.map(str.encode),
    st.binary(max_size=64),  # mostly invalid UTF-8
    st.sampled_from(
        (
            b"\xff\xfe\x00q",
            b"\xc3\x28",  # a broken two-byte sequence
            b"\xed\xa0\x80",  # an encoded surrogate
            b"question\x00",
            b"QUESTION",
            b"other",
            b"off",
            b"false",
            b"@",
            b"a@b",
            b"sam@example.com\r\nBcc: x@example.com",
        )
    ),
    st.sampled_from((121, 5000, 5001, 20000, 300_000)).flatmap(
        lambda size: st.sampled_from((b"a" * size, "\u00e9".encode() * size, b"\x00" * size))
    ),
)


@st.composite
def field_value(draw, field: str) -> list[bytes]:
    """The values a post carries for `field`: none (missing), one, or a duplicate."""
    choice = draw(st.integers(0, 9))
    if choice < 5:
        return [NORMAL[field]]
    if choice == 5:
        return []
    if choice == 6:
        return [NORMAL[field], draw(_ODD_VALUES)]
    return [draw(_ODD_VALUES)]


@dataclass
class AudioPart:
    data: bytes
    filename: bytes
    content_type: bytes


FILENAMES = st.one_of(
    st.sampled_from(
        (b"question.webm", b"My Question.mp3", b"../../etc/passwd", b"", b"x.exe", b"a" * 300)
    ),
    st.binary(max_size=40).filter(lambda name: b'"' not in name and b"\r" not in name),
)
PART_TYPES = st.sampled_from(
    (b"audio/webm", b"application/octet-stream", b"text/plain", b"", b"audio/\xff")
)


@st.composite
def audio_parts(draw) -> AudioPart | None:
    # sampled_from, not a drawn integer: Hypothesis leans towards small integers, which left
    # few posts with a sound recording. Each recording is checked in a fresh child process.
    choice = draw(st.sampled_from(("sound", "damaged", "none", "scrap")))
    if choice == "none":
        return None
    if choice == "sound":
        data = FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))]
    elif choice == "damaged":
        data = draw(damaged_recordings(max_mutations=2))
    else:
        data = draw(st.sampled_from((b"", b"\x00", b"RIFF", b"OggS" + bytes(60))))
    return AudioPart(data=data, filename=draw(FILENAMES), content_type=draw(PART_TYPES))


def _part_header(name: bytes, extra: bytes = b"") -> bytes:
    return b'Content-Disposition: form-data; name="' + name + b'"' + extra + b"\r\n"


@st.composite
def ask_posts(draw) -> Blob:
    """A multipart body for the ask page: fields in any order, odd values, maybe a file."""
    parts: list[bytes] = []
    # A quarter of the posts are a browser's well-formed form, so that plenty of recordings
    # (sound or damaged) reach the check and the database, whatever the other fields drew.
    well_formed = draw(st.integers(0, 3)) == 0
    for field in NORMAL:
        values = [NORMAL[field]] if well_formed else draw(field_value(field))
        for value in values:
            parts.append(_part_header(field.encode()) + b"\r\n" + value)
    if draw(st.integers(0, 9)) == 0:  # a field nobody asked for, or a part with no name
        parts.append(
            draw(
                st.sampled_from(
                    (
                        _part_header(b"unknown") + b"\r\nvalue",
                        _part_header(b"\xff\xfe") + b"\r\nvalue",
                        b"Content-Disposition: form-data\r\n\r\nno name",
                        _part_header(b"text")
                        + b"Content-Transfer-Encoding: base64\r\n\r\nV2hhdCBuZXh0Pw==",
                    )
                )
            )
        )
    audio = draw(audio_parts())
    if audio is not None:
        header = _part_header(b"audio", b'; filename="' + audio.filename + b'"')
        parts.append(header + b"Content-Type: " + audio.content_type + b"\r\n\r\n" + audio.data)
    parts = draw(st.permutations(parts))
    delimiter = b"--" + BOUNDARY.encode()
    body = b"".join(delimiter + b"\r\n" + part + b"\r\n" for part in parts) + delimiter + b"--\r\n"
    if draw(st.integers(0, 19)) == 0:  # the connection dropped: no closing boundary
        body = body[: draw(st.integers(0, len(body)))]
    return Blob(body)
