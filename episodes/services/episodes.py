"""Episodes: the demo one `make run` loads, new ones, editing them, opening and closing
their question page, and who hosts them."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from episodes.demo import DEMO_INTRO, DEMO_SLUG, DEMO_TITLE, DEMO_TOPICS
from episodes.formatting import seconds_phrase
from episodes.models import Episode, Topic

# What a host may change on the episode page (episode_update); the rest is the machine's.
EDITABLE_FIELDS = (
    "title",
    "slug",
    "intro",
    "recording_at",
    "submissions_close_at",
    "max_audio_seconds",
    "target_minutes",
    "answer_seconds_default",
    "embed_origins",
)
# Sensible bounds for what a host types: (smallest, largest, how a value is worded).
MAX_AUDIO_SECONDS = (5, 30 * 60)
TARGET_MINUTES = (1, 10 * 60)
ANSWER_SECONDS = (0, 60 * 60)


def next_weekday(*, weekday: int, after: dt.datetime, hour: int = 17) -> dt.datetime:
    """The next given weekday (0 = Monday) strictly after `after`, at `hour`:00 in its zone."""
    days_ahead = (weekday - after.weekday() - 1) % 7 + 1
    day = (after + dt.timedelta(days=days_ahead)).date()
    return dt.datetime.combine(day, dt.time(hour), tzinfo=after.tzinfo)


@transaction.atomic
def episode_seed_demo(*, now: dt.datetime | None = None) -> tuple[Episode, bool]:
    """Create the demo episode once; running it again changes nothing."""
    existing = Episode.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    recording_at = next_weekday(weekday=0, after=now)
    closes_at = dt.datetime.combine(
        (recording_at - dt.timedelta(days=1)).date(), dt.time(23, 59), tzinfo=recording_at.tzinfo
    )
    episode = Episode.objects.create(
        slug=DEMO_SLUG,
        title=DEMO_TITLE,
        intro=DEMO_INTRO,
        recording_at=recording_at,
        submissions_close_at=closes_at,
        max_audio_seconds=90,
        target_minutes=60,
    )
    Topic.objects.bulk_create(
        Topic(episode=episode, title=title, summary=summary, position=index)
        for index, (title, summary) in enumerate(DEMO_TOPICS)
    )
    return episode, True


def episode_create(
    *,
    slug: str,
    title: str,
    recording_at: dt.datetime | None = None,
    submissions_close_at: dt.datetime | None = None,
    hosts: Iterable = (),
    now: dt.datetime | None = None,
    **fields,
) -> Episode:
    """A new episode, open for questions until a host closes it.

    Recording defaults to next Monday at 17:00, like the demo; other model fields (intro,
    max_audio_seconds, target_minutes) keep their defaults unless given.
    """
    episode = Episode(
        slug=slug.strip(),
        title=title.strip(),
        recording_at=recording_at or next_weekday(weekday=0, after=now or timezone.now()),
        submissions_close_at=submissions_close_at,
        **fields,
    )
    _episode_validate(episode)
    with transaction.atomic():
        episode.save()
        hosts = list(hosts)
        if hosts:
            episode.hosts.add(*hosts)
    return episode


def episode_update(*, episode: Episode, **fields) -> list[str]:
    """Change what a host may change (EDITABLE_FIELDS); returns the names of the fields that
    changed (none: nothing was saved).

    The slug may change too: the question page then moves to its new address, and links
    already shared stop working (the dashboard says so next to the field).
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"episode_update() cannot change {', '.join(sorted(unknown))}")
    for name in ("slug", "title"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    changed = [name for name, value in fields.items() if getattr(episode, name) != value]
    if not changed:
        return []
    before = {name: getattr(episode, name) for name in changed}
    for name in changed:
        setattr(episode, name, fields[name])
    try:
        _episode_validate(
            episode,
            check_dates={"recording_at", "submissions_close_at"} & set(changed),
        )
    except ValidationError:
        for name, value in before.items():  # the caller's object stays as it was saved
            setattr(episode, name, value)
        raise
    episode.save(update_fields=changed)
    return changed


def episode_close_now(*, episode: Episode, now: dt.datetime | None = None) -> bool:
    """Stop taking questions now (the closing time becomes now). False: it was closed already."""
    now = now or timezone.now()
    if not episode.accepts_submissions(now=now):
        return False
    episode.submissions_close_at = now
    episode.save(update_fields=["submissions_close_at"])
    return True


def episode_reopen(
    *, episode: Episode, close_at: dt.datetime | None = None, now: dt.datetime | None = None
) -> None:
    """Take questions again, until `close_at` (a future time) or, without one, until a host
    closes the page again. Also how a host moves the closing time of an open episode."""
    now = now or timezone.now()
    if close_at is not None and close_at <= now:
        raise ValidationError(
            "Pick a closing time in the future, or leave it empty.", code="close_in_past"
        )
    if close_at is not None and close_at > episode.recording_at:
        raise ValidationError(
            "Questions have to close before the recording starts.", code="close_after_recording"
        )
    episode.submissions_close_at = close_at
    episode.save(update_fields=["submissions_close_at"])


# --- Hosts ----------------------------------------------------------------------------------


def episode_host_add(*, episode: Episode, who: str):
    """Make the active account with this user name or email address a host of the episode.

    Any active account can host, staff or not: an account is made by whoever runs this
    Mailbag, and hosting gives access to this episode only (being staff gives no access to
    any episode, and needing staff would hand co-hosts the admin). Returns the user.
    """
    who = (who or "").strip()
    if not who:
        raise ValidationError("Type the user name or email address of the co-host.", code="blank")
    users = get_user_model().objects.filter(is_active=True)
    if "@" in who:
        matches = list(users.filter(email__iexact=who)[:2])
        if len(matches) > 1:
            raise ValidationError(
                f"Several accounts use {who}; type the co-host's user name instead.",
                code="ambiguous_email",
            )
    else:
        matches = list(users.filter(username=who)[:1]) or list(
            users.filter(username__iexact=who)[:2]
        )
        if len(matches) > 1:
            raise ValidationError(
                f"Several accounts are called \u201c{who}\u201d apart from capitals; type the "
                "name exactly.",
                code="ambiguous_username",
            )
    if not matches:
        raise ValidationError(
            f"No active account has the user name or email address \u201c{who}\u201d. Ask "
            "whoever runs this Mailbag to create one, then add it here.",
            code="unknown_user",
        )
    user = matches[0]
    with transaction.atomic():
        if episode.hosts.filter(pk=user.pk).exists():
            raise ValidationError(
                f"{user.get_username()} already hosts this episode.", code="already_host"
            )
        episode.hosts.add(user)
    return user


def episode_host_remove(*, episode: Episode, user) -> None:
    """Remove a host. The last one never goes: an episode without hosts could only be reached
    through the admin."""
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        if not episode.hosts.filter(pk=user.pk).exists():
            raise ValidationError(
                f"{user.get_username()} does not host this episode.", code="not_a_host"
            )
        episode.hosts.remove(user)
        # Counted after our own write, which holds the write lock on SQLite too (where
        # select_for_update does nothing): two hosts removing each other cannot both succeed.
        if not episode.hosts.exists():
            raise ValidationError(
                f"{user.get_username()} is the only host; add another host before removing "
                "this one.",
                code="last_host",
            )


# --- Rules ----------------------------------------------------------------------------------


def _episode_validate(episode: Episode, *, check_dates: bool | set = True) -> None:
    """The model's own checks (blank title, slug format and uniqueness, reserved slugs) and
    ours: lengths within bounds, questions closing before the recording."""
    errors: dict[str, list] = {}
    try:
        episode.full_clean(exclude=["hosts"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    bounds = (
        ("max_audio_seconds", MAX_AUDIO_SECONDS, seconds_phrase),
        ("target_minutes", TARGET_MINUTES, lambda m: f"{m} minute{'' if m == 1 else 's'}"),
        ("answer_seconds_default", ANSWER_SECONDS, seconds_phrase),
    )
    for name, (low, high), word in bounds:
        value = getattr(episode, name)
        if name not in errors and value is not None and not low <= value <= high:
            errors.setdefault(name, []).append(
                ValidationError(
                    f"Choose between {word(low)} and {word(high)}.", code="out_of_bounds"
                )
            )
    if check_dates and "submissions_close_at" not in errors and "recording_at" not in errors:
        try:
            _close_before_recording(
                close_at=episode.submissions_close_at, recording_at=episode.recording_at
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _close_before_recording(*, close_at: dt.datetime | None, recording_at: dt.datetime) -> None:
    if close_at is not None and recording_at is not None and close_at > recording_at:
        raise ValidationError(
            {
                "submissions_close_at": ValidationError(
                    "Questions have to close before the recording starts.",
                    code="close_after_recording",
                )
            }
        )
