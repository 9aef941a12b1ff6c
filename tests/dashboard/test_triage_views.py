"""Quick triage through HTTP: moving on after a decision, the private decline reason, notes,
the suggested topic in one click, undoing a merge, bulk actions, the history and the admin."""

import pytest
from django.urls import reverse

from episodes.models import HostProfile
from intake import services
from intake.models import Submission, SubmissionEvent
from tests.conftest import AUDIO, attach_audio
from tests.dashboard.pages import messages_of
from tests.dashboard.pages import submission_url as url
from tests.factories import SubmissionFactory, TopicFactory, UserFactory

S = Submission.Status
A = SubmissionEvent.Action


def inbox(episode) -> str:
    return reverse("dashboard:submission_list", kwargs={"slug": episode.slug})


@pytest.fixture
def rows(episode):
    """Five submissions, oldest first: new, approved, new, new, declined."""
    names = ["Ana", "Bo", "Cy", "Di", "Ed"]
    statuses = [S.NEW, S.APPROVED, S.NEW, S.NEW, S.DECLINED]
    return [
        SubmissionFactory(episode=episode, name=name, status=status)
        for name, status in zip(names, statuses, strict=True)
    ]


# --- Moving on after a decision ------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "decline"])
def test_a_decision_on_the_detail_page_opens_the_next_undecided(host_client, host, rows, action):
    ana, _, cy, di, _ = rows

    response = host_client.post(url(f"dashboard:submission_{action}", di))

    assert response.status_code == 302
    assert response["Location"] == url("dashboard:submission_detail", cy)  # Bo is decided
    page = host_client.get(response["Location"])
    verb = "Approved" if action == "approve" else "Declined"
    assert messages_of(page) == [("success", f"{verb} the question from Di.")]
    event = SubmissionEvent.objects.get(submission=di)
    assert (event.action, event.actor) == (A.APPROVED if action == "approve" else A.DECLINED, host)


def test_the_last_decision_goes_back_to_the_inbox_with_a_message(host_client, episode, rows):
    ana = rows[0]

    response = host_client.post(url("dashboard:submission_approve", ana), follow=True)

    assert response.redirect_chain == [(inbox(episode), 302)]
    assert messages_of(response) == [
        ("success", "Approved the question from Ana. Nothing left to decide after it.")
    ]


def test_a_host_who_prefers_to_stay_stays(host_client, host, rows):
    HostProfile.objects.update_or_create(user=host, defaults={"stay_after_decision": True})
    di = rows[3]

    response = host_client.post(url("dashboard:submission_approve", di), follow=True)

    assert response.redirect_chain == [(url("dashboard:submission_detail", di), 302)]
    assert messages_of(response) == [("success", "Approved the question from Di.")]


def test_the_detail_page_says_what_happens_after_a_decision(host_client, host, rows):
    di = rows[3]

    assert (
        "Then the next undecided one opens"
        in host_client.get(url("dashboard:submission_detail", di)).content.decode()
    )
    HostProfile.objects.update_or_create(user=host, defaults={"stay_after_decision": True})
    assert (
        "You stay here after deciding"
        in host_client.get(url("dashboard:submission_detail", di)).content.decode()
    )


def test_a_decision_from_the_inbox_returns_to_the_inbox(host_client, episode, rows):
    here = inbox(episode) + "?status=new"

    response = host_client.post(url("dashboard:submission_approve", rows[3]), {"next": here})

    assert response["Location"] == here


def test_a_refused_decision_stays_on_the_submission(host_client, rows):
    bo = rows[1]  # already approved

    response = host_client.post(url("dashboard:submission_approve", bo), follow=True)

    assert response.redirect_chain == [(url("dashboard:submission_detail", bo), 302)]
    assert messages_of(response) == [("error", "This question is already approved.")]


def test_back_to_new_stays_on_the_submission(host_client, rows):
    bo = rows[1]

    response = host_client.post(url("dashboard:submission_reopen", bo))

    assert response["Location"] == url("dashboard:submission_detail", bo)


