"""Real child processes for tests: a transcription worker, a reader of their output."""

import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_worker(env: dict[str, str], *, burst: bool = False) -> subprocess.Popen:
    """`manage.py rqworker` with Mailbag's worker class, as `make run` and production start it."""
    command = [
        sys.executable, "manage.py", "rqworker", "transcription",
        "--worker-class", "intake.worker.TranscriptionWorker",
    ]  # fmt: skip
    if burst:
        command.append("--burst")
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


class Output:
    """Collects a process's output lines in a thread, so a test can wait for one."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream) -> None:
        for raw in iter(stream.readline, b""):
            with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, text: str, *, timeout: float) -> int:
        """Index of the first line containing `text`; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for index, line in enumerate(self.lines):
                    if text in line:
                        return index
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{text!r} not seen in {timeout} s:\n" + self.text())
                self._changed.wait(left)

    def text(self) -> str:
        with self._changed:
            return "\n".join(self.lines)
