"""The moderation pages through HTTP: what the host sees and what each action does."""

import pytest

from intake.models import Submission
from tests.conftest import AUDIO, attach_audio
from tests.dashboard.pages import messages_of
from tests.dashboard.pages import submission_url as url
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory

S = Submission.Status
TS = Submission.TranscriptionState


@pytest.fixture
def topics(episode):
    return [
        TopicFactory(episode=episode, title="What Ilya Saw in 2014", position=0),
        TopicFactory(episode=episode, title="What Ilya Sees in 2024", position=1),
    ]


@pytest.fixture
def voice(episode, topics):
    submission = SubmissionFactory(
        episode=episode,
        name="Priya",
        text="",
        audio_format="matroska,webm",
        suggested_topic=topics[1],
        suggested_topic_score=0.47,
    )
    attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
    submission.transcription_state = TS.DONE
    submission.transcript = "And so my fellow Americans, ask not what your country can do for you."
    submission.transcript_segments = [
        {"start": 0.0, "end": 4.2, "text": "And so my fellow Americans,"},
        {"start": 64.2, "end": 71.5, "text": "ask not what your country can do for you."},
    ]
    submission.save()
    return submission


# --- List ------------------------------------------------------------------------------------


def test_list_shows_each_submission_with_its_details(host_client, episode, voice, topics):
    typed = SubmissionFactory(episode=episode, name="Sam", text="Is pre-training over?")
    typed.topics.add(topics[0])
    duplicate = SubmissionFactory(
        episode=episode, name="Ana", status=S.MERGED, merged_into=typed, text="Pre-training done?"
    )

    response = host_client.get(url("dashboard:submission_list", slug=episode.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert [s.pk for s in response.context["page"]] == [duplicate.pk, typed.pk, voice.pk]
    assert "ask not what your country" in html
    assert "0:11" in html  # audio duration
    assert "Suggested</span> What Ilya Sees in 2024" in html
    assert "Is pre-training over?" in html
    assert 'Sam</strong><span class="also">, Ana</span>' in html  # primary lists every asker
    assert f'Merged into <a href="{url("dashboard:submission_detail", typed)}">' in html
    tabs = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"": 3, "new": 2, "approved": 0, "declined": 0, "merged": 1}


EVERYONE = {"approved", "merged", "message", "voice", "tagged"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=approved", {"approved"}),
        ("status=merged", {"merged"}),
        ("kind=message", {"message"}),
        ("topic=FIRST", {"tagged"}),
        ("topic=none", EVERYONE - {"tagged"}),
        ("transcription=failed", {"voice"}),
        ("q=SELF-play", {"approved"}),
        ("q=country+ask", {"voice"}),  # every word must match, in any field
        ("q=priya", {"voice"}),
        ("status=nonsense&kind=bogus&topic=999999", EVERYONE),
    ],
)
def test_list_filters(host_client, episode, topics, query, expected):
    primary = SubmissionFactory(
        episode=episode, name="approved", text="Self-play?", status=S.APPROVED
    )
    SubmissionFactory(episode=episode, name="merged", status=S.MERGED, merged_into=primary)
    SubmissionFactory(episode=episode, name="message", kind=Submission.Kind.MESSAGE, text="Thanks!")
    SubmissionFactory(
        episode=episode,
        name="voice",
        email="priya@example.com",
        text="",
        transcript="Ask not what your country",
        transcription_state=TS.FAILED,
    )
    SubmissionFactory(episode=episode, name="tagged").topics.add(topics[0])
    SubmissionFactory(episode=EpisodeFactory(), name="elsewhere", text="Self-play country ask")

    query = query.replace("FIRST", str(topics[0].pk))
    response = host_client.get(url("dashboard:submission_list", slug=episode.slug) + "?" + query)

    assert response.status_code == 200
    assert {s.name for s in response.context["page"]} == expected