# --- The private decline reason ------------------------------------------------------------


def test_decline_with_a_private_reason_shown_to_hosts_only(client, host_client, episode, rows):
    di = rows[3]

    host_client.post(url("dashboard:submission_decline", di), {"reason": "Asked last week."})

    di.refresh_from_db()
    assert (di.status, di.decline_reason) == (S.DECLINED, "Asked last week.")
    page = host_client.get(url("dashboard:submission_detail", di)).content.decode()
    assert "Declined because" in page and "Asked last week." in page
    # Never anywhere public: the question page, the thanks page, the home page.
    client.logout()
    for public in ("/", episode.get_absolute_url()):
        assert "Asked last week." not in client.get(public).content.decode()
    # Once approved again, the old reason is no longer shown.
    services.submission_approve(submission=di)
    page = host_client.get(url("dashboard:submission_detail", di)).content.decode()
    assert "Asked last week." not in page


def test_a_too_long_reason_is_refused(host_client, rows):
    di = rows[3]

    response = host_client.post(
        url("dashboard:submission_decline", di), {"reason": "x" * 2_001}, follow=True
    )

    assert messages_of(response)[0][0] == "error"
    assert Submission.objects.get(pk=di.pk).status == S.NEW


# --- Notes ---------------------------------------------------------------------------------


def test_notes_are_saved_then_cleared(host_client, host, rows):
    di = rows[3]
    notes_url = url("dashboard:submission_notes", di)

    saved = host_client.post(notes_url, {"host_notes": "Play it in the intro."}, follow=True)
    cleared = host_client.post(notes_url, {"host_notes": ""}, follow=True)

    assert saved.redirect_chain[0][0] == url("dashboard:submission_detail", di) + "#notes"
    assert messages_of(saved) == [("success", "Saved your notes.")]
    assert "Play it in the intro.</textarea>" in saved.content.decode()
    assert messages_of(cleared) == [("success", "Notes cleared.")]
    assert Submission.objects.get(pk=di.pk).host_notes == ""
    assert list(SubmissionEvent.objects.filter(submission=di).values_list("action", "actor")) == [
        (A.NOTED, host.pk),
        (A.NOTED, host.pk),
    ]


# --- Accepting the suggested topic ---------------------------------------------------------


@pytest.fixture
def suggested(episode):
    scaling = TopicFactory(episode=episode, title="Scaling", position=0)
    agents = TopicFactory(episode=episode, title="Agents", position=1)
    submission = SubmissionFactory(
        episode=episode, name="Priya", suggested_topic=scaling, suggested_topic_score=0.5
    )
    submission.topics.add(agents)
    return submission, scaling, agents


def test_the_suggested_topic_is_one_click_or_t(host_client, host, suggested):
    submission, scaling, agents = suggested
    page = host_client.get(url("dashboard:submission_detail", submission)).content.decode()
    assert 'data-shortcut="t"' in page
    assert url("dashboard:submission_accept_topic", submission) in page

    response = host_client.post(url("dashboard:submission_accept_topic", submission), follow=True)

    assert messages_of(response) == [("success", "Tagged with \u201cScaling\u201d.")]
    assert set(submission.topics.all()) == {scaling, agents}  # added, nothing removed
    event = SubmissionEvent.objects.get(submission=submission)
    assert (event.action, event.actor, event.from_value, event.to_value) == (
        A.TAGGED,
        host,
        "Agents",
        "Scaling, Agents",
    )
    assert 'data-shortcut="t"' not in response.content.decode()  # accepted: no button


def test_accepting_twice_or_without_a_suggestion_changes_nothing(host_client, episode, suggested):
    submission, scaling, _ = suggested
    submission.topics.add(scaling)
    plain = SubmissionFactory(episode=episode)

    again = host_client.post(url("dashboard:submission_accept_topic", submission), follow=True)
    nothing = host_client.post(url("dashboard:submission_accept_topic", plain), follow=True)

    assert messages_of(again) == [("info", "Already tagged with \u201cScaling\u201d.")]
    assert messages_of(nothing) == [("error", "There is no suggested topic to accept.")]
    assert not SubmissionEvent.objects.exists()


