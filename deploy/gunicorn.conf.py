"""gunicorn for Mailbag behind nginx (deploy/nginx.conf).

    gunicorn -c deploy/gunicorn.conf.py config.wsgi

nginx hands over each request whole, so a worker never waits on a client; threads (gthread)
still keep one slow request (an upload being checked, a database hiccup) from blocking the
others in its process. Override anything with GUNICORN_CMD_ARGS or on the command line, e.g.
`--bind 127.0.0.1:8000` when the proxy runs on another machine.
"""

import multiprocessing
import os

# A unix socket: only nginx on this machine can reach gunicorn, never a client directly.
bind = ["unix:/run/mailbag/gunicorn.sock"]
umask = 0o007  # the socket is for the mailbag user and nginx's group (www-data)
worker_class = "gthread"
workers = max(2, multiprocessing.cpu_count())
threads = 4
# A request's own work (checking an upload, writing it); the upload itself already arrived.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycled now and then, so a slow leak in any library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"


def on_starting(server) -> None:
    # On a unix socket REMOTE_ADDR is empty: without CLIENT_IP_HEADER every listener would
    # share one rate-limit bucket (Mailbag's system check says so too, behind a TLS proxy).
    on_socket = any(str(address).startswith("unix:") for address in server.cfg.bind)
    if on_socket and not os.environ.get("CLIENT_IP_HEADER"):
        server.log.warning(
            "gunicorn listens on a unix socket but CLIENT_IP_HEADER is not set: every "
            "listener shares one rate-limit bucket. Set CLIENT_IP_HEADER=X-Forwarded-For "
            "(deploy/nginx.conf sends it)."
        )
