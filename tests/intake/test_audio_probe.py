"""intake.audio.audio_probe on real files: what it accepts, what it refuses and why."""

import io
import struct
import zlib

import av
import numpy as np
import pytest

from episodes.formatting import seconds_phrase
from intake.audio import AudioRejected, audio_probe
from tests.conftest import AUDIO
from tests.intake.crafted_audio import WriteOnly, two_audio_streams

JFK_SECONDS = 11.0


def probe(data: bytes, **kwargs):
    kwargs.setdefault("max_seconds", 90)
    kwargs.setdefault("timeout_seconds", 10)
    return audio_probe(source=io.BytesIO(data), **kwargs)


def rejection(data: bytes, **kwargs) -> AudioRejected:
    with pytest.raises(AudioRejected) as caught:
        probe(data, **kwargs)
    return caught.value


def png_bytes() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def video_without_audio() -> bytes:
    """A real MP4 with one mpeg4 video stream and no audio stream."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        stream = output.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(20):
            image = np.full((48, 64, 3), index * 10, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()


def opus_noise(seconds: float, *, format: str = "ogg") -> bytes:
    """Opus noise in Ogg, or in WebM without a stated duration, as MediaRecorder writes it."""
    sink = io.BytesIO() if format == "ogg" else WriteOnly()
    with av.open(sink, "w", format=format) as output:
        stream = output.add_stream("libopus", rate=48000, layout="mono")
        rng = np.random.default_rng(0)
        for index in range(int(seconds * 50)):
            samples = (rng.standard_normal((1, 960)) * 3000).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
            frame.sample_rate, frame.pts = 48000, index * 960
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return sink.getvalue() if format == "ogg" else sink.buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "container", "codec"),
    [
        ("jfk.webm", "webm", "opus"),
        ("jfk.mp3", "mp3", "mp3float"),
        ("jfk.m4a", "m4a", "aac"),
        ("jfk.wav", "wav", "pcm_s16le"),
        ("jfk.flac", "flac", "flac"),
    ],
)
def test_accepts_each_fixture_format_and_measures_its_real_length(name, container, codec):
    info = probe((AUDIO / name).read_bytes())
    assert (info.container, info.codec) == (container, codec)
    assert info.seconds == pytest.approx(JFK_SECONDS, abs=0.05)
    assert info.extension == container


def test_accepts_ogg_opus():
    info = probe(opus_noise(3.0))
    assert info.container == "ogg"
    assert info.codec == "opus"
    assert info.seconds == pytest.approx(3.0, abs=0.05)


def test_accepts_raw_aac():
    # ADTS AAC, as some Android recorders save it: re-encode the m4a fixture's sound.
    buffer = io.BytesIO()
    with (
        av.open(io.BytesIO((AUDIO / "jfk.m4a").read_bytes())) as source,
        av.open(buffer, "w", format="adts") as output,
    ):
        stream = output.add_stream("aac", rate=44100, layout="stereo")
        for frame in source.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    info = probe(buffer.getvalue())
    assert (info.container, info.codec) == ("aac", "aac")
    assert info.seconds == pytest.approx(11.0, abs=0.1)


def test_the_name_and_declared_type_play_no_part():
    # The same bytes are judged the same however a client labels them: the probe never sees
    # a name, and a misleading one (a file object's .name) is hidden from FFmpeg.
    handle = io.BytesIO((AUDIO / "jfk.webm").read_bytes())
    handle.name = "holiday-photo.png"
    info = audio_probe(source=handle, max_seconds=90, timeout_seconds=10)
    assert info.container == "webm"


def test_empty_file():
    error = rejection(b"")
    assert error.code == "empty"
    assert error.messages == ["This file is empty. Please choose a recording to upload."]


def test_text_file_is_unreadable():
    error = rejection(b"Dear hosts, this is not a recording.\n" * 40)
    assert error.code == "unreadable"
    assert "couldn't read this file as audio" in error.messages[0]


def test_png_is_not_an_accepted_format():
    error = rejection(png_bytes())
    assert error.code == "unsupported"
    assert error.messages == [
        "This file is not one of the audio formats we accept (webm, ogg, mp3, m4a, wav or flac)."
    ]


def test_truncated_webm_is_refused_as_incomplete():
    error = rejection((AUDIO / "jfk.webm").read_bytes()[:2048])
    assert error.code == "truncated"
    assert error.messages[0].startswith("This recording is incomplete: it stops after 0.")
    assert "of its 11 seconds" in error.messages[0]


def test_webm_cut_inside_its_header_is_unreadable():
    assert rejection((AUDIO / "jfk.webm").read_bytes()[:400]).code == "unreadable"


def test_video_without_audio_stream():
    error = rejection(video_without_audio())
    assert error.code == "no_audio"
    assert error.messages == [
        "This file has no sound in it (no audio track). Please upload a voice recording."
    ]


@pytest.mark.parametrize("name", ["jfk.wav", "jfk.webm", "jfk.mp3"])
def test_over_the_length_cap(name):
    error = rejection((AUDIO / name).read_bytes(), max_seconds=5, grace_seconds=2)
    # WebM and MP3 state a length, so the message can name it; either way it names the cap.
    assert error.code == "too_long"
    assert error.messages == [
        "This recording is 11 seconds long; the limit for this episode is 5 seconds."
    ]


def test_a_second_audio_stream_is_refused():
    # Finding 3 of issue 12: the short default track was measured, the long first one
    # transcribed (and a player may play either).
    crafted = two_audio_streams(hidden_seconds=60, shown_seconds=3)
    assert rejection(crafted, max_seconds=10).code == "several_streams"


def test_over_the_length_cap_without_a_stated_length():
    # MediaRecorder's WebM states no duration: the cap still holds, the message can't say more.
    webm = opus_noise(8.0, format="webm")
    assert av.open(io.BytesIO(webm)).duration is None
    error = rejection(webm, max_seconds=5, grace_seconds=2)
    assert error.code == "too_long_unknown"
    assert error.messages == [
        "This recording is longer than 5 seconds, the limit for this episode."
    ]


def test_webm_without_a_stated_length_is_measured_by_decoding():
    assert probe(opus_noise(4.0, format="webm")).seconds == pytest.approx(4.0, abs=0.05)


def test_length_cap_allows_the_grace_period():
    info = probe((AUDIO / "jfk.wav").read_bytes(), max_seconds=10, grace_seconds=2)
    assert info.seconds == pytest.approx(11.0, abs=0.05)


def test_too_short():
    wav = (AUDIO / "jfk.wav").read_bytes()
    # 44-byte header + 0.5 s of 16 kHz mono 16-bit audio; the header's sizes don't matter
    # because WAV duration comes from what is actually there.
    error = rejection(wav[: 44 + 16000])
    assert error.code == "too_short"


def test_decode_budget_stops_a_slow_probe():
    error = rejection((AUDIO / "jfk.flac").read_bytes(), timeout_seconds=1e-6)
    assert error.code == "too_slow"
    assert error.messages == [
        "This file took too long to check. Please upload a shorter or simpler recording."
    ]


def test_decode_budget_is_checked_while_decoding():
    # A clock that jumps 1 s per reading: the open succeeds, the third packet is over budget.
    readings = iter(range(1000))
    error = rejection(
        (AUDIO / "jfk.flac").read_bytes(), timeout_seconds=2.5, clock=lambda: next(readings)
    )
    assert error.code == "too_slow"


def test_playlists_cannot_pull_in_other_files():
    concat = f"ffconcat version 1.0\nfile '{AUDIO / 'jfk.wav'}'\n".encode()
    assert rejection(concat).code in {"unreadable", "unsupported"}


def test_leaves_the_file_at_its_start():
    handle = io.BytesIO((AUDIO / "jfk.mp3").read_bytes())
    audio_probe(source=handle, max_seconds=90, timeout_seconds=10)
    assert handle.tell() == 0


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [(90, "90 seconds"), (1, "1 second"), (120, "2 minutes"), (5, "5 seconds")],
)
def test_seconds_phrase(seconds, phrase):
    assert seconds_phrase(seconds) == phrase
