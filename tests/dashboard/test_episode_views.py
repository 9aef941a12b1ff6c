"""The episode pages (create, edit, open and close, share, hosts), the host's settings, times
in the host's zone, and the essay import's preview page."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from dashboard.middleware import HostPagesMiddleware
from episodes import services
from episodes.models import Episode, HostProfile
from tests.conftest import ESSAY
from tests.dashboard.pages import messages_of
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def url(name: str, episode=None, **kwargs) -> str:
    if episode is not None:
        kwargs["slug"] = episode.slug
    return reverse(f"dashboard:{name}", kwargs=kwargs)


def in_berlin(host) -> None:
    HostProfile.objects.create(user=host, time_zone="Europe/Berlin")


EPISODE_FORM = {
    "title": "Ask Us Anything",
    "slug": "",
    "intro": "Send us **anything**.",
    "recording_at": "2031-03-03T17:00",
    "submissions_close_at": "2031-03-02T23:59",
    "max_audio_seconds": "2m",
    "target_minutes": "1h30m",
    "answer_seconds_default": "1:30",
}


# --- Creating ---------------------------------------------------------------------------------


def test_create_an_episode_typed_in_the_hosts_time_zone(host_client, host):
    in_berlin(host)

    response = host_client.post(url("episode_create"), EPISODE_FORM)

    episode = Episode.objects.get(slug="ask-us-anything")  # made from the title
    assert response.status_code == 302
    assert response["Location"] == url("episode_update", episode)
    assert list(episode.hosts.all()) == [host]
    assert episode.recording_at == dt.datetime(2031, 3, 3, 17, 0, tzinfo=BERLIN)
    assert episode.submissions_close_at == dt.datetime(2031, 3, 2, 23, 59, tzinfo=BERLIN)
    assert (episode.max_audio_seconds, episode.target_minutes) == (120, 90)
    assert episode.answer_seconds_default == 90
    page = host_client.get(response["Location"])
    assert messages_of(page)[0][0] == "success"
    assert 'value="2031-03-03T17:00"' in page.content.decode()  # shown as typed, in Berlin


def test_the_create_form_starts_next_monday_with_the_usual_lengths(host_client):
    page = host_client.get(url("episode_create"))

    form = page.context["form"]
    assert form["max_audio_seconds"].value() == "1:30"
    assert form["answer_seconds_default"].value() == "2:00"
    assert form["target_minutes"].value() == "60"
    assert form.initial["recording_at"].weekday() == 0
    assert "Your time zone: UTC." in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "settings"}, "slug", "is reserved: the dashboard uses that address"),
        ({"slug": "episodes"}, "slug", "is reserved"),
        ({"max_audio_seconds": "1:75"}, "max_audio_seconds", "seconds run from 00 to 59"),
        ({"max_audio_seconds": "2h"}, "max_audio_seconds", "Choose between 5 seconds and"),
        ({"target_minutes": "1:30"}, "target_minutes", "Type whole minutes"),
        ({"recording_at": "tomorrow"}, "recording_at", "Enter a valid date/time."),
        (
            {"submissions_close_at": "2031-03-04T10:00"},
            "submissions_close_at",
            "Questions have to close before the recording starts.",
        ),
    ],
)
def test_create_shows_what_is_wrong_at_the_field(host_client, changes, field, message):
    response = host_client.post(url("episode_create"), {**EPISODE_FORM, **changes})

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Episode.objects.exists()


def test_a_user_who_hosts_nothing_may_create_an_episode(client):
    plain = UserFactory(username="plain", is_staff=False)
    client.force_login(plain)

    response = client.post(url("episode_create"), {**EPISODE_FORM, "slug": "mine"})

    assert response.status_code == 302
    assert list(Episode.objects.get(slug="mine").hosts.all()) == [plain]


# --- Editing, sharing, closing ----------------------------------------------------------------


def test_edit_page_shows_the_link_to_share_with_a_copy_button(host_client, episode, settings):
    settings.SITE_URL = ""
    page = host_client.get(url("episode_update", episode)).content.decode()

    assert 'value="http://testserver/ask/2024-recap/"' in page
    assert "readonly data-copy-source" in page
    assert "data-copy-button hidden>Copy link</button>" in page  # shown by the script
    assert "/static/dashboard/episodes.js" in page

    settings.SITE_URL = "https://mailbag.example.com"
    page = host_client.get(url("episode_update", episode)).content.decode()
    assert 'value="https://mailbag.example.com/ask/2024-recap/"' in page


def test_edit_an_episode_and_move_its_slug(host_client, episode):
    data = {
        **EPISODE_FORM,
        "slug": "recap-2024",
        "recording_at": timezone.localtime(episode.recording_at).strftime("%Y-%m-%dT%H:%M"),
        "submissions_close_at": "",
    }

    response = host_client.post(url("episode_update", episode), data)

    episode.refresh_from_db()
    assert response["Location"] == url("episode_update", episode)
    assert (episode.slug, episode.title, episode.submissions_close_at) == (
        "recap-2024",
        "Ask Us Anything",
        None,
    )
    assert host_client.get(url("submission_list", episode)).status_code == 200


def test_saving_without_changes_says_so(host_client, episode):
    whole_minutes = dt.datetime(2031, 3, 3, 17, 0, tzinfo=dt.UTC)
    Episode.objects.filter(pk=episode.pk).update(
        recording_at=whole_minutes, submissions_close_at=whole_minutes - dt.timedelta(days=1)
    )
    form = host_client.get(url("episode_update", episode)).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data = {
        k: (v.strftime("%Y-%m-%dT%H:%M") if hasattr(v, "strftime") else v) for k, v in data.items()
    }

    response = host_client.post(url("episode_update", episode), data, follow=True)

    assert messages_of(response) == [("info", "Nothing to save: no changes.")]


def test_an_invalid_edit_shows_the_episode_as_saved(host_client, episode):
    response = host_client.post(
        url("episode_update", episode), {**EPISODE_FORM, "title": "", "slug": "settings"}
    )

    assert response.status_code == 200
    assert response.context["episode"].slug == "2024-recap"
    assert set(response.context["form"].errors) == {"title"}  # the form stops first
    response = host_client.post(
        url("episode_update", episode), {**EPISODE_FORM, "slug": "settings"}
    )
    assert "is reserved" in response.content.decode()
    assert Episode.objects.get(pk=episode.pk).slug == "2024-recap"


def test_close_now_then_reopen_until_a_time(host_client, episode, host):
    in_berlin(host)

    response = host_client.post(url("episode_open_close", episode), {"action": "close"})

    assert response["Location"].endswith("#open-close")
    episode.refresh_from_db()
    assert not episode.accepts_submissions()
    page = host_client.get(url("episode_update", episode)).content.decode()
    assert "Closed</span>" in page and ">Reopen</button>" in page
    assert (
        host_client.post(url("episode_open_close", episode), {"action": "close"}).status_code == 302
    )

    until = timezone.localtime(episode.recording_at, BERLIN) - dt.timedelta(hours=1)
    response = host_client.post(
        url("episode_open_close", episode),
        {"action": "reopen", "close_at": until.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )

    episode.refresh_from_db()
    assert episode.accepts_submissions()
    assert episode.submissions_close_at == until.replace(second=0, microsecond=0)
    level, text = messages_of(response)[-1]
    assert level == "success"
    assert text.startswith("Open: the question page takes questions until ")
    assert "CET" in text or "CEST" in text  # in the host's zone


def test_reopen_without_a_time_and_refusals(host_client, episode):
    services.episode_close_now(episode=episode)

    response = host_client.post(
        url("episode_open_close", episode),
        {"action": "reopen", "close_at": "2001-01-01T10:00"},
        follow=True,
    )
    assert messages_of(response)[-1] == (
        "error",
        "Pick a closing time in the future, or leave it empty.",
    )

    response = host_client.post(
        url("episode_open_close", episode), {"action": "reopen"}, follow=True
    )
    assert messages_of(response)[-1] == (
        "success",
        "Open: the question page takes questions until you close it.",
    )
    episode.refresh_from_db()
    assert episode.submissions_close_at is None


def test_closing_twice_is_only_news_once(host_client, episode):
    host_client.post(url("episode_open_close", episode), {"action": "close"})
    response = host_client.post(
        url("episode_open_close", episode), {"action": "close"}, follow=True
    )
    assert messages_of(response)[-1] == ("info", "The question page was already closed.")


# --- Hosts ------------------------------------------------------------------------------------


def test_add_a_co_host_who_then_sees_the_episode(host_client, episode, client):
    sam = UserFactory(username="sam", email="sam@example.com", is_staff=False)

    response = host_client.post(url("episode_hosts", episode), {"user": "SAM@example.com"})

    assert response.status_code == 302
    assert set(episode.hosts.all()) >= {sam}
    page = host_client.get(response["Location"])
    assert ("success", "sam now hosts “2024 Recap”.") in messages_of(page)
    assert "sam@example.com" in page.content.decode()


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "No active account has the user name or email address"),
        ("host", "host already hosts this episode."),
        ("", "This field is required."),
    ],
)
def test_adding_a_co_host_explains_a_refusal(host_client, episode, who, message):
    response = host_client.post(url("episode_hosts", episode), {"user": who})

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["user"])


def test_remove_a_co_host_but_not_the_last(host_client, episode, host):
    co = UserFactory(username="co")
    episode.hosts.add(co)
    page = host_client.get(url("episode_hosts", episode)).content.decode()
    assert page.count(">Remove") == 2

    response = host_client.post(url("episode_host_remove", episode, user_id=co.pk), follow=True)
    assert ("success", "co no longer hosts “2024 Recap”.") in messages_of(response)
    assert list(episode.hosts.all()) == [host]
    assert ">Remove" not in response.content.decode()  # the last host has no button

    response = host_client.post(url("episode_host_remove", episode, user_id=host.pk), follow=True)
    assert messages_of(response)[-1][0] == "error"
    assert "only host" in messages_of(response)[-1][1]
    assert list(episode.hosts.all()) == [host]


def test_removing_yourself_goes_back_to_your_episodes(host_client, episode, host):
    episode.hosts.add(UserFactory(username="co"))

    response = host_client.post(url("episode_host_remove", episode, user_id=host.pk))

    assert response["Location"] == url("episode_list")
    assert host_client.get(url("submission_list", episode)).status_code == 404


def test_removing_a_user_who_is_not_a_host_is_404(host_client, episode, other_host):
    response = host_client.post(url("episode_host_remove", episode, user_id=other_host.pk))
    assert response.status_code == 404


# --- Who sees what ----------------------------------------------------------------------------


def test_staff_who_host_nothing_see_no_episodes(client, episode):
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)

    page = client.get(url("episode_list"))

    assert list(page.context["episodes"]) == []
    assert "2024 Recap" not in page.content.decode()
    assert client.get(url("submission_list", episode)).status_code == 404
    assert client.get(url("episode_update", episode)).status_code == 404


def test_superusers_see_and_open_every_episode(client, episode):
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)

    page = client.get(url("episode_list"))

    assert [e.slug for e in page.context["episodes"]] == ["2024-recap"]
    assert client.get(url("submission_list", episode)).status_code == 200
    assert client.get(url("episode_update", episode)).status_code == 200


# --- Settings and time zones ------------------------------------------------------------------


def test_save_settings(host_client, host):
    page = host_client.get(url("host_settings"))
    assert page.context["form"]["notify"].value() == "off"
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in page.content.decode()

    response = host_client.post(
        url("host_settings"),
        {"time_zone": "America/New_York", "notify": "each", "stay_after_decision": "on"},
        follow=True,
    )

    assert messages_of(response) == [("success", "Saved your settings.")]
    profile = HostProfile.objects.get(user=host)
    assert (profile.time_zone, profile.notify, profile.stay_after_decision) == (
        "America/New_York",
        "each",
        True,
    )
    assert "(America/New_York)" in response.content.decode()


def test_settings_refuse_an_unknown_zone(host_client, host):
    response = host_client.post(
        url("host_settings"), {"time_zone": "Mars/Olympus", "notify": "off"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert not HostProfile.objects.exists()


def test_settings_say_when_there_is_no_email_address(client):
    user = UserFactory(username="no-mail", email="")
    client.force_login(user)
    assert "has no email address yet" in client.get(url("host_settings")).content.decode()


def test_host_pages_show_times_in_the_hosts_zone(host_client, host, episode):
    recording = dt.datetime(2031, 1, 6, 17, 0, tzinfo=dt.UTC)
    Episode.objects.filter(pk=episode.pk).update(recording_at=recording, submissions_close_at=None)

    assert (
        "Recording Mon 6 Jan, 17:00"
        in host_client.get(url("submission_list", episode)).content.decode()
    )
    in_berlin(host)
    page = host_client.get(url("submission_list", episode)).content.decode()
    assert "Recording Mon 6 Jan, 18:00" in page


def test_the_zone_is_only_for_host_pages_and_only_for_that_request(host_client, host, episode):
    in_berlin(host)

    host_client.get(url("episode_list"))
    assert timezone.get_current_timezone_name() == "UTC"  # deactivated afterwards
    ask = host_client.get(reverse("intake:ask", kwargs={"slug": episode.slug})).content.decode()
    assert "UTC" in ask  # the public page stays in the site's zone, named
    assert "CET" not in ask


def test_the_middleware_costs_one_query_on_host_pages_and_none_elsewhere(
    host, django_assert_num_queries
):
    in_berlin(host)
    seen = []
    middleware = HostPagesMiddleware(
        lambda request: seen.append(timezone.get_current_timezone_name()) or HttpResponse()
    )

    def call(path, user):
        request = RequestFactory().get(path)
        request.user = user
        middleware(request)

    with django_assert_num_queries(1):
        call(url("episode_list"), host)
    with django_assert_num_queries(0):
        call(url("episode_list"), AnonymousUser())
        call(reverse("intake:home"), host)
    assert seen == ["Europe/Berlin", "UTC", "UTC"]
    assert timezone.get_current_timezone_name() == "UTC"


# --- The public page's deadline in the listener's own time ------------------------------------


def test_the_ask_page_names_its_zone_and_gives_the_browser_the_instant(client, episode):
    closes = dt.datetime(2031, 3, 2, 23, 59, tzinfo=dt.UTC)
    Episode.objects.filter(pk=episode.pk).update(submissions_close_at=closes)

    html = client.get(reverse("intake:ask", kwargs={"slug": episode.slug})).content.decode()

    assert "Questions close Sunday 2 March, 23:59 UTC" in html
    assert (
        '<time class="local-time" datetime="2031-03-02T23:59:00+00:00" data-local-time '
        'data-page-zone="UTC" hidden></time>'
    ) in html
    assert "/static/intake/local-time.js" in html


# --- The essay import's preview ---------------------------------------------------------------


def import_url(episode) -> str:
    return url("essay_import", episode)


def test_posting_the_essay_previews_without_changing_anything(host_client, episode):
    TopicFactory(episode=episode, title="Unused", position=0)
    kept = TopicFactory(episode=episode, title="Tagged", position=1)
    SubmissionFactory(episode=episode).topics.add(kept)
    before = list(episode.topics.values_list("pk", "title", "summary", "position"))

    response = host_client.post(import_url(episode), {"markdown": ESSAY.read_text()})

    assert response.status_code == 200
    html = response.content.decode()
    assert "What importing this essay changes" in html
    assert "Added (4)" in html
    assert "<strong>Unused</strong>: <em>deleted</em>" in html
    assert "<strong>Tagged</strong>: <em>kept</em>" in html
    assert "a renamed heading shows as one topic gone and one added" in html
    assert list(episode.topics.values_list("pk", "title", "summary", "position")) == before


def test_confirming_keeps_edited_summaries_unless_asked(host_client, episode):
    topic = TopicFactory(episode=episode, title="What Ilya Saw in 2014", summary="Old.")
    services.topic_update(topic=topic, title=topic.title, summary="Ours.")

    preview = host_client.post(import_url(episode), {"markdown": ESSAY.read_text()})
    html = preview.content.decode()
    assert "<strong>Kept</strong>: you edited it" in html
    assert "Overwrite the summaries I edited with the essay&#x27;s" in html
    form = preview.context["confirm_form"]
    data = {
        name: form[name].value() for name in ("confirm", "essay", "heading_level", "fingerprint")
    }

    response = host_client.post(import_url(episode), data)
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.summary == "Ours."
    report = host_client.get(response["Location"]).context["report"]
    assert report["summaries_kept"]["titles"] == ["What Ilya Saw in 2014"]

    preview = host_client.post(import_url(episode), {"markdown": ESSAY.read_text()})
    form = preview.context["confirm_form"]
    data = {
        name: form[name].value() for name in ("confirm", "essay", "heading_level", "fingerprint")
    }
    host_client.post(import_url(episode), {**data, "overwrite_edited_summaries": "on"})
    topic.refresh_from_db()
    assert topic.summary != "Ours." and not topic.summary_edited


def test_an_uploaded_essay_survives_the_round_trip_through_the_preview(host_client, episode):
    upload = SimpleUploadedFile("essay.md", b"## One\r\n\r\nFirst.\r\n\r\n## Two\n\nSecond.\n")
    preview = host_client.post(import_url(episode), {"file": upload})
    form = preview.context["confirm_form"]
    # What a browser sends back: the hidden field's line breaks as CRLF.
    essay = form["essay"].value().replace("\n", "\r\n")
    data = {
        "confirm": "1",
        "essay": essay,
        "heading_level": "2",
        "fingerprint": form["fingerprint"].value(),
    }

    response = host_client.post(import_url(episode), data)

    assert response.status_code == 302
    assert list(episode.topics.values_list("title", flat=True)) == ["One", "Two"]


def test_a_stale_preview_shows_the_new_one_and_imports_nothing(host_client, episode):
    unused = TopicFactory(episode=episode, title="Unused")
    preview = host_client.post(import_url(episode), {"markdown": ESSAY.read_text()})
    form = preview.context["confirm_form"]
    data = {
        name: form[name].value() for name in ("confirm", "essay", "heading_level", "fingerprint")
    }
    SubmissionFactory(episode=episode).topics.add(unused)  # another host tags it meanwhile

    response = host_client.post(import_url(episode), data)

    assert response.status_code == 200
    assert messages_of(response)[0][0] == "warning"
    assert "<strong>Unused</strong>: <em>kept</em>" in response.content.decode()
    assert list(episode.topics.values_list("title", flat=True)) == ["Unused"]
    assert response.context["confirm_form"]["fingerprint"].value() != data["fingerprint"]


def test_a_broken_confirmation_imports_nothing(host_client, episode):
    response = host_client.post(
        import_url(episode), {"confirm": "1", "essay": "## A\n"}, follow=True
    )
    assert messages_of(response)[0][0] == "error"
    assert not episode.topics.exists()


def test_other_users_cannot_preview_an_episodes_import(other_host_client, episode):
    TopicFactory(episode=episode, title="Secret topic")

    response = other_host_client.post(import_url(episode), {"markdown": ESSAY.read_text()})

    assert response.status_code == 404
    assert b"Secret topic" not in response.content


def test_an_episode_of_another_show_cannot_be_reached_through_the_hosts_pages(host_client):
    theirs = EpisodeFactory(slug="theirs", hosts=[UserFactory(username="them")])
    for name in ("episode_update", "episode_hosts"):
        assert host_client.get(url(name, theirs)).status_code == 404
    assert (
        host_client.post(url("episode_open_close", theirs), {"action": "close"}).status_code == 404
    )
    assert Episode.objects.get(pk=theirs.pk).accepts_submissions()