def test_list_quick_approve_returns_to_the_filtered_list(host_client, episode):
    submission = SubmissionFactory(episode=episode)
    here = url("dashboard:submission_list", slug=episode.slug) + "?status=new&q=pre"

    response = host_client.post(url("dashboard:submission_approve", submission), {"next": here})

    assert response.status_code == 302
    assert response["Location"] == here
    submission.refresh_from_db()
    assert submission.status == S.APPROVED


def test_next_pointing_off_site_is_ignored(host_client, episode):
    submission = SubmissionFactory(episode=episode)

    response = host_client.post(
        url("dashboard:submission_decline", submission), {"next": "https://evil.example/phish"}
    )

    assert response["Location"] == url("dashboard:submission_detail", submission)


def test_list_paginates(host_client, episode, monkeypatch):
    monkeypatch.setattr("dashboard.views.submissions.PAGE_SIZE", 2)
    SubmissionFactory.create_batch(5, episode=episode)

    first = host_client.get(url("dashboard:submission_list", slug=episode.slug) + "?status=new")
    last = host_client.get(
        url("dashboard:submission_list", slug=episode.slug) + "?status=new&page=3"
    )

    assert len(first.context["page"]) == 2
    assert "status=new&amp;page=2" in first.content.decode()
    assert len(last.context["page"]) == 1


# --- Detail ----------------------------------------------------------------------------------


def test_detail_of_a_voice_message(host_client, voice):
    response = host_client.get(url("dashboard:submission_detail", voice))

    html = response.content.decode()
    audio_src = url("dashboard:submission_audio", voice)
    assert f'<audio controls preload="metadata" src="{audio_src}"' in html
    assert "Machine transcript" in html
    assert 'data-start="64.20"' in html and "1:04" in html  # click-to-seek lines with times
    assert 'name="text"' in html  # the correction form
    assert "ask not what your country can do for you." in html
    assert 'class="check is-suggested"' in html
    assert "Suggested</span> 0.47" in html
    assert "Re-run transcription" in html
    assert "Retry transcription" not in html
    assert response.context["askers"] == ["Priya"]
    assert response.context["can_approve"] and response.context["can_decline"]
    assert not response.context["can_reopen"]


def test_detail_of_a_failed_transcription_shows_why_and_offers_retry(host_client, voice):
    voice.transcription_state = TS.FAILED
    voice.transcript = ""
    voice.transcription_error = "The recording has no audio stream."
    voice.save()

    html = host_client.get(url("dashboard:submission_detail", voice)).content.decode()

    assert "The recording has no audio stream." in html
    assert "Retry transcription" in html


def test_detail_of_a_merged_submission_points_at_its_primary(host_client, episode):
    primary = SubmissionFactory(episode=episode, name="Sam")
    duplicate = SubmissionFactory(episode=episode, status=S.MERGED, merged_into=primary)

    response = host_client.get(url("dashboard:submission_detail", duplicate))

    html = response.content.decode()
    assert f'Merged into <a href="{url("dashboard:submission_detail", primary)}">' in html
    assert 'data-shortcut="a"' not in html  # no approve button
    assert response.context["merge_form"] is None


# --- Actions ---------------------------------------------------------------------------------


NOTHING_LEFT = " Nothing left to decide after it."


@pytest.mark.parametrize(
    ("action", "start", "end", "message"),
    [
        # A decision moves on: nothing else is undecided here, so back to the inbox.
        ("approve", S.NEW, S.APPROVED, "Approved the question from Priya." + NOTHING_LEFT),
        ("decline", S.NEW, S.DECLINED, "Declined the question from Priya." + NOTHING_LEFT),
        ("approve", S.DECLINED, S.APPROVED, "Approved the question from Priya." + NOTHING_LEFT),
        # Back to new is not a decision: it stays.
        ("reopen", S.APPROVED, S.NEW, "Moved the question from Priya back to new."),
    ],
)
def test_status_actions(host_client, voice, action, start, end, message):
    Submission.objects.filter(pk=voice.pk).update(status=start)

    response = host_client.post(url(f"dashboard:submission_{action}", voice), follow=True)

    if action == "reopen":
        assert response.redirect_chain[0] == (url("dashboard:submission_detail", voice), 302)
    else:
        assert response.redirect_chain[0] == (
            url("dashboard:submission_list", slug="2024-recap"),
            302,
        )
    assert messages_of(response) == [("success", message)]
    voice.refresh_from_db()
    assert voice.status == end


