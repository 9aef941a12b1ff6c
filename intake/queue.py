"""How jobs sit in RQ: queueing after commit, transcription ids, timeouts and retries, and
which jobs and workers are still alive.

Services queue jobs by their dotted path ("intake.tasks.transcribe_submission"), which RQ
accepts as a string, so a service never imports the tasks module that calls it.

Transcription has one job per submission with a stable id, so anyone (the sweeper, the
dashboard) can ask RQ whether a submission's job is still queued or running without storing
job ids.
"""

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable

import django_rq
from django.conf import settings
from django.db import transaction
from redis import Redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.worker import Worker, WorkerStatus

logger = logging.getLogger(__name__)

QUEUE_NAME = "transcription"
TRANSCRIBE_TASK = "intake.tasks.transcribe_submission"
ANALYSE_TASK = "intake.tasks.submission_analyse"
RANK_TASK = "intake.tasks.episode_rank"
_LIVE_STATUSES = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
# How late an idle worker's heartbeat may be (a slow Redis, a sweep that takes a while).
HEARTBEAT_GRACE_SECONDS = 30


def get_queue() -> Queue:
    # "auto": we push from our own on_commit callback, so django-rq must not defer again.
    return django_rq.get_queue(QUEUE_NAME, commit_mode="auto")


def enqueue_on_commit(task: str, *args, after: Callable[[], None] | None = None, **options):
    """Queue `task` (a dotted path) once the surrounding transaction commits.

    The rows a job reads are then durable before the job exists. A Redis outage is logged and
    swallowed: the caller's work is already safe, and the sweeper (for transcriptions) or the
    next change (for suggestions) queues it again. `after` runs once the job is queued.
    """

    what = options.get("description") or f"{task}{args!r}"

    def push() -> None:
        try:
            get_queue().enqueue(task, *args, **options)
        except Exception:
            logger.exception("Could not queue %s; it will be queued again later", what.lower())
            return
        if after is not None:
            after()

    transaction.on_commit(push)


def job_id_for(*, submission_id: int) -> str:
    return f"transcribe-{submission_id}"


def job_timeout_for(*, audio_seconds: float | None) -> int:
    """Generous for slow CPUs: model load plus several times real time."""
    seconds = audio_seconds or settings.TRANSCRIPTION_ASSUMED_AUDIO_SECONDS
    return int(
        settings.TRANSCRIPTION_TIMEOUT_BASE + seconds * settings.TRANSCRIPTION_TIMEOUT_FACTOR
    )


def retry_policy() -> Retry:
    intervals = settings.TRANSCRIPTION_RETRY_INTERVALS
    return Retry(max=len(intervals), interval=intervals)


def transcription_options(*, submission_id: int, audio_seconds: float | None) -> dict:
    """RQ's options for a submission's transcription job."""
    return {
        "job_id": job_id_for(submission_id=submission_id),
        "job_timeout": job_timeout_for(audio_seconds=audio_seconds),
        "retry": retry_policy(),
        "result_ttl": 3600,
        "failure_ttl": 7 * 24 * 3600,
        "description": f"Transcription of submission {submission_id}",
    }


def push(*, submission_id: int, audio_seconds: float | None) -> Job:
    """Queue a submission's transcription now (the sweeper; callers in a transaction use
    enqueue_on_commit)."""
    return get_queue().enqueue(
        TRANSCRIBE_TASK,
        submission_id,
        **transcription_options(submission_id=submission_id, audio_seconds=audio_seconds),
    )


def worker_is_live(worker: Worker) -> bool:
    """False when we can tell `worker` is gone, though its registration is still in Redis.

    RQ forgets a worker only when its key expires, minutes after a SIGKILL or a lost machine.
    A worker on this machine whose process no longer exists is dead now. An idle worker wakes
    at least every TRANSCRIPTION_SWEEP_SECONDS to heartbeat (intake.worker), so one whose
    heartbeat is older than that has gone too; a busy one heartbeats only between jobs, and its
    key lives as long as its job may run, so for it we trust RQ's own expiry.
    """
    if worker.death_date is not None or worker_process_gone(worker):
        return False
    if worker.get_state() == WorkerStatus.BUSY or worker.last_heartbeat is None:
        return True
    silent = (dt.datetime.now(dt.UTC) - worker.last_heartbeat).total_seconds()
    return silent <= settings.TRANSCRIPTION_SWEEP_SECONDS + HEARTBEAT_GRACE_SECONDS


def worker_process_gone(worker: Worker) -> bool:
    """True when `worker` ran on this machine and its process no longer exists."""
    if worker.hostname != socket.gethostname() or not worker.pid:
        return False
    try:
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: alive
        pass
    return False


def worker_is_alive(*, worker_name: str | None, connection: Redis) -> bool:
    """Whether the worker called `worker_name` is registered and live (see worker_is_live)."""
    if not worker_name:
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + worker_name, connection)
    return worker is not None and worker_is_live(worker)


def worker_count_live(*, queue: Queue) -> int:
    """How many workers listening on `queue` are live: not stale registrations of dead ones."""
    return sum(1 for worker in Worker.all(queue=queue) if worker_is_live(worker))


