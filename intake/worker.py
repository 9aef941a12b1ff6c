"""The transcription worker: RQ's SimpleWorker, keeping the Whisper model warm.

RQ's default Worker forks a work horse per job: the child would load the model again for
every job, and torch or CTranslate2 state inherited across fork() can deadlock. SimpleWorker
runs jobs in its own process, so the model loaded once serves every job.

RQ's scheduler (for retry back-off) is forked when the worker starts, before we load the
model, and it never touches torch.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from rq.exceptions import StopRequested
from rq.worker import SimpleWorker, Worker

from episodes.matching.embedding import text_embedder_warm
from intake import notifications, services
from intake.queue import worker_process_gone
from intake.transcription.engines import get_engine

logger = logging.getLogger(__name__)

SWEEP_LOCK = "transcription-sweep-lock"
DIGEST_LOCK = "host-digest-lock"
# `make run` waits for this line before it prints where to go (config/devstack.py).
READY_MESSAGE = "ready for jobs"


class TranscriptionWorker(SimpleWorker):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", settings.TRANSCRIPTION_SWEEP_SECONDS)
        super().__init__(*args, **kwargs)
        self._warmed = False

    @property
    def dequeue_timeout(self) -> int:
        # RQ blocks on the queue for worker_ttl - 15 s (6.75 min) and only heartbeats and runs
        # maintenance between waits. Waking every sweep interval keeps both on time, so an idle
        # worker sweeps when it should and /healthz can tell a live worker from a dead one.
        return max(1, min(super().dequeue_timeout, settings.TRANSCRIPTION_SWEEP_SECONDS))

    def bootstrap(self, *args, **kwargs):
        super().bootstrap(*args, **kwargs)
        self._forget_dead_neighbours()

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        first = not self._warmed
        if first and settings.TRANSCRIPTION_WARM_ON_START:
            try:
                self._warm_model()
            except StopRequested:
                # A Ctrl-C while torch loads: stop now, quietly (RQ's loop ends on this).
                logger.info("Stopping: asked to stop while loading the models")
                raise
        self._warmed = True
        self._sweep()
        self._send_digests()
        if first:
            logger.info("Worker %s: %s", self.name, READY_MESSAGE)

    def _warm_model(self) -> None:
        try:
            engine = get_engine(
                engine=settings.TRANSCRIBE_ENGINE,
                model=settings.WHISPER_MODEL,
                cache_dir=settings.WHISPER_CACHE_DIR,
                threads=settings.WHISPER_THREADS,
            )
        except StopRequested:
            raise
        except Exception:
            # Jobs will report the same problem on each submission; keep serving the queue.
            logger.exception("Could not load the transcription model at start-up")
            return
        logger.info("Transcription model ready: %s %s", engine.name, engine.model)
        try:
            # Topic suggestions and similar questions run in this worker too (never in web).
            text_embedder_warm()
        except StopRequested:
            raise
        except Exception:
            logger.exception("Could not load the topic-matching model at start-up")

    def _forget_dead_neighbours(self) -> None:
        """Mark workers whose process died on this machine (SIGKILL, OOM) as dead in Redis.

        Their registrations would otherwise linger until they expire, minutes later, and show
        in django-rq's admin as if they were still working.
        """
        try:
            for worker in Worker.all(connection=self.connection):
                if worker.name != self.name and worker_process_gone(worker):
                    worker.register_death()
        except Exception:
            logger.exception("Could not tidy up dead workers' registrations")

    def _send_digests(self) -> None:
        """The hosts' hourly digests that are due (intake.notifications). One worker at a time;
        the digests' own stamp stops a double send even without the lock."""
        lock_seconds = max(settings.TRANSCRIPTION_SWEEP_SECONDS - 1, 1)
        try:
            if not cache.add(DIGEST_LOCK, self.name, timeout=lock_seconds):
                return
            try:
                notifications.digests_send()
            finally:
                cache.delete(DIGEST_LOCK)
        except StopRequested:
            raise
        except Exception:
            logger.exception("Sending hourly digests failed; will try again next interval")

    def _sweep(self) -> None:
        # Workers sharing a Redis never sweep at the same moment (they could queue one
        # submission twice); the lock expires on its own if a worker dies holding it.
        lock_seconds = max(settings.TRANSCRIPTION_SWEEP_SECONDS - 1, 1)
        try:
            if not cache.add(SWEEP_LOCK, self.name, timeout=lock_seconds):
                return
            try:
                services.transcription_sweep()
                # Episodes whose re-ranking job Redis lost (or never got) are queued again.
                services.suggestions_sweep()
            finally:
                cache.delete(SWEEP_LOCK)
        except StopRequested:
            raise
        except Exception:
            logger.exception("Transcription sweep failed; will try again next interval")