# --- Undoing a merge -----------------------------------------------------------------------


def test_a_merged_submission_has_its_forms_disabled_and_an_undo(host_client, episode, suggested):
    submission, *_ = suggested
    primary = SubmissionFactory(episode=episode, name="Sam")
    services.submission_merge(duplicate=submission, primary=primary)

    html = host_client.get(url("dashboard:submission_detail", submission)).content.decode()

    assert f'Merged into <a href="{url("dashboard:submission_detail", primary)}">' in html
    assert url("dashboard:submission_unmerge", submission) in html
    assert 'data-shortcut="a"' not in html and 'data-shortcut="d"' not in html
    assert 'data-shortcut="t"' not in html  # no accepting a topic either
    assert '<fieldset class="topic-checks" disabled>' in html
    assert html.count('<fieldset class="plain" disabled>') == 2  # the wording and the notes
    assert "Undo the merge" in html


def test_undo_a_merge_from_the_detail_page(host_client, host, episode):
    primary = SubmissionFactory(episode=episode, name="Sam")
    duplicate = SubmissionFactory(episode=episode, name="Lee", status=S.APPROVED)
    services.submission_merge(duplicate=duplicate, primary=primary, actor=host)

    response = host_client.post(url("dashboard:submission_unmerge", duplicate), follow=True)

    assert response.redirect_chain == [(url("dashboard:submission_detail", duplicate), 302)]
    assert messages_of(response) == [
        (
            "success",
            f"Undid the merge: #{duplicate.pk} from Lee is on its own again (approved) "
            f"and no longer listed on #{primary.pk}.",
        )
    ]
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (S.APPROVED, None)
    primary_page = host_client.get(url("dashboard:submission_detail", primary))
    assert primary_page.context["askers"] == ["Sam"]


def test_undo_of_a_submission_that_is_not_merged_is_refused(host_client, rows):
    response = host_client.post(url("dashboard:submission_unmerge", rows[0]), follow=True)

    assert messages_of(response) == [("error", "This question is not merged into another.")]


# --- Bulk actions --------------------------------------------------------------------------


def bulk(client, episode, action: str, ids, **extra):
    data = {"action": action, "ids": [str(pk) for pk in ids], "next": inbox(episode), **extra}
    return client.post(url("dashboard:submission_bulk", slug=episode.slug), data, follow=True)


def test_bulk_approve_with_mixed_refusals(host_client, host, episode, rows):
    ana, bo, cy, di, ed = rows
    merged = SubmissionFactory(episode=episode, name="Fay")
    services.submission_merge(duplicate=merged, primary=ana)
    foreign = SubmissionFactory(name="Elsewhere")

    response = bulk(
        host_client, episode, "approve", [ana.pk, bo.pk, cy.pk, ed.pk, merged.pk, foreign.pk]
    )

    assert response.redirect_chain == [(inbox(episode), 302)]
    [(level, text)] = messages_of(response)
    assert level == "warning"
    assert text.startswith("Approved 3 submissions. Not changed (3): ")
    assert f"#{bo.pk}: This question is already approved." in text
    assert f"#{merged.pk}: This question is merged into another one" in text
    assert f"#{foreign.pk}: no such submission in this episode." in text
    statuses = dict(Submission.objects.filter(episode=episode).values_list("name", "status"))
    assert statuses == {
        "Ana": S.APPROVED,
        "Bo": S.APPROVED,
        "Cy": S.APPROVED,
        "Di": S.NEW,  # not ticked
        "Ed": S.APPROVED,  # declined, then approved
        "Fay": S.MERGED,
    }
    assert Submission.objects.get(pk=foreign.pk).status == S.NEW
    assert SubmissionEvent.objects.filter(action=A.APPROVED, actor=host).count() == 3


