"""Loaded with `-p` before pytest-django reads settings: give the run a Redis.

With REDIS_URL set (CI's second pass, a developer's own Redis) tests use it. Otherwise the
run starts its own embedded redis-server on a private unix socket and stops it at the end.
"""

import os
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


def pytest_unconfigure(config):
    if _process is not None and _process.poll() is None:
        _process.terminate()
        _process.wait(timeout=10)
    for directory in (_directory, _var_dir):
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
