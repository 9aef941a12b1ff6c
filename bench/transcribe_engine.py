"""Benchmark the transcription engines on real speech (a script, not a test).

    .venv/bin/python bench/transcribe_engine.py [--quick] [--threads N] [--files N]
        [--audio-dir DIR | --shared]

Measures, for openai-whisper and faster-whisper with tiny.en:
- warm seconds and real-time factor for 10, 30, 60 and 180 s clips built from the fixtures,
- cold (fresh process: imports + load + transcribe) against warm, and peak RSS of that process,
- a warm engine working through a queue of 30 s files against one process per file, which is
  what calling the `whisper` command line per upload costs.

Reads the audio fixtures from tests/fixtures/audio (`--shared`: the shared fixtures folder
beside the project, as located by tests/shared_fixtures.py; `--audio-dir`: any folder holding
the same file names); writes only to a temporary directory it removes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
AUDIO = REPO / "tests" / "fixtures" / "audio"
SOURCES = ["jfk.flac", "q_pretraining.webm", "q_selfplay.webm", "q_scaling.webm"]
CLIP_SECONDS = [10, 30, 60, 180]
ENGINES = ["openai-whisper", "faster-whisper"]
MODEL = "tiny.en"
RATE = 16000

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# --- child processes --------------------------------------------------------------------------

# Runs in a fresh interpreter: imports, loads the engine, transcribes one clip, reports.
_COLD_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import numpy as np
from intake.transcription import load_engine
engine_name, clip, cache, threads = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
audio = np.load(clip)
t1 = time.perf_counter()
engine = load_engine(engine=engine_name, model="tiny.en", cache_dir=cache, threads=threads)
t2 = time.perf_counter()
result = engine.transcribe(audio)
t3 = time.perf_counter()
status = open("/proc/self/status").read()
hwm = int(status.split("VmHWM:")[1].split()[0])
print(json.dumps({
    "import": t1 - t0, "load": t2 - t1, "transcribe": t3 - t2,
    "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "hwm_kib": hwm,
    "words": len(result.text.split()),
}))
"""

# What `whisper FILE --model checkpoint.pt` does per file, minus the ffmpeg binary it needs:
# a new interpreter, import torch + whisper, load the checkpoint, transcribe, exit. Decoding
# options match the warm engine's greedy pass so only the per-process cost differs.
_PER_FILE_CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
import torch, whisper
from intake.transcription.decode import decode_audio
torch.set_num_threads(int(sys.argv[4]))
model = whisper.load_model(sys.argv[2], device="cpu")
out = whisper.transcribe(model, decode_audio(sys.argv[3]), fp16=False, language="en",
                         temperature=0.0, condition_on_previous_text=False, verbose=None)