def live_job(*, submission_id: int, connection: Redis) -> Job | None:
    """The submission's job if it is waiting or running on a live worker, else None."""
    job = Job.fetch_many([job_id_for(submission_id=submission_id)], connection=connection)[0]
    if job is None:
        return None
    status = job.get_status(refresh=False)
    if status in _LIVE_STATUSES:
        return job
    if status == JobStatus.STARTED and worker_is_alive(
        worker_name=job.worker_name, connection=connection
    ):
        return job
    return None


def discard(*, submission_id: int, connection: Redis) -> None:
    """Forget a dead job (and its started-registry entry) before queueing a fresh one."""
    job = Job.fetch_many([job_id_for(submission_id=submission_id)], connection=connection)[0]
    if job is None:
        return
    StartedJobRegistry(queue=Queue(job.origin, connection=connection)).remove_executions(job)
    job.delete()


# --- Re-ranking an episode's suggested topics: one job per episode at a time ----------------
#
# Each topic edit asks for a re-rank; a burst of edits must not queue a burst of whole-episode
# jobs, and the last edit must win. A small state per episode in Redis, changed atomically:
#
#   (none) --request--> queued --job starts--> running --request--> again
#     ^                   |  request: nothing      |                  |
#     +---job done--------+------------------------+    <--job loops--+
#
# A request while a job is queued does nothing (that job reads the topics when it starts); a
# request while one runs marks it to run once more when it ends. Requests come after the
# change is committed, and the job reads the topics after it has moved to "running", so no
# change is ever missed. The state expires, so a worker killed mid-job cannot block re-ranking
# for good; the worker's sweep queues episodes still marked stale after that (intake.worker).

RANK_STATE_SECONDS = 3600
RANK_JOB_TIMEOUT = 1800
_RANK_STATES = ("queued", "running", "again")

_RANK_REQUEST = """
local state = redis.call('GET', KEYS[1])
if not state then
  redis.call('SET', KEYS[1], 'queued', 'EX', ARGV[1])
  return 1
end
if state == 'running' then
  redis.call('SET', KEYS[1], 'again', 'EX', ARGV[1])
end
return 0
"""
# ARGV[2]: "start" (queued -> running) or "end" (again -> running and 1; running -> gone, 0).
_RANK_STEP = """
local state = redis.call('GET', KEYS[1])
if ARGV[2] == 'start' then
  redis.call('SET', KEYS[1], 'running', 'EX', ARGV[1])
  return 1
end
if state == 'again' then
  redis.call('SET', KEYS[1], 'running', 'EX', ARGV[1])
  return 1
end
redis.call('DEL', KEYS[1])
return 0
"""


def rank_job_id(*, episode_id: int) -> str:
    return f"rank-episode-{episode_id}"


def _rank_key(episode_id: int) -> str:
    return f"mailbag:{rank_job_id(episode_id=episode_id)}:state"


def rank_state(*, episode_id: int) -> str | None:
    """The episode's re-ranking state: queued, running, again, or None (no job)."""
    state = get_queue().connection.get(_rank_key(episode_id))
    return state.decode() if state else None


def rank_request(*, episode_id: int) -> bool:
    """Make sure the episode is re-ranked after now; True when a job was queued for it.

    Call once the change is committed (rank_request_on_commit).
    """
    rq_queue = get_queue()
    connection = rq_queue.connection
    key = _rank_key(episode_id)
    if not connection.eval(_RANK_REQUEST, 1, key, RANK_STATE_SECONDS):
        return False
    try:
        rq_queue.enqueue(
            RANK_TASK,
            episode_id,
            job_id=rank_job_id(episode_id=episode_id),
            job_timeout=RANK_JOB_TIMEOUT,
            result_ttl=600,
            failure_ttl=7 * 24 * 3600,
            description=f"Suggested topics ranked again for episode {episode_id}",
        )
    except Exception:
        connection.delete(key)  # let the next request (or the sweep) try again
        raise
    return True


def rank_request_on_commit(*, episode_id: int) -> None:
    """rank_request once the surrounding transaction commits; a Redis outage is logged (the
    episode stays marked stale, and the worker's sweep asks again)."""

    def push() -> None:
        try:
            rank_request(episode_id=episode_id)
        except Exception:
            logger.exception("Could not queue re-ranking of episode %s", episode_id)

    transaction.on_commit(push)


def rank_started(*, episode_id: int) -> None:
    """The job begins: from here on it reads the topics, so requests mark it to run again."""
    get_queue().connection.eval(_RANK_STEP, 1, _rank_key(episode_id), RANK_STATE_SECONDS, "start")


def rank_ended(*, episode_id: int) -> bool:
    """The job has written its ranks: True when a request came meanwhile (run once more,
    still marked running), False when it is done (the state is cleared)."""
    key = _rank_key(episode_id)
    return bool(get_queue().connection.eval(_RANK_STEP, 1, key, RANK_STATE_SECONDS, "end"))


def rank_abandon(*, episode_id: int) -> None:
    """The job failed: forget its state, so the next request queues a fresh job."""
    get_queue().connection.delete(_rank_key(episode_id))
