import redis
from django.db import OperationalError
from rq import Queue
from rq.worker import SimpleWorker

from config import health


def test_healthz_reports_every_part(transactional_db, client, transcription_queue):
    worker = SimpleWorker([transcription_queue], connection=transcription_queue.connection)
    worker.register_birth()
    transcription_queue.enqueue("builtins.print", "x")
    try:
        response = client.get("/healthz")
    finally:
        worker.register_death()
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "workers": 1, "queued": 1}


def test_healthz_names_dead_redis(db, client, monkeypatch, tmp_path):
    # Fault injection: a queue whose Redis socket does not exist.
    dead = redis.Redis(unix_socket_path=str(tmp_path / "nothing.sock"), socket_connect_timeout=0.2)
    monkeypatch.setattr(health.django_rq, "get_queue", lambda name: Queue(name, connection=dead))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")
    assert body["failing"] == ["redis"]


def test_healthz_names_dead_database(db, client, monkeypatch):
    class DeadConnection:
        def cursor(self):
            raise OperationalError("database is gone")

    monkeypatch.setattr(health, "connection", DeadConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


def test_healthz_is_get_only(db, client):
    assert client.post("/healthz").status_code == 405