print(len(out["text"].split()))
"""


# --- helpers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warm:
    seconds: float
    words: int


def add_audio_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--audio-dir", type=Path, default=AUDIO, help=f"default {AUDIO}")
    group.add_argument(
        "--shared", action="store_true", help="the recordings in the shared fixtures folder"
    )


def audio_dir(args: argparse.Namespace) -> Path:
    """The folder `add_audio_options` chose; exits with a message if a recording is missing."""
    folder = args.audio_dir
    if args.shared:
        from tests.shared_fixtures import SHARED_DIR

        folder = SHARED_DIR / "fixtures" / "audio"
    missing = [name for name in SOURCES if not (folder / name).is_file()]
    if missing:
        sys.exit(f"Missing recordings in {folder}: {', '.join(missing)}")
    return folder


def build_speech(seconds: int, audio: Path = AUDIO) -> np.ndarray:
    from intake.transcription import decode_audio

    gap = np.zeros(RATE // 2, dtype=np.float32)
    pieces = [part for name in SOURCES for part in (decode_audio(audio / name), gap)]
    one_pass = np.concatenate(pieces)
    repeats = -(-seconds * RATE // len(one_pass))
    return np.tile(one_pass, repeats)[: seconds * RATE]


def write_wav(path: Path, samples: np.ndarray) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())


def timed_warm(engine: object, audio: np.ndarray, repeats: int) -> Warm:
    runs = [engine.transcribe(audio) for _ in range(repeats)]  # type: ignore[attr-defined]
    return Warm(seconds=statistics.median(r.seconds for r in runs), words=len(runs[0].text.split()))


def run_child(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed snippets
        [sys.executable, "-c", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1]


def whisper_cli_works(checkpoint: Path, wav: Path, workdir: Path) -> tuple[bool, str]:
    """Try the real command line once; it accepts a checkpoint path but needs ffmpeg."""
    cli = Path(sys.executable).with_name("whisper")
    out_dir = workdir / "cli-out"
    done = subprocess.run(  # noqa: S603
        [
            str(cli), str(wav), "--model", str(checkpoint), "--model_dir", str(workdir),
            "--fp16", "False", "--language", "en", "--output_dir", str(out_dir),
            "--output_format", "txt", "--verbose", "False",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    produced = (out_dir / f"{wav.stem}.txt").is_file()
    tail = (done.stderr.strip().splitlines() or [""])[-1]
    return produced, tail


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    body = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "  ".join("-" * w for w in widths), *body])


# --- the benchmark ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 queue files instead of 20")
    parser.add_argument("--files", type=int, default=None, help="queue files (default 20)")
    # Same default as WHISPER_THREADS: half the cores (2 threads on 2 cores ran slower than 1).
    parser.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    add_audio_options(parser)
    args = parser.parse_args()
    audio = audio_dir(args)
    n_files = args.files or (5 if args.quick else 20)
    threads = args.threads

    import ctranslate2
    import faster_whisper
    import torch

    from intake.transcription import decode_audio, get_engine, resolve_model

    work = Path(tempfile.mkdtemp(prefix="mailbag-bench-"))
    try:
        cache = work / "cache"
        print(
            f"machine: {os.cpu_count()} cores, {platform.python_version()}, threads={threads}, "
            f"load avg {os.getloadavg()[0]:.2f} (other work on the box skews timings)"
        )
        print(
            f"versions: torch {torch.__version__}, ctranslate2 {ctranslate2.__version__}, "
            f"faster-whisper {faster_whisper.__version__}, model {MODEL}"
        )
        started = time.perf_counter()
        checkpoint = resolve_model(engine="openai-whisper", model=MODEL, cache_dir=cache).path
        print(
            f"one-time CTranslate2 -> openai-whisper conversion: "
            f"{time.perf_counter() - started:.2f} s ({checkpoint.stat().st_size / 2**20:.0f} MiB)"
        )

        print(f"recordings: {audio}")
        clips = {s: build_speech(s, audio) for s in CLIP_SECONDS}

        # Cold runs first, while this parent is still small: Linux keeps ru_maxrss across
        # fork+exec, so a child forked from a big parent would report the parent's peak.
        clip_path = work / "clip60.npy"
        np.save(clip_path, clips[60])
        parent_rss_at_fork = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cold = {}
        for name in ENGINES:
            wall, line = run_child(
                [_COLD_CHILD, str(REPO), name, str(clip_path), str(cache), str(threads)]
            )
            cold[name] = (wall, json.loads(line))

        warm: dict[str, dict[int, Warm]] = {}
        for name in ENGINES:
            engine = get_engine(engine=name, model=MODEL, cache_dir=cache, threads=threads)
            engine.transcribe(clips[10])  # first call pays one-off allocations
            warm[name] = {s: timed_warm(engine, clips[s], 3 if s <= 30 else 1) for s in clips}

        rows = []
        for s in CLIP_SECONDS:
            o, f = warm["openai-whisper"][s], warm["faster-whisper"][s]
            rows.append(
                [
                    f"{s} s",
                    f"{o.seconds:.2f}",
                    f"{o.seconds / s:.3f}",
                    f"{o.words}",
                    f"{f.seconds:.2f}",
                    f"{f.seconds / s:.3f}",
                    f"{f.words}",
                    f"{o.seconds / f.seconds:.2f}x",
                ]
            )
        print("\n## Warm engine, one clip (median of 3 for <= 30 s); RTF = seconds / audio")
        print(
            table(
                [
                    "clip", "openai s", "openai RTF", "words",
                    "faster s", "faster RTF", "words", "openai/faster",
                ],
                rows,
            )
        )  # fmt: skip

        rows = []
        for name in ENGINES:
            wall, child = cold[name]
            warm60 = warm[name][60].seconds
            rows.append(
                [
                    name,
                    f"{wall:.2f}",
                    f"{child['import']:.2f}",
                    f"{child['load']:.2f}",
                    f"{child['transcribe']:.2f}",
                    f"{warm60:.2f}",
                    f"{wall / warm60:.2f}x",
                    f"{child['hwm_kib'] / 1024:.0f}",
                    f"{child['maxrss_kib'] / 1024:.0f}",
                ]
            )
        print("\n## Cold (new process: start + imports + load + transcribe 60 s) vs warm 60 s")
        print(
            "peak RSS = the child's VmHWM; ru_maxrss as the child read it (the parent's peak at "
            f"fork was {parent_rss_at_fork:.0f} MiB)."
        )
        print(
            table(
                [
                    "engine", "cold wall s", "startup", "lib import+load", "transcribe",
                    "warm s", "cold/warm", "peak RSS MiB", "ru_maxrss MiB",
                ],
                rows,
            )
        )  # fmt: skip

        # 3. warm queue vs one process per file
        queue_dir = work / "queue"
        queue_dir.mkdir()
        material = clips[180]
        files = []
        for i in range(n_files):
            start = (i * 7 * RATE) % (len(material) - 30 * RATE)
            path = queue_dir / f"q{i:02d}.wav"
            write_wav(path, material[start : start + 30 * RATE])
            files.append(path)

        queue_rows = []
        for name in ENGINES:
            engine = get_engine(engine=name, model=MODEL, cache_dir=cache, threads=threads)
            started = time.perf_counter()
            for path in files:
                engine.transcribe(decode_audio(path))
            total = time.perf_counter() - started
            queue_rows.append([f"warm {name} (decode + transcribe)", total])

        cli_ok, cli_tail = whisper_cli_works(checkpoint, files[0], work)
        if cli_ok:
            how = "`whisper FILE --model <converted .pt>` per file"
            cmd_for = lambda p: [  # noqa: E731
                str(Path(sys.executable).with_name("whisper")), str(p), "--model",
                str(checkpoint), "--model_dir", str(work), "--fp16", "False", "--language",
                "en", "--output_dir", str(work / "cli-out"), "--output_format", "txt",
                "--threads", str(threads),
            ]  # fmt: skip
        else:
            how = "one `python -c` per file: whisper.load_model(<converted .pt>) + transcribe"
            cmd_for = lambda p: [  # noqa: E731
                sys.executable, "-c", _PER_FILE_CHILD, str(REPO), str(checkpoint), str(p),
                str(threads),
            ]  # fmt: skip
        started = time.perf_counter()
        for path in files:
            subprocess.run(cmd_for(path), capture_output=True, check=True, timeout=600)  # noqa: S603
        per_file_total = time.perf_counter() - started
        label = "CLI" if cli_ok else "python -c"
        queue_rows.append([f"per-file process ({label})", per_file_total])

        print(f"\n## {n_files} files x 30 s: warm queue vs a new process per file")
        if not cli_ok:
            print(
                "note: the whisper CLI accepts a checkpoint path for --model, but it decodes "
                f"with the ffmpeg binary, which is not installed ({cli_tail!r});\n"
                f"      so the per-file cost is measured as {how}."
            )
        baseline = queue_rows[0][1]
        print(
            table(
                ["pipeline", "total s", "per file s", "x realtime", "vs warm openai"],
                [
                    [
                        label,
                        f"{total:.1f}",
                        f"{total / n_files:.2f}",
                        f"{n_files * 30 / total:.1f}",
                        f"{total / baseline:.2f}x",
                    ]
                    for label, total in queue_rows
                ],
            )
        )
        print(f"\nload avg at end {os.getloadavg()[0]:.2f}; parent peak RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
