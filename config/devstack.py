"""`make run`: set Mailbag up, then run Redis, one transcription worker and the web server.

Set-up comes first (migrations, the demo episode, a host account), then the three processes,
each line of their output prefixed with its name. Once the web server accepts connections and
the worker has loaded its models, a banner says where to go and how to log in: it is the last
thing printed, so it does not scroll away. Ctrl-C at any moment, or any process dying, stops
everything: web first, then the worker (it finishes or re-queues its job), Redis last.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
COLOURS = {"redis": "\033[31m", "worker": "\033[33m", "web": "\033[36m", "setup": "\033[35m"}
BOLD, RESET = "\033[1m", "\033[0m"
SETUP_COMMANDS = (["migrate", "--noinput"], ["seed_demo"])
STOP_TIMEOUT_SECONDS = 15
# After this long without the worker saying it is ready, show the banner anyway.
READY_TIMEOUT_SECONDS = 180
# Kept in step with intake.worker.READY_MESSAGE (not imported: this runs before Django).
WORKER_READY = "ready for jobs"
# Lines that only alarm a laptop user: the embedded Redis's advice to change a kernel setting
# (harmless for a development store) and runserver's own Ctrl-C hint (ours stops everything).
QUIET = {
    "redis": ("Memory overcommit must be enabled",),
    "web": ("Quit the server with CONTROL-C",),
}
_print_lock = threading.Lock()


def say(name: str, line: str) -> None:
    colour = COLOURS.get(name, "") if sys.stdout.isatty() else ""
    end = RESET if colour else ""
    with _print_lock:
        print(f"{colour}{name:>6} |{end} {line}", flush=True)


def _pump(name: str, stream, on_line: Callable[[str], None] | None = None) -> None:
    quiet = QUIET.get(name, ())
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip()
        if on_line is not None:
            on_line(line)
        if not any(phrase in line for phrase in quiet):
            say(name, line)


def _spawn(
    name: str,
    command: list[str],
    env: dict[str, str],
    on_line: Callable[[str], None] | None = None,
) -> subprocess.Popen:
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own process group: Ctrl-C is handled once, by us
    )
    threading.Thread(target=_pump, args=(name, process.stdout, on_line), daemon=True).start()
    return process


def _terminate(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    # Web first, then the worker (finishes or re-queues its job), Redis last (saves data).
    for name in ("web", "worker", "redis"):
        if name in processes:
            _terminate(processes[name])


def _run_setup(
    command: list[str], env: dict[str, str], stopping: threading.Event, *, capture: bool = False
) -> tuple[int | None, str]:
    """Run one manage.py command; (exit code, captured stdout), or (None, "") when stopped."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=None if capture else subprocess.STDOUT,
        start_new_session=True,
    )
    captured: list[bytes] = []
    if capture:
        reader = threading.Thread(target=lambda: captured.append(process.stdout.read()))
    else:
        reader = threading.Thread(target=_pump, args=("setup", process.stdout))
    reader.daemon = True
    reader.start()
    while process.poll() is None:
        if stopping.wait(0.1):
            _terminate(process)
            return None, ""
    reader.join(timeout=5)
    return process.returncode, b"".join(captured).decode(errors="replace")


def _accepts_connections(port: str) -> bool:
    # A bare connect: runserver logs nothing for it, so the banner stays the last line.
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def _manage_command() -> str:
    python = Path(sys.executable)
    if python.is_relative_to(BASE_DIR):
        python = python.relative_to(BASE_DIR)
    return f"{python} manage.py"


def banner(*, port: str, login: dict, worker_ready: bool) -> str:
    from episodes.demo import DEMO_SLUG

    base = f"http://127.0.0.1:{port}"
    change = f"{_manage_command()} changepassword {login['username']}"
    if login.get("password"):
        who = [
            f"   Host login:      {login['username']} / {login['password']}"
            "   (new account: shown only this once)",
            f"                    change it with: {change}",
        ]
    else:
        who = [
            f"   Host login:      {login['username']} (password set earlier; forgot it? {change})"
        ]
    rule = "=" * 78
    lines = [
        rule,
        "  Mailbag is ready." if worker_ready else "  Mailbag is up; the worker is still loading.",
        f"   Listener page:   {base}/ask/{DEMO_SLUG}/",
        f"   Host dashboard:  {base}/host/",
        *who,
        "   Ctrl-C stops everything.",
        rule,
    ]
    if sys.stdout.isatty():
        lines = [f"{BOLD}{line}{RESET}" for line in lines]
    return "\n" + "\n".join(lines)


def main() -> int:
    stopping = threading.Event()

    def request_stop(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    port = env.get("PORT", "8000")
    processes: dict[str, subprocess.Popen] = {}
    login: dict = {}
    shown = False
    return_code = 0
    try:
        for command in SETUP_COMMANDS:
            code, _ = _run_setup(command, env, stopping)
            if code is None:
                return 130
            if code:
                say("setup", f"manage.py {' '.join(command)} failed (exit code {code})")
                return 1
        code, output = _run_setup(["ensure_host", "--json"], env, stopping, capture=True)
        if code is None:
            return 130
        if code:
            say("setup", f"manage.py ensure_host failed (exit code {code})")
            return 1
        login = json.loads(output.strip().splitlines()[-1])
        if login["password"]:
            say("setup", f"Created the host account {login['username']!r}; its password follows")

        from config import embedded_redis

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
            say("redis", f"embedded redis-server ready at {env['REDIS_URL']}")
        else:
            say("redis", "using REDIS_URL from the environment")

        worker_ready = threading.Event()
        python = sys.executable
        processes["worker"] = _spawn(
            "worker",
            [python, "manage.py", "rqworker", "transcription",
             "--worker-class", "intake.worker.TranscriptionWorker", "--with-scheduler"],
            env,
            on_line=lambda line: WORKER_READY in line and worker_ready.set(),
        )  # fmt: skip
        processes["web"] = _spawn(
            "web", [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], env
        )
        started = time.monotonic()
        while not stopping.wait(0.25):
            dead = [name for name, p in processes.items() if p.poll() is not None]
            if dead:
                say("stop", f"{', '.join(dead)} exited; stopping the rest")
                return_code = 1
                break
            waited = time.monotonic() - started > READY_TIMEOUT_SECONDS
            if not shown and (worker_ready.is_set() or waited) and _accepts_connections(port):
                with _print_lock:
                    print(banner(port=port, login=login, worker_ready=worker_ready.is_set()))
                    print(flush=True)
                shown = True
    finally:
        _stop(processes)
        if login.get("password") and not shown:
            # Stopped before the banner: the new password must not be lost with it.
            say("setup", f"Host login: {login['username']} / {login['password']}")
    return return_code


if __name__ == "__main__":
    sys.exit(main())