def test_bulk_decline_all_done(host_client, episode, rows):
    ana, _, cy, di, _ = rows

    response = bulk(host_client, episode, "decline", [ana.pk, cy.pk, di.pk])

    assert messages_of(response) == [("success", "Declined 3 submissions.")]
    assert set(Submission.objects.filter(status=S.DECLINED).values_list("name", flat=True)) == {
        "Ana",
        "Cy",
        "Di",
        "Ed",
    }


def test_bulk_tag_adds_the_topic(host_client, episode, rows):
    ana, bo, *_ = rows
    scaling = TopicFactory(episode=episode, title="Scaling")
    agents = TopicFactory(episode=episode, title="Agents")
    ana.topics.add(agents)
    bo.topics.add(scaling)

    response = bulk(host_client, episode, "tag", [ana.pk, bo.pk], topic=str(scaling.pk))

    [(level, text)] = messages_of(response)
    assert level == "warning"
    assert text == (
        f"Tagged 1 submission with \u201cScaling\u201d. Not changed (1): "
        f"#{bo.pk}: already tagged with \u201cScaling\u201d."
    )
    assert set(ana.topics.all()) == {scaling, agents}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "approve"}, "Tick the submissions to act on first."),
        ({"action": "explode", "ids": ["1"]}, "Select a valid choice."),
        ({"action": "tag", "ids": ["1"]}, "Pick the topic to tag them with."),
        ({"action": "tag", "ids": ["1"], "topic": "999999"}, "Pick a topic of this episode."),
    ],
)
def test_bulk_refuses_what_it_cannot_do(host_client, episode, rows, data, message):
    response = host_client.post(
        url("dashboard:submission_bulk", slug=episode.slug), data, follow=True
    )

    [(level, text)] = messages_of(response)
    assert level == "error"
    assert text.startswith(message)
    assert not SubmissionEvent.objects.exists()


def test_bulk_refuses_too_many_at_once(host_client, episode):
    ids = [str(pk) for pk in range(1, 502)]

    response = host_client.post(
        url("dashboard:submission_bulk", slug=episode.slug),
        {"action": "approve", "ids": ids},
        follow=True,
    )

    assert messages_of(response) == [("error", "Select at most 500 submissions at a time.")]


def test_the_inbox_has_a_selection_and_an_action_bar(host_client, episode, rows):
    TopicFactory(episode=episode, title="Scaling")
    html = host_client.get(inbox(episode)).content.decode()

    assert f'action="{url("dashboard:submission_bulk", slug=episode.slug)}"' in html
    assert 'id="bulk-form"' in html
    for row in rows:
        assert f'name="ids" value="{row.pk}" form="bulk-form"' in html
    assert 'name="action" value="approve"' in html and 'name="action" value="tag"' in html
    assert '<select name="topic" id="bulk_topic">' in html


# --- Inline clips --------------------------------------------------------------------------


def test_the_clip_length_links_to_the_protected_audio(host_client, episode):
    voice = SubmissionFactory(episode=episode, name="Priya", text="")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)

    html = host_client.get(inbox(episode)).content.decode()

    audio = url("dashboard:submission_audio", voice)
    assert f'<a class="duration play-clip" href="{audio}" data-play-clip' in html
    assert "data-clip-player" in html


# --- History -------------------------------------------------------------------------------


def test_the_detail_page_shows_the_history(host_client, host, episode):
    topic = TopicFactory(episode=episode, title="Scaling")
    submission = SubmissionFactory(episode=episode, name="Priya")
    services.event_record(submission=submission, action=A.RECEIVED)
    services.submission_tag(submission=submission, topics=[topic], actor=host)
    services.submission_decline(submission=submission, actor=host, reason="Too long.")

    response = host_client.get(url("dashboard:submission_detail", submission))

    history = response.context["history"]
    assert [(row["who"], row["what"], row["from"], row["to"]) for row in history] == [
        ("host", "Declined", "New", "Declined"),
        ("host", "Tagged", "no topics", "Scaling"),
        ("The listener", "Received", "", ""),
    ]
    html = response.content.decode()
    assert 'id="history"' in html and "<strong>host</strong> · Declined" in html