def test_status_action_refused_for_a_merged_submission(host_client, episode, voice):
    Submission.objects.filter(pk=voice.pk).update(
        status=S.MERGED, merged_into=SubmissionFactory(episode=episode)
    )

    response = host_client.post(url("dashboard:submission_approve", voice), follow=True)

    assert messages_of(response) == [
        ("error", "This question is merged into another one; approve or decline that one instead.")
    ]
    voice.refresh_from_db()
    assert voice.status == S.MERGED


def test_correct_and_then_clear_the_transcript(host_client, voice):
    response = host_client.post(
        url("dashboard:submission_transcript", voice),
        {"text": "And so, my fellow Americans: ask not what your country can do for you."},
        follow=True,
    )
    assert messages_of(response) == [("success", "Saved your correction.")]
    voice.refresh_from_db()
    assert voice.transcript_edited.startswith("And so, my fellow Americans:")
    assert voice.transcript.startswith("And so my fellow Americans,")
    assert "Your correction" in response.content.decode()

    clear = url("dashboard:submission_transcript", voice)
    response = host_client.post(clear, {"text": ""}, follow=True)

    assert messages_of(response)[0][0] == "success"
    voice.refresh_from_db()
    assert voice.transcript_edited == ""
    assert voice.best_text == voice.transcript


def test_tag_with_topics(host_client, voice, topics):
    response = host_client.post(
        url("dashboard:submission_tag", voice), {"topics": [t.pk for t in topics]}, follow=True
    )

    tagged = "\u201cWhat Ilya Saw in 2014\u201d, \u201cWhat Ilya Sees in 2024\u201d"
    assert messages_of(response) == [("success", f"Tagged with {tagged}.")]
    assert set(voice.topics.all()) == set(topics)

    host_client.post(url("dashboard:submission_tag", voice), {})
    assert voice.topics.count() == 0


def test_tag_with_another_episodes_topic_changes_nothing(host_client, voice, topics):
    voice.topics.add(topics[0])
    foreign = TopicFactory(episode=EpisodeFactory())

    response = host_client.post(
        url("dashboard:submission_tag", voice), {"topics": [topics[1].pk, foreign.pk]}, follow=True
    )

    assert messages_of(response)[0][0] == "error"
    assert list(voice.topics.all()) == [topics[0]]


