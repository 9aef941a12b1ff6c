"""Loaded with `-p` before pytest-django reads settings: give the run a Redis.

With REDIS_URL set (CI's second pass, a developer's own Redis) tests use it. Otherwise the
run starts its own embedded redis-server on a private unix socket and stops it at the end.

Under pytest-xdist (`make test` runs `-n auto`) the controller does the above and each worker
inherits its environment; a worker then takes a Redis database and a var/ folder of its own
(gw0 gets database base+1, gw1 base+2, ...), so one worker's `flushdb` or RQ registrations
never touch another's. pytest-django gives each worker its own test database.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from config import embedded_redis

# Tests run with the development settings profile; production settings are checked
# separately (tests/config/test_settings.py runs `check --deploy` in a subprocess).
os.environ.setdefault("DJANGO_DEBUG", "1")

# Each run gets its own var/ (test database, media), so parallel runs never share files;
# converted model weights are kept in the project's var/models across runs.
_project = Path(__file__).resolve().parent.parent
os.environ.setdefault("WHISPER_CACHE_DIR", str(_project / "var" / "models"))
_var_dir = None
if not os.environ.get("MAILBAG_VAR_DIR"):
    _var_dir = Path(tempfile.mkdtemp(prefix="mailbag-test-var-"))
    os.environ["MAILBAG_VAR_DIR"] = str(_var_dir)

_process = None
_directory = None

if not os.environ.get("REDIS_URL"):
    # Short path: unix socket paths are limited to about 100 bytes.
    _directory = Path(tempfile.mkdtemp(prefix="mb-redis-", dir="/tmp"))
    _process, os.environ["REDIS_URL"] = embedded_redis.start(
        directory=_directory, persist=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _worker_redis_url(url: str, index: int) -> str:
    """The same server, database `base + 1 + index`: redis://h:p/0 or unix://path?db=0."""
    if url.startswith("unix://"):
        match = re.search(r"([?&])db=(\d+)", url)
        if match:
            db = int(match.group(2)) + 1 + index
            return url[: match.start(2)] + str(db) + url[match.end(2) :]
        return f"{url}{'&' if '?' in url else '?'}db={1 + index}"
    match = re.match(r"^(rediss?://[^/?]+)(?:/(\d*))?(.*)$", url)
    base = int(match.group(2) or 0)
    return f"{match.group(1)}/{base + 1 + index}{match.group(3)}"


_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ... in a worker only
if _xdist_worker:
    _index = int(_xdist_worker.removeprefix("gw"))
    os.environ["REDIS_URL"] = _worker_redis_url(os.environ["REDIS_URL"], _index)
    _worker_var = Path(os.environ["MAILBAG_VAR_DIR"]) / _xdist_worker
    _worker_var.mkdir(parents=True, exist_ok=True)
    os.environ["MAILBAG_VAR_DIR"] = str(_worker_var)


def pytest_unconfigure(config):
    if _process is not None and _process.poll() is None:
        _process.terminate()
        _process.wait(timeout=10)
    for directory in (_directory, _var_dir):
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
