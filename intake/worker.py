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
from rq.worker import SimpleWorker

from episodes.text_embedding import text_embedder_warm
from intake import services
from intake.transcription.engines import get_engine

logger = logging.getLogger(__name__)

SWEEP_LOCK = "transcription-sweep-lock"


class TranscriptionWorker(SimpleWorker):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", settings.TRANSCRIPTION_SWEEP_SECONDS)
        super().__init__(*args, **kwargs)
        self._warmed = False

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if not self._warmed and settings.TRANSCRIPTION_WARM_ON_START:
            self._warm_model()
        self._sweep()

    def _warm_model(self) -> None:
        self._warmed = True
        try:
            engine = get_engine(
                engine=settings.TRANSCRIBE_ENGINE,
                model=settings.WHISPER_MODEL,
                cache_dir=settings.WHISPER_CACHE_DIR,
                threads=settings.WHISPER_THREADS,
            )
        except Exception:
            # Jobs will report the same problem on each submission; keep serving the queue.
            logger.exception("Could not load the transcription model at start-up")
            return
        logger.info("Transcription model ready: %s %s", engine.name, engine.model)
        try:
            # Topic suggestions run in this worker too (after each transcript).
            text_embedder_warm()
        except Exception:
            logger.exception("Could not load the topic-matching model at start-up")

    def _sweep(self) -> None:
        # Workers sharing a Redis never sweep at the same moment (they could queue one
        # submission twice); the lock expires on its own if a worker dies holding it.
        lock_seconds = max(settings.TRANSCRIPTION_SWEEP_SECONDS - 1, 1)
        try:
            if not cache.add(SWEEP_LOCK, self.name, timeout=lock_seconds):
                return
            try:
                services.transcription_sweep()
            finally:
                cache.delete(SWEEP_LOCK)
        except Exception:
            logger.exception("Transcription sweep failed; will try again next interval")