def test_merge_folds_the_duplicate_into_the_primary(host_client, episode, voice):
    primary = SubmissionFactory(episode=episode, name="Sam", text="Is pre-training over?")

    response = host_client.post(
        url("dashboard:submission_merge", voice), {"primary": primary.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == url("dashboard:submission_detail", primary)
    assert messages_of(response)[0][0] == "success"
    voice.refresh_from_db()
    assert voice.status == S.MERGED and voice.merged_into == primary
    assert response.context["askers"] == ["Sam", "Priya"]
    # The duplicate is never deleted: it stays listed, marked merged.
    listing = host_client.get(
        url("dashboard:submission_list", slug=episode.slug) + "?status=merged"
    )
    assert [s.pk for s in listing.context["page"]] == [voice.pk]


@pytest.mark.parametrize("target", ["itself", "merged", "elsewhere", "missing"])
def test_merge_into_an_impossible_primary_is_refused(host_client, episode, voice, target):
    primary = {
        "itself": lambda: voice,
        "merged": lambda: SubmissionFactory(
            episode=episode, status=S.MERGED, merged_into=SubmissionFactory(episode=episode)
        ),
        "elsewhere": lambda: SubmissionFactory(episode=EpisodeFactory()),
        "missing": lambda: Submission(pk=987654),
    }[target]()

    response = host_client.post(
        url("dashboard:submission_merge", voice), {"primary": primary.pk}, follow=True
    )

    assert messages_of(response)[0][0] == "error"
    voice.refresh_from_db()
    assert voice.status == S.NEW and voice.merged_into is None


def test_retry_queues_the_transcription_again(
    host_client, voice, transcription_queue, django_capture_on_commit_callbacks
):
    Submission.objects.filter(pk=voice.pk).update(
        transcription_state=TS.FAILED, transcription_error="Worker died."
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = host_client.post(url("dashboard:submission_retry", voice), follow=True)

    assert messages_of(response)[0][0] == "success"
    voice.refresh_from_db()
    assert voice.transcription_state == TS.PENDING
    assert transcription_queue.count == 1


def test_retry_while_already_queued_is_refused(host_client, voice, transcription_queue):
    Submission.objects.filter(pk=voice.pk).update(transcription_state=TS.PENDING)

    response = host_client.post(url("dashboard:submission_retry", voice), follow=True)

    assert messages_of(response)[0][0] == "error"
    assert transcription_queue.count == 0


def test_typed_question_can_be_reworded_starting_from_the_listeners_words(host_client, episode):
    typed = SubmissionFactory(episode=episode, text="what comes after pretraining")

    html = host_client.get(url("dashboard:submission_detail", typed)).content.decode()

    assert "Edit the wording for the show" in html
    assert ">\nwhat comes after pretraining</textarea>" in html
    assert "<audio" not in html
    assert "Retry transcription" not in html and "Re-run transcription" not in html


def test_declining_a_question_on_the_run_sheet_says_it_left_the_sheet(host_client, episode):
    from runsheet import services as runsheet_services
    from runsheet.models import Entry

    runsheet_services.runsheet_start(episode=episode)
    segment = runsheet_services.segment_create(episode=episode, title="Lightning round")
    on_sheet = SubmissionFactory(episode=episode, name="Sam", status=S.APPROVED)
    runsheet_services.entry_add(segment=segment, submission=on_sheet)
    elsewhere = SubmissionFactory(episode=episode, name="Ana", status=S.APPROVED)

    response = host_client.post(url("dashboard:submission_decline", on_sheet), follow=True)
    other = host_client.post(url("dashboard:submission_decline", elsewhere), follow=True)

    assert messages_of(response) == [
        (
            "success",
            "Declined the question from Sam. It is no longer on the run-sheet." + NOTHING_LEFT,
        )
    ]
    assert messages_of(other) == [("success", "Declined the question from Ana." + NOTHING_LEFT)]
    assert not Entry.objects.exists()


# --- Recordings not for air ------------------------------------------------------------------


def test_a_recording_without_on_air_consent_is_badged_not_for_air(host_client, episode, voice):
    aired = SubmissionFactory(episode=episode, name="Lee", text="", consent_to_air=True)
    attach_audio(aired, AUDIO / "jfk.webm", seconds=11.0)
    typed = SubmissionFactory(episode=episode, name="Kim", text="Typed only", consent_to_air=False)
    badge = '<span class="badge badge-not-for-air"'

    inbox = host_client.get(url("dashboard:submission_list", slug=episode.slug))
    rows = {
        row.split('"', 1)[0]: row for row in inbox.content.decode().split('id="submission-')[1:]
    }
    assert badge in rows[str(voice.pk)]
    assert ">Not for air</span>" in rows[str(voice.pk)]
    assert badge not in rows[str(aired.pk)]  # agreed to air
    assert badge not in rows[str(typed.pk)]  # nothing to air

    detail = host_client.get(url("dashboard:submission_detail", voice)).content.decode()
    assert badge in detail and ">Not for air</span>" in detail
    assert "lets the hosts listen, not play it on the show: read their words" in detail
    assert badge not in host_client.get(url("dashboard:submission_detail", aired)).content.decode()
