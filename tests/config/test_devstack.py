"""`make run` on a laptop with no Redis and no database server: one command, three processes."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.read()


def test_devstack_runs_redis_worker_and_web_and_stops_them_all(tmp_path):
    var_dir = tmp_path / "v"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DATABASE_URL", "MAILBAG_VAR_DIR", "PORT"}
    }
    port = free_port()
    env.update(DJANGO_DEBUG="1", MAILBAG_VAR_DIR=str(var_dir), PORT=str(port))
    for command in (["migrate", "-v0"], ["seed_demo"], ["ensure_host"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=120
        )

    stack = subprocess.Popen(
        [sys.executable, "-m", "config.devstack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, body = get(f"http://127.0.0.1:{port}/healthz")
                health = json.loads(body)
                if health.get("workers") == 1:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert health == {"database": "ok", "redis": "ok", "workers": 1, "queued": 0}
        assert (var_dir / "redis" / "redis.sock").exists()
        assert get(f"http://127.0.0.1:{port}/")[0] == 200
        status, page = get(f"http://127.0.0.1:{port}/ask/2024-recap/")
        assert status == 200
        assert b"2024 Recap" in page
        children = psutil.Process(stack.pid).children(recursive=True)
        names = " ".join(" ".join(child.cmdline()) for child in children)
        assert "redis-server" in names and "rqworker" in names and "runserver" in names
    finally:
        stack.send_signal(signal.SIGINT)  # what Ctrl-C does
        output = stack.communicate(timeout=60)[0].decode()

    assert stack.returncode == 0, output
    assert all(
        not child.is_running() or child.status() == psutil.STATUS_ZOMBIE for child in children
    )
    # Every line is prefixed with the process it came from.
    prefixes = {line.split("|")[0].strip() for line in output.splitlines() if "|" in line}
    assert {"redis", "worker", "web"} <= prefixes
