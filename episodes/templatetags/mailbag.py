"""Formatting filters for every Mailbag page: `{% load mailbag %}`.

Thin wrappers over episodes/formatting.py, so a page and a service word a length or a date the
same way.
"""

from django import template

from episodes import formatting

register = template.Library()


@register.filter
def duration(seconds):
    """{{ submission.audio_seconds|duration }} -> "1:32"."""
    return formatting.duration_label(seconds)


@register.filter
def clock(seconds):
    """{{ row.starts_at|clock }} -> "3:42" (or "1:02:03")."""
    return formatting.clock(seconds)


@register.filter
def seconds_phrase(seconds):
    """{{ episode.max_audio_seconds|seconds_phrase }} -> "90 seconds"."""
    return "" if seconds is None else formatting.seconds_phrase(seconds)


@register.filter
def when(moment):
    """{{ episode.recording_at|when }} -> "Monday 2 December, 17:00 UTC"."""
    return "" if moment is None else formatting.when_phrase(moment)


@register.filter
def deadline(closes_at):
    """{{ episode.submissions_close_at|deadline }} -> "Questions close ..., in 2 days"."""
    return formatting.deadline_line(closes_at=closes_at)


@register.filter
def local_time(moment):
    """{{ episode.submissions_close_at|local_time }}: a <time> the listener's browser fills with
    their own local time (static/intake/local-time.js)."""
    return formatting.local_time_html(moment)


@register.filter
def intro_html(text):
    """{{ episode.intro|intro_html }}: the host's Markdown, sanitised."""
    return formatting.intro_html(text)
