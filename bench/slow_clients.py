"""Does /healthz keep answering while slow clients hold connections open?

Starts Mailbag on loopback, then for --seconds keeps --slow slowloris connections open (half
send their headers a line every few seconds, half send a body a few bytes at a time), sends one
real voice message (about 2.7 MB) at --rate bytes a second as a phone on a weak signal would,
and asks GET /healthz every half second with a 5 s timeout. Prints the /healthz latencies and
what became of the voice message.

    .venv/bin/python bench/slow_clients.py --setup documented [--project /tmp/before]
    .venv/bin/python bench/slow_clients.py --setup deploy

--setup documented: the setup the README documented before issue 12,
    `gunicorn config.wsgi --bind ... --workers 4` (sync workers, 30 s timeout), clients direct.
--setup deploy: deploy/nginx.conf in front (TLS with a throwaway certificate, request
    buffering) of `gunicorn -c deploy/gunicorn.conf.py` (gthread) on a unix socket. Skips with
    a message when nginx is not installed (`apt-get install nginx`).
--project runs the app from another checkout (e.g. a `git worktree` of the code before),
    with this checkout's virtualenv.

Loopback only, bounded: SQLite and an embedded Redis in a temporary folder, removed after.
"""

import argparse
import http.client
import io
import os
import secrets
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import (  # noqa: E402
    PROJECT,
    csrf_credentials,
    free_port,
    multipart,
    processes_stop,
    wait_for_http,
)
from config import embedded_redis  # noqa: E402

SLUG = "slow-bench"
HOST = "mailbag.example.com"
BOUNDARY = "----mailbag-slow-bench"
AUDIO = PROJECT / "tests" / "fixtures" / "audio" / "jfk.wav"
VOICE_BYTES = 2_700_000
# Every request names the site, as a browser would (ALLOWED_HOSTS is HOST).
SITE_HEADERS = {"Host": HOST}


