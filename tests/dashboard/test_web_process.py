"""No machine-learning model in a web process.

A fresh process, as gunicorn starts one, walks every host page of an episode with Django's
test client (and makes the host's edits that used to run the sentence model in the request:
a correction, a topic rename, a merge). It must never import torch, sentence-transformers or
Whisper, and it stays under 250 MB of memory afterwards.
"""

import json
import subprocess
import sys
import textwrap

import pytest
from django.urls import reverse

from episodes.services import essay_import
from intake.models import Submission, SubmissionSimilarity
from runsheet import services as runsheet_services
from tests.conftest import AUDIO, ESSAY, attach_audio
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAX_RSS_MB = 250
FORBIDDEN = ("torch", "sentence_transformers", "transformers", "whisper", "faster_whisper")

WALK = textwrap.dedent(
    """
    import json, sys
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    plan = json.loads(sys.argv[1])
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username=plan["user"]))
    answers = {}
    for url in plan["get"]:
        response = client.get(url)
        b"".join(response) if response.streaming else response.content
        answers[url] = response.status_code
    for url, data in plan["post"]:
        answers["POST " + url] = client.post(url, data).status_code
    status = dict(
        line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line
    )
    print(json.dumps({
        "answers": answers,
        "modules": sorted(name.split(".")[0] for name in sys.modules),
        "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
        "peak_rss_mb": int(status["VmHWM"].split()[0]) / 1024,
    }))
    """
)


def test_a_web_process_walks_every_host_page_without_any_model(
    process_env, host, episode, private_media, transcription_queue, settings
):
    process_env["MEDIA_ROOT"] = str(private_media)
    essay_import(episode=episode, markdown=ESSAY.read_text(encoding="utf-8"))
    topics = list(episode.topics.order_by("position"))
    typed = SubmissionFactory(episode=episode, name="Sam", text="Is pre-training over?")
    voice = SubmissionFactory(episode=episode, name="Priya", text="")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)
    Submission.objects.filter(pk=voice.pk).update(
        transcription_state="done",
        transcript="Will pre-training really end?",
        transcript_segments=[{"start": 0.0, "end": 3.0, "text": "Will pre-training end?"}],
    )
    approved = SubmissionFactory(episode=episode, name="Ana", text="Agents?", status="approved")
    approved.topics.set([topics[2]])
    duplicate = SubmissionFactory(episode=episode, name="Lee", text="Pre-training, over?")
    SubmissionSimilarity.objects.bulk_create(
        [
            SubmissionSimilarity(submission=typed, other=voice, score=0.9),
            SubmissionSimilarity(submission=voice, other=typed, score=0.9),
            SubmissionSimilarity(submission=typed, other=duplicate, score=0.8),
            SubmissionSimilarity(submission=duplicate, other=typed, score=0.8),
        ]
    )
    runsheet_services.runsheet_start(episode=episode)
    segment = episode.segments.get(topic=topics[2])
    entry = runsheet_services.entry_add(segment=segment, submission=approved)

    slug = {"slug": episode.slug}

    def url(name, **kwargs):
        return reverse(f"dashboard:{name}", kwargs={**slug, **kwargs})

    inbox = url("submission_list")
    get = [
        reverse("dashboard:episode_list"),
        inbox,
        f"{inbox}?status=new&page=2",
        f"{inbox}?q=pretraining",
        *(url("submission_detail", pk=s.pk) for s in (typed, voice, approved, duplicate)),
        url("submission_audio", pk=voice.pk),
        url("submission_search") + "?q=pre-training",
        url("topic_list"),
        url("topic_update", pk=topics[0].pk),
        url("essay_import"),
        url("runsheet"),
        *(url("runsheet_export", fmt=fmt) for fmt in ("md", "csv")),
        url("segment_update", pk=segment.pk),
        url("entry_update", pk=entry.pk),
        url("entry_passage", pk=entry.pk),
        # Live updates, and the episode's own settings.
        url("submission_state", pk=voice.pk),
        url("inbox_updates"),
        url("episode_update"),
        url("episode_hosts"),
        reverse("dashboard:episode_create"),
        reverse("dashboard:host_settings"),
    ]
    post = [
        (url("submission_transcript", pk=voice.pk), {"text": "Will pre-training end soon?"}),
        (url("topic_update", pk=topics[0].pk), {"title": "Renamed", "summary": "Scaling."}),
        (url("submission_merge", pk=duplicate.pk), {"primary": f"#{typed.pk}"}),
        (url("submission_tag", pk=typed.pk), {"topics": [topics[1].pk]}),
    ]
    plan = {"user": host.username, "get": get, "post": post}

    child = subprocess.run(
        [sys.executable, "-c", WALK, json.dumps(plan)],
        env=process_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert child.returncode == 0, child.stderr[-3000:]
    report = json.loads(child.stdout.strip().splitlines()[-1])
    wrong = {page: code for page, code in report["answers"].items() if code not in (200, 302)}
    assert wrong == {}
    assert sorted(set(FORBIDDEN) & set(report["modules"])) == []
    assert report["rss_mb"] < MAX_RSS_MB and report["peak_rss_mb"] < MAX_RSS_MB, report
    # The host's edits were saved; what the model works out is left to the worker.
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == typed.pk
    assert any(job.func_name == "intake.tasks.episode_rank" for job in transcription_queue.jobs)
