"""How numbers, times and an episode's texts read on a page: the one place for formatting.

Plain functions, so services and forms can word their messages with them too; templates use
them through the filters in episodes/templatetags/mailbag.py.
"""

import datetime as dt
import functools

import markdown
import nh3
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

_INTRO_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr",
    "h2", "h3", "h4",
}  # fmt: skip


def intro_html(text: str) -> SafeString:
    """The host's markdown as HTML. Raw HTML in it is shown as text, never interpreted, and
    the result is sanitised again so no script, handler or javascript: link survives."""
    return mark_safe(_render_intro(text or ""))  # noqa: S308 - sanitised by nh3


@functools.lru_cache(maxsize=64)
def _render_intro(text: str) -> str:
    # Cached: every view of the page renders the same few intros.
    renderer = markdown.Markdown(output_format="html")
    renderer.preprocessors.deregister("html_block")
    renderer.inlinePatterns.deregister("html")
    return nh3.clean(
        renderer.convert(text),
        tags=_INTRO_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def duration_label(seconds: float | None) -> str:
    """92.4 -> "1:32", as the browser's audio player shows a length; None -> ""."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def clock(seconds: float | None) -> str:
    """A running time as rundown tools show it: 222 -> "3:42", 3723 -> "1:02:03", -90 -> "-1:30"."""
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    whole = abs(int(round(seconds)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"


def seconds_phrase(seconds: float) -> str:
    """90 -> "90 seconds", 120 -> "2 minutes", 1 -> "1 second"."""
    whole = round(seconds)
    if whole >= 120 and whole % 60 == 0:
        return f"{whole // 60} minutes"
    return f"{whole} second{'' if whole == 1 else 's'}"


def megabytes_phrase(size: int) -> str:
    """25_000_000 -> "25 MB" (SI megabytes, as upload limits are stated)."""
    return f"{size / 1_000_000:g} MB"


def excerpt(text: str, chars: int) -> str:
    """`text` on one line, cut at a word to at most `chars` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    if len(flat) <= chars:
        return flat
    cut = flat[: chars - 1]
    return (cut[: cut.rindex(" ")] if " " in cut else cut).rstrip(" ,;:.") + "…"


def when_phrase(moment: dt.datetime) -> str:
    """'Sunday 1 December, 23:59 UTC' in the site's time zone, with the zone named."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'l j F, H:i')} {local.tzname()}"


def local_time_html(moment: dt.datetime | None) -> SafeString:
    """An empty, hidden <time> for `moment` that static/intake/local-time.js fills with the
    reader's own local time ("(Tuesday 2 December, 18:59 your time)") when their zone is not
    the page's. Put it after the server's text (when_phrase), which stays as it is."""
    if moment is None:
        return mark_safe("")  # noqa: S308 - empty
    return format_html(
        '<time class="local-time" datetime="{}" data-local-time data-page-zone="{}" hidden></time>',
        moment.astimezone(dt.UTC).isoformat(),
        timezone.get_current_timezone_name(),
    )


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def time_left_phrase(*, until: dt.datetime, now: dt.datetime | None = None) -> str:
    """'in 2 days', 'tomorrow', 'today, in 5 hours', 'in 12 minutes'; '' once it has passed."""
    now = now or timezone.now()
    left = until - now
    if left <= dt.timedelta(0):
        return ""
    days = (timezone.localtime(until).date() - timezone.localtime(now).date()).days
    if left < dt.timedelta(hours=1):
        return f"in {_count(max(1, int(left.total_seconds() // 60)), 'minute')}"
    hours = int(left.total_seconds() // 3600)
    if days == 0:
        return f"today, in {_count(hours, 'hour')}"
    if days == 1:
        return f"tomorrow, in {_count(hours, 'hour')}" if hours < 24 else "tomorrow"
    return f"in {days} days"


def deadline_line(*, closes_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'Questions close Sunday 1 December, 23:59 UTC, in 2 days'."""
    if closes_at is None:
        return ""
    left = time_left_phrase(until=closes_at, now=now)
    return f"Questions close {when_phrase(closes_at)}" + (f", {left}" if left else "")


_SENTENCE_END = ("?", "!", ".")


def question_gist(text: str, chars: int = 100) -> str:
    """A question in a line, for chapters, show notes and emails: its first sentence that asks
    something ("What replaces pre-training?"), else its first sentence, cut at a word to at
    most `chars` characters."""
    flat = " ".join((text or "").split())
    sentences, start = [], 0
    for index, char in enumerate(flat):
        # A sentence ends at ? ! or . followed by a space (not "2.5" or "e.g.x").
        if char in _SENTENCE_END and (index + 1 == len(flat) or flat[index + 1] == " "):
            sentences.append(flat[start : index + 1].strip())
            start = index + 1
    if flat[start:].strip():
        sentences.append(flat[start:].strip())
    asking = next((sentence for sentence in sentences if sentence.endswith("?")), None)
    return excerpt(asking or (sentences[0] if sentences else ""), chars)
