"""seed_demo_submissions: demo content for the dashboard, through the real services, once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from episodes.models import Episode
from intake.models import Submission
from tests.conftest import AUDIO

S = Submission.Status


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo_submissions", "--audio-dir", *args, stdout=out)
    return out.getvalue()


def test_seeds_every_state_once(db):
    assert "Added 10 demo submissions" in seed(str(AUDIO))

    episode = Episode.objects.get(slug="2024-recap")
    submissions = episode.submissions.all()
    statuses = sorted(submissions.values_list("status", flat=True))
    assert statuses.count(S.APPROVED) == 3
    assert statuses.count(S.DECLINED) == statuses.count(S.MERGED) == 1
    merged = submissions.get(status=S.MERGED)
    assert merged.merged_into.name == "Rachel"
    voices = submissions.exclude(audio="")
    assert voices.count() == 4
    assert set(voices.values_list("audio_format", flat=True)) == {"webm"}
    assert all(v.transcription_state == Submission.TranscriptionState.PENDING for v in voices)
    assert submissions.filter(suggested_topic__isnull=False).count() >= 5
    assert episode.topics.count() == 4

    assert "nothing to do" in seed(str(AUDIO))
    assert episode.submissions.count() == 10


def test_missing_recordings_are_named_and_nothing_is_created(db, tmp_path):
    with pytest.raises(CommandError, match="q_scaling.webm"):
        seed(str(tmp_path))
    assert Submission.objects.count() == 0
