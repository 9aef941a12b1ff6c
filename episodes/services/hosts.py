"""A host's own settings (HostProfile): time zone, new-submission emails, triage preference.

A user without a profile has the defaults: the site's TIME_ZONE, no emails, move on after a
decision. The row is made the first time they save their settings.
"""

import datetime as dt
import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from episodes.models import HostProfile


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted (what the settings page offers)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def host_profile_get(*, user) -> HostProfile:
    """The user's settings; an unsaved profile with the defaults when they never saved any."""
    if user is None or not user.is_authenticated:
        return HostProfile()
    return HostProfile.objects.filter(user=user).first() or HostProfile(user=user)


def host_time_zone(*, user) -> zoneinfo.ZoneInfo | None:
    """The zone the user chose, or None for the site's (no choice, or a zone that no longer
    exists on this machine)."""
    if user is None or not user.is_authenticated:
        return None
    name = HostProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def host_settings_update(
    *,
    user,
    time_zone: str,
    notify: str,
    stay_after_decision: bool,
    now: dt.datetime | None = None,
) -> HostProfile:
    """Save the user's settings. Choosing the hourly digest starts it from now: the first
    digest covers what arrives after the choice, not the episode's whole history."""
    time_zone = (time_zone or "").strip()
    if time_zone and time_zone not in time_zone_names():
        raise ValidationError(
            {"time_zone": f"\u201c{time_zone}\u201d is not a time zone we know."},
            code="time_zone",
        )
    if notify not in HostProfile.Notify.values:
        raise ValidationError({"notify": "Choose how to be told about new submissions."})
    with transaction.atomic():
        profile, _ = HostProfile.objects.select_for_update().get_or_create(user=user)
        if notify == HostProfile.Notify.HOURLY and profile.notify != HostProfile.Notify.HOURLY:
            profile.digest_sent_until = now or timezone.now()
        profile.time_zone = time_zone
        profile.notify = notify
        profile.stay_after_decision = bool(stay_after_decision)
        profile.save()
    return profile