def voice_message() -> bytes:
    """A real recording of about 2.7 MB: the JFK clip as 48 kHz stereo WAV, repeated."""
    with wave.open(str(AUDIO)) as source:
        assert (source.getnchannels(), source.getsampwidth()) == (1, 2)
        rate = source.getframerate()
        frames = source.readframes(source.getnframes())
    factor = 48_000 // rate
    samples = [frames[i : i + 2] for i in range(0, len(frames), 2)]
    stereo = b"".join(sample * 2 * factor for sample in samples)  # each sample, L and R, x3
    repeated = (stereo * (VOICE_BYTES // len(stereo) + 1))[: VOICE_BYTES - 44]
    repeated = repeated[: len(repeated) // 4 * 4]
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(2)
        target.setsampwidth(2)
        target.setframerate(48_000)
        target.writeframes(repeated)
    return out.getvalue()


class Target:
    """Where the clients connect: plain TCP to gunicorn, or TLS to nginx."""

    def __init__(self, port: int, tls: bool) -> None:
        self.port, self.tls = port, tls
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # our own throwaway certificate

    def socket(self, timeout: float) -> socket.socket:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return self.context.wrap_socket(raw, server_hostname=HOST) if self.tls else raw

    def http(self, timeout: float) -> http.client.HTTPConnection:
        if self.tls:
            return http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=timeout, context=self.context
            )
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    @property
    def origin(self) -> str:
        return f"https://{HOST}" if self.tls else f"http://{HOST}"


def slowloris(target: Target, index: int, stop: threading.Event, opened: list) -> None:
    """Hold one connection open as long as possible, sending almost nothing."""
    while not stop.is_set():
        sock = None
        try:
            sock = target.socket(timeout=10)
            opened.append(1)
            sock.sendall(f"POST /ask/{SLUG}/ HTTP/1.1\r\nHost: {HOST}\r\n".encode())
            if index % 2:
                # Headers complete, then a body that never quite arrives.
                sock.sendall(b"Content-Type: application/x-www-form-urlencoded\r\n")
                sock.sendall(b"Content-Length: 1000000\r\n\r\n")
            while not stop.wait(3):
                sock.sendall(b"a=b&" if index % 2 else f"X-Slow-{index}: 1\r\n".encode())
        except OSError:
            pass  # cut off: open another, as an attacker would
        finally:
            if sock is not None:
                sock.close()


def send_voice_message(target: Target, rate: int, credentials, result: dict) -> None:
    """POST a voice message at `rate` bytes a second, as a browser's form sends it."""
    cookie, token = credentials
    audio = voice_message()
    fields = {"csrfmiddlewaretoken": token, "kind": "message", "text": "", "name": "Slow",
              "email": "", "website": "", "consent": "on"}  # fmt: skip
    body = multipart(
        fields, boundary=BOUNDARY, files={"audio": ("message.wav", audio, "audio/wav")}
    )
    request = (
        f"POST /ask/{SLUG}/ HTTP/1.1\r\nHost: {HOST}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\nCookie: csrftoken={cookie}\r\n"
        f"Origin: {target.origin}\r\nReferer: {target.origin}/ask/{SLUG}/\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    result["bytes"] = len(body)
    started = time.monotonic()
    try:
        sock = target.socket(timeout=120)
        sock.sendall(request)
        chunk = max(1, rate // 10)
        for offset in range(0, len(body), chunk):
            sock.sendall(body[offset : offset + chunk])
            # Paced against the clock, so the average rate holds even if a send was slow.
            ahead = started + (offset + chunk) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        result["sent_in"] = time.monotonic() - started
        reply = b""
        while b"\r\n" not in reply:
            data = sock.recv(4096)
            if not data:
                break
            reply += data
        status_line = reply.split(b"\r\n", 1)[0].decode(errors="replace")
        result["status"] = status_line or "connection closed without an answer"
    except OSError as error:
        result["status"] = f"{type(error).__name__} after {time.monotonic() - started:.1f} s"
    result["took"] = time.monotonic() - started


def probe_health(target: Target, stop: threading.Event, probes: list) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            connection = target.http(timeout=5)
            connection.request("GET", "/healthz", headers=SITE_HEADERS)
            response = connection.getresponse()
            response.read()
            outcome = response.status
        except OSError as error:
            outcome = type(error).__name__
        finally:
            connection.close()
        probes.append((started, time.monotonic() - started, outcome))
        stop.wait(max(0.0, 0.5 - (time.monotonic() - started)))


def report(probes: list, voice: dict, slow_opened: int) -> None:
    ok = [seconds for _, seconds, outcome in probes if outcome == 200]
    failed = [outcome for _, _, outcome in probes if outcome != 200]
    print(f"/healthz probes: {len(probes)}, answered 200: {len(ok)}, failed: {len(failed)}")
    if failed:
        kinds = {kind: failed.count(kind) for kind in sorted(set(map(str, failed)))}
        print(f"  failures: {kinds}")
    if ok:
        cuts = statistics.quantiles(ok, n=100, method="inclusive") if len(ok) > 1 else ok * 99
        print(
            f"  latency of the answered ms: p50 {cuts[49] * 1000:.1f}  p90 "
            f"{cuts[89] * 1000:.1f}  p99 {cuts[98] * 1000:.1f}  max {max(ok) * 1000:.1f}"
        )
    print(f"slow connections opened: {slow_opened}")
    sent = f", body sent in {voice['sent_in']:.1f} s" if "sent_in" in voice else ""
    print(
        f"voice message ({voice.get('bytes', 0) / 1e6:.2f} MB): {voice.get('status')}"
        f"{sent}, answered after {voice.get('took', 0):.1f} s"
    )


def nginx_config(workdir: Path, port: int, redirect_port: int, socket_path: Path) -> Path:
    """deploy/nginx.conf as it is, but for loopback: our certificate, ports and socket."""
    site = (PROJECT / "deploy" / "nginx.conf").read_text()
    certificate, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    swaps = {
        "listen 443 ssl;": f"listen 127.0.0.1:{port} ssl;",
        "listen [::]:443 ssl;": "",
        "listen 80;": f"listen 127.0.0.1:{redirect_port};",
        "listen [::]:80;": "",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(certificate),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key),
        "unix:/run/mailbag/gunicorn.sock": f"unix:{socket_path}",
    }
    for old, new in swaps.items():
        if old not in site:
            raise SystemExit(f"deploy/nginx.conf changed: {old!r} not found; update this bench")
        site = site.replace(old, new)
    (workdir / "site.conf").write_text(site)
    main = workdir / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""  # its workers reach our private folder
    temp = workdir / "nginx-temp"
    temp.mkdir()
    main.write_text(
        f"{user}worker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'nginx-error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    access_log off;\n"
        f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        f"    include {workdir / 'site.conf'};\n"
        "}\n"
    )
    return main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", choices=["documented", "deploy"], required=True)
    parser.add_argument("--project", type=Path, default=PROJECT, help="checkout to run")
    parser.add_argument("--slow", type=int, default=8, help="slowloris connections")
    parser.add_argument("--rate", type=int, default=60_000, help="voice upload, bytes/s")
    parser.add_argument("--seconds", type=float, default=60, help="how long the attack lasts")
    args = parser.parse_args()

    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if args.setup == "deploy" and nginx is None:
        print("SKIPPED: nginx is not installed (apt-get install nginx); --setup deploy needs it")
        return

    project = args.project.resolve()
    workdir = Path(tempfile.mkdtemp(prefix="mailbag-slow-bench-"))
    redis_dir = Path(tempfile.mkdtemp(prefix="mb-slow-redis-", dir="/tmp"))
    processes: list[subprocess.Popen] = []
    env = dict(os.environ)
    try:
        redis_process, redis_url = embedded_redis.start(
            directory=redis_dir, persist=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(redis_process)
        var = workdir / "var"
        (var / "uploads").mkdir(parents=True)
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=HOST,
            DATABASE_URL=f"sqlite:///{var / 'bench.sqlite3'}",
            REDIS_URL=redis_url,
            MAILBAG_VAR_DIR=str(var),
            STATIC_ROOT=str(workdir / "static"),
            SUBMISSION_RATE_LIMIT="0",
            HOST_NOTIFY_EMAILS="",
            LOG_LEVEL="WARNING",
        )
        env.pop("GUNICORN_CMD_ARGS", None)
        python = sys.executable
        gunicorn_bin = str(Path(python).with_name("gunicorn"))
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run([python, "manage.py", *command], cwd=project, env=env, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run(
            [python, "manage.py", "shell", "-c",
             "import datetime as dt; from django.utils import timezone; "
             "from episodes.models import Episode; "
             f"Episode.objects.create(slug='{SLUG}', title='Slow bench', max_audio_seconds=120, "
             "recording_at=timezone.now() + dt.timedelta(days=3), "
             "submissions_close_at=timezone.now() + dt.timedelta(days=2))"],
            cwd=project, env=env, check=True,
        )  # fmt: skip

        if args.setup == "documented":
            env["SECURE_SSL_REDIRECT"] = "0"  # plain HTTP on loopback, no proxy
            port = free_port()
            command = [gunicorn_bin, "config.wsgi", "--bind", f"127.0.0.1:{port}",
                       "--workers", "4", "--log-level", "warning"]  # fmt: skip
            processes.append(subprocess.Popen(command, cwd=project, env=env))
            target = Target(port, tls=False)
            label = "gunicorn config.wsgi --workers 4 (sync), clients direct"
        else:
            env.update(CLIENT_IP_HEADER="X-Forwarded-For", SECURE_PROXY_SSL_HEADER="1")
            socket_path = workdir / "gunicorn.sock"
            command = [gunicorn_bin, "-c", str(project / "deploy" / "gunicorn.conf.py"),
                       "config.wsgi", "--bind", f"unix:{socket_path}",
                       "--log-level", "warning", "--access-logfile", "/dev/null"]  # fmt: skip
            processes.append(subprocess.Popen(command, cwd=project, env=env))
            port = free_port()
            config = nginx_config(workdir, port, free_port(), socket_path)
            processes.append(
                subprocess.Popen(
                    [nginx, "-c", str(config), "-p", str(workdir), "-g", "daemon off;"]
                )  # fmt: skip
            )
            target = Target(port, tls=True)
            label = "deploy/nginx.conf (TLS, buffering) + deploy/gunicorn.conf.py (gthread)"
        wait_for_http(
            target.port, "/healthz", processes[-1], connect=target.http, headers=SITE_HEADERS
        )

        cores = os.cpu_count()
        print(f"{label}; {cores} cores; {args.slow} slow connections, voice message at "
              f"{args.rate / 1000:g} KB/s, {args.seconds:g} s")  # fmt: skip
        stop = threading.Event()
        probes: list = []
        opened: list = []
        voice: dict = {}
        threads = [threading.Thread(target=slowloris, args=(target, i, stop, opened), daemon=True)
                   for i in range(args.slow)]  # fmt: skip
        threads.append(threading.Thread(target=probe_health, args=(target, stop, probes)))
        # The page's CSRF token first: a listener opened the page before the attack began.
        credentials = csrf_credentials(
            target.port, f"/ask/{SLUG}/", connect=target.http, headers=SITE_HEADERS
        )
        uploader = threading.Thread(
            target=send_voice_message, args=(target, args.rate, credentials, voice)
        )
        attack_started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(1)  # the slow connections first, as in the attack
        uploader.start()
        uploader.join(timeout=args.seconds + 60)
        stop.wait(max(0.0, args.seconds - (time.monotonic() - attack_started)))
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        report(probes, voice, len(opened))
        stored = subprocess.run(
            [python, "manage.py", "shell", "-c",
             "from intake.models import Submission; "
             "print(Submission.objects.exclude(audio='').count())"],
            cwd=project, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        print(f"voice messages stored: {stored}")
    finally:
        processes_stop(reversed(processes), timeout=15)
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(redis_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
