"""The transcription worker: RQ's SimpleWorker, so the model loaded once stays warm.

RQ's default Worker forks a child per job; torch and CTranslate2 can deadlock after a
fork and the child would reload the model each time. SimpleWorker runs jobs in-process.
"""

from rq.worker import SimpleWorker


class TranscriptionWorker(SimpleWorker):
    pass
