"""Files an attacker would send (issue 12), made at test time from the JFK fixture."""

import io
import wave
from pathlib import Path

import av
import numpy as np

JFK_WAV = Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "jfk.wav"


def padded_wav(size: int) -> bytes:
    """jfk.wav followed by zero bytes up to `size`: FFmpeg's WAV demuxer walks the padding
    eight bytes at a time, about a second per megabyte, inside a single call."""
    data = JFK_WAV.read_bytes()
    return data + b"\0" * (size - len(data))


def jfk_samples() -> tuple[np.ndarray, int]:
    with wave.open(str(JFK_WAV)) as clip:
        rate = clip.getframerate()
        return np.frombuffer(clip.readframes(clip.getnframes()), dtype=np.int16), rate


def long_wav(seconds: float) -> bytes:
    """One audio stream: the JFK clip over and over for `seconds`."""
    samples, rate = jfk_samples()
    repeats = int(np.ceil(seconds * rate / samples.size))
    long = np.tile(samples, repeats)[: int(seconds * rate)]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(long.tobytes())
    return buffer.getvalue()


class WriteOnly:
    """An unseekable sink: the Matroska/WebM muxer cannot go back to write the duration, as
    with MediaRecorder's output."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def write(self, data: bytes) -> int:
        return self.buffer.write(data)


def two_audio_streams(*, hidden_seconds: float, shown_seconds: float) -> bytes:
    """Finding 3: Matroska (as MediaRecorder writes it: no stated duration) with two FLAC audio
    streams. The first, the one a decoder takes by default, is the JFK clip repeated for
    `hidden_seconds`; the second, a tone of `shown_seconds`, is flagged as the default track,
    so it is the one FFmpeg calls "best" (and a player plays)."""
    samples, rate = jfk_samples()
    hidden = np.tile(samples, int(np.ceil(hidden_seconds * rate / samples.size)))
    hidden = hidden[: int(hidden_seconds * rate)]
    tone = 3000 * np.sin(np.arange(int(shown_seconds * rate)) * 2 * np.pi * 440 / rate)
    sink = WriteOnly()
    with av.open(sink, "w", format="matroska") as output:
        streams = [output.add_stream("flac", rate=rate), output.add_stream("flac", rate=rate)]
        for stream in streams:
            stream.layout = "mono"
            stream.format = "s16"
        streams[0].disposition = av.stream.Disposition(0)
        streams[1].disposition = av.stream.Disposition.default
        for stream, pcm in zip(streams, (hidden, tone.astype(np.int16)), strict=True):
            for start in range(0, pcm.size, rate):
                frame = av.AudioFrame.from_ndarray(
                    pcm[start : start + rate].reshape(1, -1), format="s16", layout="mono"
                )
                frame.sample_rate = rate
                frame.pts = start
                for packet in stream.encode(frame):
                    output.mux(packet)
            for packet in stream.encode():
                output.mux(packet)
    return sink.buffer.getvalue()
