"""Running audio_probe in a child process that a slow or crafted file cannot outlive.

FFmpeg decodes in C, where audio_probe's deadline is only looked at between packets: one
demuxer call can run for as long as the file makes it (a WAV padded with zero bytes is walked
a few bytes at a time, about a second per megabyte). So the web process never decodes an
upload itself. A fresh interpreter (`python -m intake.audio_sandbox`) probes the file under a
CPU-time limit that the kernel enforces even if its parent is killed, and the parent kills it
at the wall-clock deadline. Request and answer are one line of JSON each (stdin, stdout).
A fresh interpreter costs about 0.3 s; a forked one would share the web worker's threads and
locks, which is not safe under gunicorn's threaded workers.
"""

import json
import logging
import math
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from intake.audio import AudioInfo, AudioRejected, audio_probe, audio_rejection

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The child answers "too slow" itself a little before the parent's deadline when FFmpeg lets
# it, so the listener gets the same message either way.
_CHILD_HEADSTART_SECONDS = 0.3
# Signals that mean the child hit one of its limits rather than crashed.
_LIMIT_SIGNALS = {-signal.SIGXCPU, -signal.SIGKILL}


def audio_probe_isolated(
    *, path: Path, max_seconds: float, grace_seconds: float, timeout_seconds: float
) -> AudioInfo:
    """audio_probe() on the file at `path`, in a child process bounded by `timeout_seconds`.

    Raises AudioRejected like audio_probe, with code "too_slow" when the budget runs out.
    """
    deadline = time.monotonic() + timeout_seconds
    request = {
        "path": str(path),
        "max_seconds": max_seconds,
        "grace_seconds": grace_seconds,
        # CLOCK_MONOTONIC is the same clock in every process of the machine.
        "deadline": deadline - _CHILD_HEADSTART_SECONDS,
        "cpu_seconds": math.ceil(timeout_seconds),
    }
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "intake.audio_sandbox"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            timeout=max(0.1, deadline - time.monotonic()),
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has killed (SIGKILL) and reaped the child already.
        raise audio_rejection(code="too_slow") from None
    return _answer(finished)


def _answer(finished: subprocess.CompletedProcess) -> AudioInfo:
    if finished.returncode in _LIMIT_SIGNALS:
        raise audio_rejection(code="too_slow")
    try:
        answer = json.loads(finished.stdout)
    except ValueError:
        # A crash inside FFmpeg (or a bug here): the file is not accepted, and we hear of it.
        logger.error(
            "Audio check process ended with %s and no answer: %s",
            finished.returncode,
            finished.stderr[-2000:],
        )
        raise audio_rejection(code="unreadable") from None
    if "rejected" in answer:
        raise AudioRejected(answer["rejected"]["message"], code=answer["rejected"]["code"])
    return AudioInfo(**answer["accepted"])


def _child_limits(*, cpu_seconds: int) -> None:
    # SIGXCPU at the soft limit, SIGKILL a second later: the kernel stops a spinning decoder
    # even when the web worker that started it was killed and nobody is waiting any more.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # The probe only reads: a crafted file gets no way to write one.
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _child_main() -> None:
    request = json.loads(sys.stdin.readline())
    _child_limits(cpu_seconds=request["cpu_seconds"])
    try:
        with open(request["path"], "rb") as source:
            info = audio_probe(
                source=source,
                max_seconds=request["max_seconds"],
                grace_seconds=request["grace_seconds"],
                timeout_seconds=max(0.01, request["deadline"] - time.monotonic()),
            )
    except AudioRejected as rejected:
        answer = {"rejected": {"code": rejected.code, "message": rejected.messages[0]}}
    else:
        answer = {
            "accepted": {
                "container": info.container,
                "codec": info.codec,
                "seconds": info.seconds,
                "sample_rate": info.sample_rate,
                "channels": info.channels,
            }
        }
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    _child_main()
