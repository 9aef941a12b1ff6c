from django.urls import reverse

from intake import queue as tq
from intake.models import Submission
from tests.conftest import AUDIO, attach_audio
from tests.factories import SubmissionFactory, UserFactory

TS = Submission.TranscriptionState


def test_admin_lists_and_filters_submissions(client, episode):
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)
    SubmissionFactory(episode=episode, name="Typed Tess")
    SubmissionFactory(episode=episode, name="Voice Vic", transcription_state=TS.FAILED)
    response = client.get(
        reverse("admin:intake_submission_changelist"), {"transcription_state__exact": "failed"}
    )
    assert response.status_code == 200
    assert b"Voice Vic" in response.content
    assert b"Typed Tess" not in response.content


def test_admin_action_queues_failed_transcriptions_again(
    client, transactional_db, episode, transcription_queue
):
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)
    failed = SubmissionFactory(episode=episode, text="")
    attach_audio(failed, AUDIO / "jfk.flac", seconds=11)
    Submission.objects.filter(pk=failed.pk).update(
        transcription_state=TS.FAILED, transcription_error="model exploded"
    )
    typed = SubmissionFactory(episode=episode)

    response = client.post(
        reverse("admin:intake_submission_changelist"),
        {"action": "retry_transcription", "_selected_action": [failed.pk, typed.pk]},
        follow=True,
    )

    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.transcription_state == TS.PENDING
    assert failed.transcription_error == ""
    job_ids = transcription_queue.get_job_ids()
    assert tq.job_id_for(submission_id=failed.pk) in job_ids
    text = response.content.decode()
    assert "Queued 1 transcription(s) again." in text
    assert f"#{typed.pk}: This submission has no audio to transcribe." in text


def test_state_fields_are_read_only_in_the_admin(client, episode):
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)
    submission = SubmissionFactory(episode=episode, name="Priya")
    other = SubmissionFactory(episode=episode)
    url = reverse("admin:intake_submission_change", args=[submission.pk])

    form = client.get(url).context["adminform"].form
    assert not {"status", "merged_into", "transcription_state"} & set(form.fields)

    client.post(
        url,
        {
            "episode": episode.pk,
            "kind": "question",
            "name": "Priya",
            "text": "Edited in the admin",
            "status": "merged",
            "merged_into": other.pk,
            "transcription_state": "done",
        },
    )
    submission.refresh_from_db()
    assert submission.text == "Edited in the admin"
    assert (submission.status, submission.merged_into, submission.transcription_state) == (
        Submission.Status.NEW,
        None,
        TS.NONE,
    )


def test_admin_actions_move_states_through_the_services(client, episode):
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)
    new = SubmissionFactory(episode=episode)
    primary = SubmissionFactory(episode=episode)
    merged = SubmissionFactory(
        episode=episode, status=Submission.Status.MERGED, merged_into=primary
    )

    response = client.post(
        reverse("admin:intake_submission_changelist"),
        {"action": "approve", "_selected_action": [new.pk, merged.pk]},
        follow=True,
    )

    new.refresh_from_db()
    merged.refresh_from_db()
    assert new.status == Submission.Status.APPROVED
    assert merged.status == Submission.Status.MERGED  # the rules refused it
    text = response.content.decode()
    assert "Approved 1 submission(s)." in text
    assert f"#{merged.pk}: This question is merged into another one" in text
