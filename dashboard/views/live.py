"""Live updates for the open inbox and detail pages: small JSON answers that
static/dashboard/live.js asks for every few seconds while the tab is visible (no WebSocket).

Both answer in a fixed number of queries, however big the mailbag. The HTML they carry is
rendered with the pages' own template partials, so a row or a transcript that arrives live
looks exactly like one the page was loaded with.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from dashboard.access import host_episode_or_404, host_submission_or_404
from dashboard.forms import TranscriptCorrectionForm
from dashboard.views.submissions import transcript_segments
from intake import selectors

# Rows changed this long before the page's last look are sent again: a change saved just
# before a look but committed just after it is then never missed (the page skips rows it
# already shows as they are).
OVERLAP = dt.timedelta(seconds=10)
# At most this many rows per answer; more means the page offers to reload instead.
MAX_ROWS = 50
NO_STORE = {"Cache-Control": "no-store"}


def _since(value: str | None):
    try:
        moment = parse_datetime(value or "")
    except ValueError:
        moment = None
    if moment is None:
        return timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def _here(request, episode) -> str:
    """The inbox page a row's quick actions return to: the page that asks, if it is this
    episode's inbox, else the inbox itself."""
    inbox = reverse("dashboard:submission_list", kwargs={"slug": episode.slug})
    here = request.GET.get("here", "")
    return here if here.startswith(inbox) and "//" not in here else inbox


@login_required
@require_GET
def inbox_updates(request, slug: str):
    """What changed in the inbox since `since` (the `now` of the page's last answer, or the
    time the page was rendered): each created or changed row with its HTML, the status
    counts, and how many submissions arrived since `loaded` (when the page was rendered)."""
    episode = host_episode_or_404(request, slug)
    now = timezone.now()
    since = _since(request.GET.get("since"))
    loaded = _since(request.GET.get("loaded") or request.GET.get("since"))
    rows = selectors.submission_changed_since(
        episode=episode, since=since - OVERLAP, limit=MAX_ROWS + 1
    )
    more = len(rows) > MAX_ROWS
    here = _here(request, episode)
    return JsonResponse(
        {
            "now": now.isoformat(),
            "new_count": selectors.submission_count_since(episode=episode, since=loaded),
            "counts": selectors.submission_status_counts(episode=episode),
            "more": more,
            "rows": [
                {
                    "id": submission.pk,
                    "status": submission.status,
                    "transcription_state": submission.transcription_state,
                    "updated_at": submission.updated_at.isoformat(),
                    # Arrived since the page was rendered: a candidate for the top of the list.
                    "new": submission.created_at >= loaded,
                    "html": render_to_string(
                        "dashboard/_submission_row.html",
                        {"s": submission, "episode": episode, "here": here},
                        request=request,
                    ).strip(),
                }
                for submission in rows[:MAX_ROWS]
            ],
        },
        headers=NO_STORE,
    )


@login_required
@require_GET
def submission_state(request, slug: str, pk: int):
    """One submission's status and transcription state; once the transcript is there, the
    detail page's transcript card rendered anew, and the header's badges."""
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    context = {"submission": submission, "episode": episode}
    answer = {
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "transcription_state": submission.transcription_state,
        "transcription_label": submission.get_transcription_state_display(),
        "updated_at": submission.updated_at.isoformat(),
        "badges_html": render_to_string(
            "dashboard/_detail_badges.html", context, request=request
        ).strip(),
        "transcript_html": None,
    }
    # Once the run has ended (done, or failed for good) the card is final for now.
    if submission.transcription_done or submission.transcription_failed or not submission.audio:
        answer["transcript_html"] = render_to_string(
            "dashboard/_transcript_card.html",
            {
                **context,
                "segments": transcript_segments(submission),
                "correction_form": TranscriptCorrectionForm(initial={"text": submission.best_text}),
            },
            request=request,
        ).strip()
    return JsonResponse(answer, headers=NO_STORE)
