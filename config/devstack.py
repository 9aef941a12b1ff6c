"""`make run`: Redis, one transcription worker and the web server under one command.

Each process's output is prefixed with its name; Ctrl-C (or any process dying) stops all.
"""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
COLOURS = {"redis": "\033[31m", "worker": "\033[33m", "web": "\033[36m"}
RESET = "\033[0m"
_print_lock = threading.Lock()


def _pump(name: str, stream) -> None:
    colour = COLOURS.get(name, "") if sys.stdout.isatty() else ""
    end = RESET if colour else ""
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip()
        with _print_lock:
            print(f"{colour}{name:>6} |{end} {line}", flush=True)


def _spawn(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own process group: Ctrl-C is handled once, by us
    )
    threading.Thread(target=_pump, args=(name, process.stdout), daemon=True).start()
    return process


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    # Web first, then the worker (finishes or re-queues its job), Redis last (saves data).
    for name in ("web", "worker", "redis"):
        process = processes.get(name)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main() -> int:
    from config import embedded_redis

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    port = env.get("PORT", "8000")
    processes: dict[str, subprocess.Popen] = {}
    stopping = threading.Event()

    def request_stop(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    try:
        if not env.get("REDIS_URL"):
            var_dir = Path(env.get("MAILBAG_VAR_DIR") or BASE_DIR / "var")
            redis_process, env["REDIS_URL"] = embedded_redis.start(
                directory=var_dir / "redis",
                persist=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            processes["redis"] = redis_process
            threading.Thread(
                target=_pump, args=("redis", redis_process.stdout), daemon=True
            ).start()
            print(f" redis | embedded redis-server ready at {env['REDIS_URL']}", flush=True)
        else:
            print(" redis | using REDIS_URL from the environment", flush=True)

        python = sys.executable
        processes["worker"] = _spawn(
            "worker",
            [python, "manage.py", "rqworker", "transcription",
             "--worker-class", "intake.worker.TranscriptionWorker", "--with-scheduler"],
            env,
        )  # fmt: skip
        processes["web"] = _spawn(
            "web", [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], env
        )
        print(f"   web | Mailbag on http://127.0.0.1:{port}/ (Ctrl-C stops everything)", flush=True)
        while not stopping.wait(0.5):
            dead = [name for name, p in processes.items() if p.poll() is not None]
            if dead:
                print(f"  stop | {', '.join(dead)} exited; stopping the rest", flush=True)
                return_code = 1
                break
        else:
            return_code = 0
    finally:
        _stop(processes)
    return return_code


if __name__ == "__main__":
    sys.exit(main())
