"""The shipped production setup (deploy/): nginx accepts its config, gunicorn starts with its own
and warns when listeners would share one rate-limit bucket. bench/slow_clients.py measures it."""

import importlib.util
import os
import shutil
import socket as sockets
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or next(
    (path for path in ["/usr/sbin/nginx"] if Path(path).exists()), None
)


def bench_module():
    spec = importlib.util.spec_from_file_location("slow_clients", ROOT / "bench/slow_clients.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nginx_accepts_the_shipped_config(tmp_path):
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    # The file as shipped, with only our certificate, ports and socket swapped in.
    config = bench_module().nginx_config(tmp_path, 18443, 18080, tmp_path / "gunicorn.sock")
    result = subprocess.run(
        [NGINX, "-t", "-c", str(config), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    site = (tmp_path / "site.conf").read_text()
    assert "client_max_body_size 4m;" in site  # = REQUEST_MAX_BODY_MB's default
    assert "client_max_body_size 54m;" in site  # = 2 x 25 MB + 4 MB on the ask page


def start_gunicorn(tmp_path, while_running=None, **env):
    socket = tmp_path / "gunicorn.sock"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLIENT_IP"))}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "config.wsgi",
            "--bind",
            f"unix:{socket}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env={**base, "DJANGO_DEBUG": "1", "MAILBAG_VAR_DIR": str(tmp_path / "var"), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not socket.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    try:
        if while_running is not None:
            while_running(socket)
    finally:
        process.terminate()
    output, _ = process.communicate(timeout=30)
    assert socket.exists() or "Listening at: unix:" in output, output
    return output


def test_gunicorn_on_a_socket_warns_without_client_ip_header(tmp_path):
    output = start_gunicorn(tmp_path)
    assert "Using worker: gthread" in output
    assert "CLIENT_IP_HEADER is not set: every listener shares one rate-limit bucket" in output


def test_no_warning_with_client_ip_header(tmp_path):
    output = start_gunicorn(tmp_path, CLIENT_IP_HEADER="X-Forwarded-For")
    assert "Using worker: gthread" in output
    assert "CLIENT_IP_HEADER is not set" not in output


def test_a_huge_body_is_refused_before_gunicorn_reads_it(tmp_path):
    # The attack from issue 12 at the real server: 186 MB announced to the login page. The 413
    # comes back while the client has sent 1 KB of it; the server never waits for the rest.
    answers = []

    def attack(path):
        with sockets.socket(sockets.AF_UNIX) as client:
            client.settimeout(30)
            client.connect(str(path))
            started = time.monotonic()
            client.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 186000000\r\n\r\n" + b"a" * 1024
            )
            reply = client.recv(65536)
            seconds = time.monotonic() - started
            while b"</html>" not in reply and (chunk := client.recv(65536)):
                reply += chunk
            answers.append((reply, seconds))

    start_gunicorn(tmp_path, while_running=attack)
    reply, seconds = answers[0]
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert b"That was too much to send" in reply
    assert seconds < 10  # a generous bound: the answer does not wait for the body
