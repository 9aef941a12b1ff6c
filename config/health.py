"""GET /healthz: is every part Mailbag needs answering?"""

import logging

import django_rq
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from intake.queue import worker_count_live

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    body: dict[str, object] = {}
    failing: list[str] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except Exception as exc:  # any failure here is the answer, not a crash
        logger.warning("healthz: database check failed: %s", exc)
        body["database"] = f"error: {exc.__class__.__name__}"
        failing.append("database")
    try:
        queue = django_rq.get_queue("transcription")
        queue.connection.ping()
        body["redis"] = "ok"
        body["workers"] = worker_count_live(queue=queue)
        body["queued"] = queue.count
    except Exception as exc:
        logger.warning("healthz: redis check failed: %s", exc)
        body["redis"] = f"error: {exc.__class__.__name__}"
        body["workers"] = 0
        body["queued"] = None
        failing.append("redis")
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
