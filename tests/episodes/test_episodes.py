"""Managing an episode: create, edit, close and reopen, its hosts; a host's own settings; who
sees which episodes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from episodes import services
from episodes.models import Episode, HostProfile
from intake import selectors
from tests.factories import EpisodeFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# --- Creating ---------------------------------------------------------------------------------


def test_create_with_every_field(host):
    episode = services.episode_create(
        slug="ask-us-anything",
        title="  Ask Us Anything ",
        intro="Send **anything**.",
        recording_at=MONDAY,
        submissions_close_at=MONDAY - dt.timedelta(hours=1),
        max_audio_seconds=120,
        target_minutes=45,
        answer_seconds_default=90,
        hosts=[host],
    )

    episode.refresh_from_db()
    assert episode.title == "Ask Us Anything"
    assert (episode.max_audio_seconds, episode.target_minutes) == (120, 45)
    assert episode.answer_seconds_default == 90
    assert list(episode.hosts.all()) == [host]


@pytest.mark.parametrize("slug", ["episodes", "settings", "Settings"])
def test_reserved_slugs_are_refused_with_a_clear_message(host, slug):
    with pytest.raises(ValidationError) as refused:
        services.episode_create(slug=slug, title="Clash", hosts=[host])

    assert codes(refused.value) == {"slug": ["reserved_slug"]}
    assert "is reserved: the dashboard uses that address" in str(refused.value)
    assert not Episode.objects.exists()


def test_reserved_slugs_are_refused_in_the_admin_too():
    episode = EpisodeFactory.build(slug="settings")
    with pytest.raises(ValidationError, match="reserved"):
        episode.full_clean()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"max_audio_seconds": 2}, {"max_audio_seconds": ["out_of_bounds"]}),
        ({"max_audio_seconds": 3600}, {"max_audio_seconds": ["out_of_bounds"]}),
        ({"target_minutes": 0}, {"target_minutes": ["out_of_bounds"]}),
        ({"answer_seconds_default": 7200}, {"answer_seconds_default": ["out_of_bounds"]}),
        (
            {"submissions_close_at": MONDAY + dt.timedelta(minutes=1)},
            {"submissions_close_at": ["close_after_recording"]},
        ),
        ({"title": "   "}, {"title": ["blank"]}),
    ],
)
def test_create_refuses_what_makes_no_sense(fields, expected):
    arguments = {"slug": "x", "title": "X", "recording_at": MONDAY, **fields}
    with pytest.raises(ValidationError) as refused:
        services.episode_create(**arguments)
    assert codes(refused.value) == expected


def test_a_taken_slug_is_refused():
    EpisodeFactory(slug="taken")
    with pytest.raises(ValidationError) as refused:
        services.episode_create(slug="taken", title="Again", recording_at=MONDAY)
    assert list(refused.value.error_dict) == ["slug"]


# --- Editing ----------------------------------------------------------------------------------


def test_update_saves_only_what_changed(episode):
    changed = services.episode_update(
        episode=episode, title="2024 Recap, part two", intro=episode.intro, target_minutes=90
    )

    assert changed == ["title", "target_minutes"]
    episode.refresh_from_db()
    assert (episode.title, episode.target_minutes) == ("2024 Recap, part two", 90)
    assert services.episode_update(episode=episode, title="2024 Recap, part two") == []


def test_update_can_move_the_page_to_a_new_slug(episode):
    services.episode_update(episode=episode, slug="recap-2024")

    assert Episode.objects.get(pk=episode.pk).slug == "recap-2024"
    assert episode.get_absolute_url() == "/ask/recap-2024/"


def test_update_refuses_a_reserved_slug_and_leaves_the_object_as_saved(episode):
    with pytest.raises(ValidationError) as refused:
        services.episode_update(episode=episode, slug="episodes", title="Clash")

    assert codes(refused.value) == {"slug": ["reserved_slug"]}
    assert (episode.slug, episode.title) == ("2024-recap", "2024 Recap")
    assert Episode.objects.get(pk=episode.pk).slug == "2024-recap"


def test_update_checks_the_dates_only_when_they_change(episode):
    # An episode saved before the rule (closing after its recording) can still be renamed.
    Episode.objects.filter(pk=episode.pk).update(
        submissions_close_at=episode.recording_at + dt.timedelta(days=1)
    )
    episode.refresh_from_db()
    assert services.episode_update(episode=episode, title="Renamed") == ["title"]

    # Changing a date checks them again: the recording still starts before questions close.
    with pytest.raises(ValidationError) as refused:
        services.episode_update(
            episode=episode, recording_at=episode.recording_at + dt.timedelta(hours=1)
        )
    assert codes(refused.value) == {"submissions_close_at": ["close_after_recording"]}


def test_update_refuses_fields_a_host_does_not_edit(episode):
    with pytest.raises(TypeError, match="suggestions_stale_since"):
        services.episode_update(episode=episode, suggestions_stale_since=NOW)


# --- Closing and reopening --------------------------------------------------------------------


def test_close_now_stops_questions_at_once(episode):
    now = timezone.now()

    assert services.episode_close_now(episode=episode, now=now) is True

    episode.refresh_from_db()
    assert episode.submissions_close_at == now
    assert not episode.accepts_submissions()
    assert services.episode_close_now(episode=episode) is False  # already closed


def test_reopen_without_a_time_stays_open_until_closed(episode):
    services.episode_close_now(episode=episode)

    services.episode_reopen(episode=episode)

    episode.refresh_from_db()
    assert episode.submissions_close_at is None
    assert episode.accepts_submissions()


def test_reopen_until_a_new_time(episode):
    services.episode_close_now(episode=episode)
    until = timezone.now() + dt.timedelta(hours=5)

    services.episode_reopen(episode=episode, close_at=until)

    episode.refresh_from_db()
    assert episode.submissions_close_at == until
    assert episode.accepts_submissions()


@pytest.mark.parametrize(
    ("offset", "code"),
    [(dt.timedelta(minutes=-1), "close_in_past"), (dt.timedelta(days=30), "close_after_recording")],
)
def test_reopen_refuses_a_time_in_the_past_or_after_the_recording(episode, offset, code):
    services.episode_close_now(episode=episode)
    closed_at = Episode.objects.get(pk=episode.pk).submissions_close_at

    with pytest.raises(ValidationError) as refused:
        services.episode_reopen(episode=episode, close_at=timezone.now() + offset)

    assert refused.value.code == code
    assert Episode.objects.get(pk=episode.pk).submissions_close_at == closed_at


# --- Hosts ------------------------------------------------------------------------------------


def test_add_a_co_host_by_user_name_or_email(episode, host):
    sam = UserFactory(username="sam", email="Sam@Example.com", is_staff=False)
    kim = UserFactory(username="Kim")

    assert services.episode_host_add(episode=episode, who=" sam ") == sam
    assert services.episode_host_add(episode=episode, who="kim") == kim  # ignoring capitals
    assert set(episode.hosts.all()) == {host, sam, kim}


def test_add_by_email_ignores_capitals(episode):
    sam = UserFactory(username="sam", email="Sam@Example.com")
    assert services.episode_host_add(episode=episode, who="sam@example.COM") == sam


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("", "blank"),
        ("nobody", "unknown_user"),
        ("nobody@example.com", "unknown_user"),
        ("inactive", "unknown_user"),
        ("shared@example.com", "ambiguous_email"),
        ("host", "already_host"),
    ],
)
def test_adding_a_co_host_refuses_with_a_reason(episode, who, code):
    UserFactory(username="inactive", is_active=False)
    UserFactory(username="a", email="shared@example.com")
    UserFactory(username="b", email="Shared@example.com")
    hosts_before = list(episode.hosts.values_list("pk", flat=True))

    with pytest.raises(ValidationError) as refused:
        services.episode_host_add(episode=episode, who=who)

    assert refused.value.code == code
    assert list(episode.hosts.values_list("pk", flat=True)) == hosts_before


def test_remove_a_host_but_never_the_last(episode, host):
    co = UserFactory(username="co")
    episode.hosts.add(co)

    services.episode_host_remove(episode=episode, user=co)
    assert list(episode.hosts.all()) == [host]

    with pytest.raises(ValidationError) as refused:
        services.episode_host_remove(episode=episode, user=host)
    assert refused.value.code == "last_host"
    assert list(episode.hosts.all()) == [host]


def test_removing_someone_who_is_not_a_host_is_refused(episode, other_host):
    with pytest.raises(ValidationError) as refused:
        services.episode_host_remove(episode=episode, user=other_host)
    assert refused.value.code == "not_a_host"


# --- Who sees which episodes ------------------------------------------------------------------


def test_staff_who_host_nothing_see_no_episode(episode):
    staff = UserFactory(username="staff", is_staff=True)

    assert list(selectors.episode_list_for_host(user=staff)) == []
    assert selectors.episode_get_for_host(user=staff, slug=episode.slug) is None


def test_superusers_see_every_episode(episode):
    other = EpisodeFactory(slug="other-show")
    admin = UserFactory(username="admin", is_superuser=True)

    assert {e.slug for e in selectors.episode_list_for_host(user=admin)} == {
        episode.slug,
        other.slug,
    }
    assert selectors.episode_get_for_host(user=admin, slug="other-show") == other


def test_hosts_see_only_their_own(episode, host):
    EpisodeFactory(slug="other-show")
    assert [e.slug for e in selectors.episode_list_for_host(user=host)] == [episode.slug]
    assert selectors.episode_get_for_host(user=host, slug="other-show") is None


# --- A host's settings ------------------------------------------------------------------------


def test_settings_default_until_saved(host):
    profile = services.host_profile_get(user=host)
    assert profile.pk is None
    assert (profile.time_zone, profile.notify, profile.stay_after_decision) == ("", "off", False)
    assert services.host_time_zone(user=host) is None


def test_save_settings(host):
    profile = services.host_settings_update(
        user=host, time_zone="Europe/Berlin", notify="each", stay_after_decision=True
    )

    assert HostProfile.objects.get(user=host) == profile
    assert (profile.time_zone, profile.notify, profile.stay_after_decision) == (
        "Europe/Berlin",
        "each",
        True,
    )
    assert str(services.host_time_zone(user=host)) == "Europe/Berlin"


def test_choosing_the_digest_starts_it_from_now(host):
    services.host_settings_update(
        user=host, time_zone="", notify="hourly", stay_after_decision=False, now=NOW
    )
    assert HostProfile.objects.get(user=host).digest_sent_until == NOW

    later = NOW + dt.timedelta(hours=5)
    services.host_settings_update(
        user=host, time_zone="Asia/Tokyo", notify="hourly", stay_after_decision=False, now=later
    )
    assert HostProfile.objects.get(user=host).digest_sent_until == NOW  # still hourly: kept


@pytest.mark.parametrize(
    ("time_zone", "notify", "field"),
    [("Mars/Olympus", "off", "time_zone"), ("", "daily", "notify")],
)
def test_settings_refuse_unknown_values(host, time_zone, notify, field):
    with pytest.raises(ValidationError) as refused:
        services.host_settings_update(
            user=host, time_zone=time_zone, notify=notify, stay_after_decision=False
        )
    assert list(refused.value.error_dict) == [field]
    assert not HostProfile.objects.exists()


def test_a_zone_gone_from_the_machine_falls_back_to_the_sites(host):
    HostProfile.objects.create(user=host, time_zone="Nowhere/Gone")
    assert services.host_time_zone(user=host) is None
