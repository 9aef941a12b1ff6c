"""Mailbag in production mode on loopback, for the benches that drive it over HTTP.

`stack_start()` prepares a database of its own (an SQLite file in a temporary folder, or a
PostgreSQL database it creates and later drops), an embedded Redis on a unix socket, the
production settings (DEBUG off, a throwaway secret key, ALLOWED_HOSTS 127.0.0.1, no HTTPS
redirect) with the per-client limits off, migrates, collects static files and creates one
episode; then gunicorn as deployed and, if asked, one transcription worker.
`Stack.close()` stops everything and removes what it made.
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from config import embedded_redis  # noqa: E402

PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
GUNICORN_CONFIG = PROJECT / "deploy" / "gunicorn.conf.py"
ESSAY = PROJECT / "tests" / "fixtures" / "essays" / "four-eras.md"
# The line the worker logs once its models are loaded (intake/worker.py READY_MESSAGE).
WORKER_READY = "ready for jobs"

# Opens a connection to the server with the given timeout (TLS, another host name...).
Connect = Callable[[float], http.client.HTTPConnection]


@contextmanager
def embedded_redis_env():
    """An embedded Redis for a bench run in this process, as REDIS_URL while it lasts: never a
    real Redis, so nothing a bench queues reaches anyone's worker."""
    directory = Path(tempfile.mkdtemp(prefix="mb-bench-redis-", dir="/tmp"))
    process, os.environ["REDIS_URL"] = embedded_redis.start(
        directory=directory, persist=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield os.environ["REDIS_URL"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def multipart(
    fields: dict[str, str], *, boundary: str, files: dict[str, tuple[str, bytes, str]] = ()
) -> bytes:
    """A multipart/form-data body as a browser's form sends it; files are (name, bytes, type)."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, data, content_type) in dict(files).items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def _connection(port: int, connect: Connect | None, timeout: float) -> http.client.HTTPConnection:
    if connect is not None:
        return connect(timeout)
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def csrf_credentials(
    port: int,
    path: str,
    *,
    connect: Connect | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[str, str]:
    """The CSRF cookie and form token a browser would get from GET `path`. The cookie is
    Secure in production, so a client on plain-HTTP loopback sends it back by hand.
    `connect` and `headers` reach a server other than plain HTTP on 127.0.0.1:`port`."""
    connection = _connection(port, connect, timeout)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    html = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


def wait_for_http(
    port: int,
    path: str,
    process: subprocess.Popen,
    timeout: float = 60,
    *,
    connect: Connect | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Until GET `path` answers 200; raises if `process` (the server) exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web server exited with code {process.returncode}")
        try:
            connection = _connection(port, connect, timeout=2)
            connection.request("GET", path, headers=headers or {})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the web server did not answer in time")


def processes_stop(processes: Iterable[subprocess.Popen], timeout: float = 30) -> None:
    """Terminate those still running, in the order given, then wait for each; one that takes
    longer than `timeout` is killed."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Stack:
    database: str
    workdir: Path
    env: dict[str, str]
    slug: str
    pg_name: str = ""
    port: int = 0
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def media(self) -> Path:
        return Path(self.env["MAILBAG_VAR_DIR"]) / "media"

    @property
    def uploads(self) -> Path:
        return Path(self.env["MAILBAG_VAR_DIR"]) / "uploads"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def sql(self, query: str) -> list[tuple]:
        """Rows of a read-only query, straight from the database (no Django in this process)."""
        if self.database == "sqlite":
            path = Path(self.env["MAILBAG_VAR_DIR"]) / "mailbag.sqlite3"
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as connection:
                return connection.execute(query).fetchall()
        output = subprocess.run(
            ["psql", *PG, "-d", self.pg_name, "-tAF", "\t", "-c", query],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [tuple(line.split("\t")) for line in output.splitlines() if line]

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def start_web(self, *options: str) -> None:
        """gunicorn as deployed (deploy/gunicorn.conf.py) on a free loopback port; `options`
        override the configuration (e.g. "--workers", "1")."""
        self.port = free_port()
        with self.log("web").open("ab") as log:
            self.processes["web"] = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application",
                    "-c", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{self.port}",
                    "--access-logfile", "/dev/null", *options,
                ],
                cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for_http(self.port, f"/ask/{self.slug}/", self.processes["web"])

    def start_worker(self, timeout: float = 180) -> None:
        log_path = self.log("worker")
        with log_path.open("ab") as log:
            self.processes["worker"] = subprocess.Popen(
                [
                    sys.executable, "manage.py", "rqworker", "transcription",
                    "--worker-class", "intake.worker.TranscriptionWorker", "--with-scheduler",
                ],
                # INFO: the line that says the models are loaded is an info message.
                cwd=PROJECT, env={**self.env, "LOG_LEVEL": "INFO"}, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while WORKER_READY not in log_path.read_text(errors="replace"):
            if self.processes["worker"].poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the worker did not start; its log ends:\n{tail}")
            time.sleep(0.5)

    def close(self) -> None:
        processes_stop(self.processes.values())
        if self.pg_name:
            subprocess.run(["dropdb", *PG, "--if-exists", self.pg_name], check=False)
        shutil.rmtree(self.workdir, ignore_errors=True)


def stack_start(
    *, database: str, pg_name: str = "mailbag_bench", slug: str = "bench-episode", **env: str
) -> Stack:
    """Everything but the processes: database, Redis, settings, one episode with topics.
    `env` adds or overrides environment variables for every process."""
    workdir = Path(tempfile.mkdtemp(prefix="mailbag-bench-"))
    stack = Stack(database=database, workdir=workdir, env=dict(os.environ), slug=slug)
    try:
        # Short: a unix socket path has a length limit.
        redis_dir = Path(tempfile.mkdtemp(prefix="mb-redis-", dir=workdir))
        stack.processes["redis"], redis_url = embedded_redis.start(
            directory=redis_dir, persist=False, stdout=subprocess.DEVNULL
        )
        if database == "postgres":
            stack.pg_name = pg_name
            subprocess.run(
                ["dropdb", *PG, "--if-exists", pg_name], check=True, stderr=subprocess.DEVNULL
            )
            subprocess.run(["createdb", *PG, pg_name], check=True)
            database_url = PG_URL.format(name=pg_name)
        else:
            database_url = f"sqlite:///{workdir / 'var' / 'mailbag.sqlite3'}"
        stack.env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            MAILBAG_VAR_DIR=str(workdir / "var"),
            STATIC_ROOT=str(workdir / "static"),
            # One client address sends everything: the per-client limits would stop the run.
            SUBMISSION_RATE_LIMIT="0",
            UPLOAD_REJECTION_LIMIT="0",
            HOST_NOTIFY_EMAILS="",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        stack.env.update(env)
        stack.manage("migrate", "--noinput")
        stack.manage("collectstatic", "--noinput")
        stack.manage(
            "shell", "-c",
            "import datetime as dt; from django.utils import timezone; "
            "from episodes.models import Episode; "
            f"Episode.objects.create(slug='{slug}', title='Bench episode', "
            "recording_at=timezone.now() + dt.timedelta(days=3), "
            "submissions_close_at=timezone.now() + dt.timedelta(days=2))",
        )  # fmt: skip
        stack.manage("import_essay", slug, str(ESSAY))
    except BaseException:
        stack.close()
        raise
    return stack
