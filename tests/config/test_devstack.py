"""`make run` on a laptop with no Redis and no database server: one command, three processes,
a banner saying where to go, and Ctrl-C stopping everything at any moment."""

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from config import devstack
from tests.processes import ROOT, Output

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
STOPPED_WITHIN_SECONDS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.read()


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """One migrated var/ for the module's runs (each `make run` migrates too; this is faster)."""
    folder = tmp_path_factory.mktemp("var")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env=laptop_env(folder, port=0),
        check=True,
        timeout=120,
    )
    return folder


def laptop_env(var_dir, *, port: int) -> dict[str, str]:
    """A laptop's environment: no REDIS_URL, no DATABASE_URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DATABASE_URL", "MAILBAG_VAR_DIR", "PORT"}
    }
    env.update(DJANGO_DEBUG="1", MAILBAG_VAR_DIR=str(var_dir), PORT=str(port))
    return env


class MakeRun:
    """`make run` in its own process group, as a terminal runs it; Ctrl-C goes to the group."""

    def __init__(self, var_dir) -> None:
        self.port = free_port()
        # -o install: the suite runs inside an installed venv; PY: the interpreter running it.
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", "install", "run", f"PY={sys.executable}"],
            cwd=ROOT,
            env=laptop_env(var_dir, port=self.port),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.output = Output(self.process)
        self.seen: dict[int, psutil.Process] = {}

    def watch(self, seconds: float) -> None:
        """Note every process the run starts (they leave the group, not the tree)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._note()
            time.sleep(0.05)

    def _note(self) -> None:
        try:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                self.seen.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            pass

    def ctrl_c(self) -> float:
        """Send SIGINT to the terminal's group; seconds until every process is gone."""
        self._note()
        started = time.monotonic()
        os.killpg(self.process.pid, signal.SIGINT)
        deadline = started + 30
        while time.monotonic() < deadline:
            alive = [p for p in self.seen.values() if _running(p)]
            if self.process.poll() is not None and not alive:
                return time.monotonic() - started
            time.sleep(0.05)
        left = [" ".join(p.cmdline()) for p in self.seen.values() if _running(p)]
        for p in self.seen.values():
            if _running(p):
                p.kill()
        self.process.kill()
        raise AssertionError(f"still running after 30 s: {left}\n{self.output.text()}")


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_make_run_starts_everything_prints_where_to_go_last_and_stops_on_ctrl_c(var_dir):
    run = MakeRun(var_dir)
    try:
        first_banner_line = run.output.wait_for("Mailbag is ready.", timeout=180)
        run.watch(1.5)  # anything printed after the banner would show up here
        lines = [line for line in run.output.lines[first_banner_line:] if line.strip()]
        banner = "\n".join(lines)
        base = f"http://127.0.0.1:{run.port}"
        assert f"Listener page:   {base}/ask/2024-recap/" in banner
        assert f"Host dashboard:  {base}/host/" in banner
        assert "Host login:      host" in banner
        assert "manage.py changepassword host" in banner
        assert lines[-1].startswith("=" * 20), "the banner is the last thing printed"

        status, body = get(f"{base}/healthz")
        assert (status, json.loads(body)) == (
            200,
            {"database": "ok", "redis": "ok", "workers": 1, "queued": 0},
        )
        assert (var_dir / "redis" / "redis.sock").exists()
        assert get(f"{base}/")[0] == 200
        status, page = get(f"{base}/ask/2024-recap/")
        assert status == 200 and b"2024 Recap" in page
        names = " ".join(" ".join(p.cmdline()) for p in run.seen.values() if _running(p))
        assert "redis-server" in names and "rqworker" in names and "runserver" in names
    finally:
        took = run.ctrl_c()

    assert took < STOPPED_WITHIN_SECONDS, run.output.text()
    output = run.output.text()
    assert "Traceback" not in output
    # Every line of the three processes is prefixed with its name.
    prefixes = {line.split("|")[0].strip() for line in output.splitlines() if "|" in line}
    assert {"setup", "redis", "worker", "web"} <= prefixes
    assert "Server initialized" in output  # Redis's own lines are kept...
    assert "overcommit" not in output  # ...but not its advice to change a kernel setting


@pytest.mark.parametrize("after_seconds", [1, 5])
def test_ctrl_c_while_starting_up_stops_every_process_quickly(var_dir, after_seconds):
    run = MakeRun(var_dir)
    run.watch(after_seconds)

    took = run.ctrl_c()

    assert took < STOPPED_WITHIN_SECONDS, run.output.text()


def test_a_new_host_password_is_printed_even_when_stopped_before_the_banner(tmp_path):
    env = laptop_env(tmp_path, port=free_port())
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    stack = subprocess.Popen(
        [sys.executable, "-m", "config.devstack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output = Output(stack)
    output.wait_for("Created the host account 'host'", timeout=60)
    stack.send_signal(signal.SIGINT)
    stack.wait(timeout=STOPPED_WITHIN_SECONDS)

    [login] = [line for line in output.lines if line.startswith(" setup | Host login: host / ")]
    assert len(login.split(" / ")[1]) >= 12


def test_the_overcommit_warning_is_dropped_and_every_other_line_kept(capsys):
    stream = io.BytesIO(
        b"1:M 29 Nov 2026 # Server initialized\n"
        b"1:M 29 Nov 2026 # WARNING Memory overcommit must be enabled! Without it, a background"
        b" save may fail. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf\n"
        b"1:M 29 Nov 2026 * Ready to accept connections\n"
    )

    devstack._pump("redis", stream)

    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        " redis | 1:M 29 Nov 2026 # Server initialized",
        " redis | 1:M 29 Nov 2026 * Ready to accept connections",
    ]


def test_banner_for_an_existing_account_says_how_to_set_a_password():
    text = devstack.banner(
        port="9000", login={"username": "ana", "password": None}, worker_ready=True
    )

    assert "http://127.0.0.1:9000/ask/2024-recap/" in text
    assert "http://127.0.0.1:9000/host/" in text
    assert "Host login:      ana (password set earlier;" in text
    assert "manage.py changepassword ana" in text