def test_the_history_describes_merges_on_both_sides(host_client, host, episode):
    primary = SubmissionFactory(episode=episode, name="Sam")
    duplicate = SubmissionFactory(episode=episode, name="Lee")
    services.submission_merge(duplicate=duplicate, primary=primary, actor=host)
    services.submission_unmerge(duplicate=duplicate, actor=host)

    def rows_of(submission):
        page = host_client.get(url("dashboard:submission_detail", submission))
        return [(r["what"], r["other"], r["from"], r["to"]) for r in page.context["history"]]

    assert rows_of(duplicate) == [
        ("Merge undone, out of", primary.pk, "Merged into another", "New"),
        ("Merged into", primary.pk, "New", "Merged into another"),
    ]
    assert rows_of(primary) == [
        ("Merge undone, out went", duplicate.pk, "", ""),
        ("Merged here:", duplicate.pk, "", ""),
    ]


@pytest.mark.parametrize("events", [1, 25])
def test_the_history_costs_the_same_queries_however_long(host_client, host, episode, events):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submission = SubmissionFactory(episode=episode, name="Priya")
    other = UserFactory(username="co-host")
    for index in range(events):
        services.submission_notes_update(
            submission=submission, notes=f"Note {index}", actor=host if index % 2 else other
        )
    detail = url("dashboard:submission_detail", submission)
    host_client.get(detail)  # warm the session

    with CaptureQueriesContext(connection) as queries:
        response = host_client.get(detail)

    assert len(response.context["history"]) == events
    event_queries = [q for q in queries.captured_queries if "intake_submissionevent" in q["sql"]]
    assert len(event_queries) == 1  # the events and their hosts, in one query


# --- The admin -----------------------------------------------------------------------------


def test_events_in_the_admin_are_read_only_filterable_and_searchable(client, host, episode):
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)
    submission = SubmissionFactory(episode=episode, name="Priya")
    services.submission_approve(submission=submission, actor=host)
    services.submission_notes_update(submission=submission, notes="Call back", actor=admin)
    changelist = reverse("admin:intake_submissionevent_changelist")

    everything = client.get(changelist)
    approved = client.get(changelist, {"action__exact": "approved"})
    by_host = client.get(changelist, {"actor__id__exact": host.pk})
    by_episode = client.get(changelist, {"submission__episode__id__exact": episode.pk})
    found = client.get(changelist, {"q": "Call back"})

    assert everything.status_code == 200
    assert len(everything.context["cl"].result_list) == 2
    assert [e.action for e in approved.context["cl"].result_list] == [A.APPROVED]
    assert [e.action for e in by_host.context["cl"].result_list] == [A.APPROVED]
    assert len(by_episode.context["cl"].result_list) == 2
    assert [e.action for e in found.context["cl"].result_list] == [A.NOTED]
    event = SubmissionEvent.objects.get(action=A.APPROVED)
    change = client.get(reverse("admin:intake_submissionevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False
    assert client.get(reverse("admin:intake_submissionevent_add")).status_code == 403
    deleting = client.post(
        reverse("admin:intake_submissionevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert deleting.status_code == 403
    assert SubmissionEvent.objects.filter(pk=event.pk).exists()


def test_admin_actions_record_the_admin_as_actor(client, episode):
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)
    submission = SubmissionFactory(episode=episode)

    client.post(
        reverse("admin:intake_submission_changelist"),
        {"action": "approve", "_selected_action": [submission.pk]},
    )

    event = SubmissionEvent.objects.get(submission=submission)
    assert (event.action, event.actor) == (A.APPROVED, admin)
