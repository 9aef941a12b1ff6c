"""The host's moderation pages: the list, one submission, and one POST view per decision.

Every view needs a login and answers 404 unless the user hosts the episode. State changes are
POST-only and redirect back with a message; the services enforce the rules.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dashboard.access import host_episode_or_404, host_submission_or_404
from dashboard.forms import (
    DeclineForm,
    SubmissionBulkForm,
    SubmissionFilterForm,
    SubmissionMergeForm,
    SubmissionNotesForm,
    SubmissionTagForm,
    TranscriptCorrectionForm,
)
from dashboard.history import history_rows
from dashboard.paging import IdPaginator
from episodes.formatting import duration_label
from intake import selectors, services
from intake.models import Submission
from runsheet import selectors as runsheet_selectors

PAGE_SIZE = 50
STATUS_TABS = [
    ("", "All"),
    (Submission.Status.NEW, "New"),
    (Submission.Status.APPROVED, "Approved"),
    (Submission.Status.DECLINED, "Declined"),
    (Submission.Status.MERGED, "Merged"),
]
APPROVED = "Approved the {noun} from {who}."
DECLINED = "Declined the {noun} from {who}."
REOPENED = "Moved the {noun} from {who} back to new."
NOTHING_LEFT = " Nothing left to decide after it."
# How often the open pages ask for what changed (static/dashboard/live.js).
LIVE_POLL_MS = 4_000


def _redirect_back(request, fallback: str):
    """Back to where the host clicked (the list keeps its filters), else to `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _detail_url(submission: Submission) -> str:
    return reverse(
        "dashboard:submission_detail",
        kwargs={"slug": submission.episode.slug, "pk": submission.pk},
    )


def _who(submission: Submission) -> str:
    return submission.name or "an anonymous listener"


def _list_url(episode) -> str:
    return reverse("dashboard:submission_list", kwargs={"slug": episode.slug})


def stays_after_decision(user) -> bool:
    """The host's own setting: stay on a submission after approving or declining it."""
    profile = getattr(user, "host_profile", None)
    return bool(profile and profile.stay_after_decision)


def live_inbox(
    *, episode, filters_active: bool, status: str | None, page_number: int, page_query: str
) -> dict:
    """What static/dashboard/live.js needs on the inbox: where to ask, from when, and whether
    new submissions may be put at the top (only on the first page of everything or of the new
    ones). Anywhere else it offers to show them: on the first page of the same list when only
    the page is in the way, else on the whole inbox (the filters may not match them)."""
    unfiltered = not filters_active and status in (None, "", Submission.Status.NEW)
    return {
        "url": reverse("dashboard:inbox_updates", kwargs={"slug": episode.slug}),
        "since": timezone.now().isoformat(),
        "insert": page_number == 1 and unfiltered,
        "show_url": ("?" + page_query) if unfiltered else _list_url(episode),
        "poll_ms": LIVE_POLL_MS,
    }


def transcript_segments(submission: Submission) -> list[dict]:
    """The machine transcript's timed lines, skipping any the engine left malformed."""
    segments = []
    for segment in submission.transcript_segments or []:
        try:
            start, end = float(segment["start"]), float(segment["end"])
            text = str(segment["text"]).strip()
        except (KeyError, TypeError, ValueError):
            continue
        if text:
            segments.append(
                {"start": start, "end": end, "text": text, "label": duration_label(start)}
            )
    return segments


@login_required
def submission_list(request, slug: str):
    episode = host_episode_or_404(request, slug)
    filters = SubmissionFilterForm(request.GET, episode=episode)
    selected = filters.selector_filters()
    submissions = selectors.submission_list_for_host(episode=episode, **selected)
    # Late pages stay fast at 10,000 submissions (ids from the index first: dashboard/paging.py).
    page = IdPaginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.submission_status_counts(episode=episode)
    # Tabs switch status but keep the other filters.
    others = {k: v for k, v in request.GET.items() if k not in ("status", "page") and v}
    tabs = [
        {
            "value": value,
            "label": label,
            "count": counts[value or "all"],
            "url": "?" + urlencode({**others, **({"status": value} if value else {})}),
            "current": (selected["status"] or "") == value,
        }
        for value, label in STATUS_TABS
    ]
    page_query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    filters_active = filters.active()
    return render(
        request,
        "dashboard/submission_list.html",
        {
            "episode": episode,
            "nav": "submissions",
            "filters": filters,
            "filters_active": filters_active,
            "tabs": tabs,
            "page": page,
            "page_query": page_query,
            "here": request.get_full_path(),
            "bulk_form": SubmissionBulkForm(topics=filters.topics, auto_id="bulk_%s"),
            "live": live_inbox(
                episode=episode,
                filters_active=filters_active,
                status=selected["status"],
                page_number=page.number,
                page_query=page_query,
            ),
        },
    )


@login_required
def submission_detail(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    topics = list(episode.topics.all())
    tagged = set(submission.topics.values_list("pk", flat=True))
    is_merged = submission.is_merged
    similar = [] if is_merged else selectors.submission_similar(submission=submission, limit=5)
    newer, older = selectors.submission_neighbours(submission=submission)
    return render(
        request,
        "dashboard/submission_detail.html",
        {
            "episode": episode,
            "nav": "submissions",
            "submission": submission,
            "segments": transcript_segments(submission),
            "can_approve": submission.can_approve,
            "can_decline": submission.can_decline,
            "can_reopen": submission.can_reopen,
            "topic_rows": [
                {
                    "topic": topic,
                    "checked": topic.pk in tagged,
                    "suggested": topic.pk == submission.suggested_topic_id,
                }
                for topic in topics
            ],
            # The host starts from what they read now: their correction or the original words.
            "correction_form": TranscriptCorrectionForm(initial={"text": submission.best_text}),
            # Stored by the worker (intake.services.similarity); "pending" until it has read
            # this submission's words.
            "similar": [
                {
                    "submission": other,
                    "score": score,
                    "mergeable": not other.is_merged,
                }
                for other, score in similar
            ],
            "similar_pending": not is_merged
            and not submission.embedding_hash
            and bool(submission.best_text.strip()),
            "askers": selectors.submission_askers(submission=submission),
            "merged_here": submission.merged.order_by("created_at", "id"),
            "merge_form": None if is_merged else SubmissionMergeForm(submission=submission),
            "newer": newer,
            "older": older,
            "can_retry": submission.can_retry_transcription,
            # Triage
            "can_accept_topic": bool(
                submission.suggested_topic_id
                and submission.suggested_topic_id not in tagged
                and not is_merged
            ),
            "decline_form": DeclineForm(),
            "notes_form": SubmissionNotesForm(initial={"host_notes": submission.host_notes}),
            "stays_after_decision": stays_after_decision(request.user),
            "history": history_rows(selectors.submission_events(submission=submission)),
            "live_state_url": reverse(
                "dashboard:submission_state", kwargs={"slug": episode.slug, "pk": submission.pk}
            ),
            "live_poll_ms": LIVE_POLL_MS,
        },
    )


# --- Decisions (POST only) -----------------------------------------------------------------


def _status_action(
    request, slug: str, pk: int, *, service, done: str, move_on: bool = False, **arguments
):
    """Run a status service for the host. With `move_on` (approve, decline) and no `next` (the
    detail page, not the list), go on to the next undecided submission, or back to the inbox
    when none is left, unless the host's setting says to stay."""
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    was_on_sheet = runsheet_selectors.submission_on_sheet(submission=submission)
    try:
        service(submission=submission, actor=request.user, **arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _redirect_back(request, _detail_url(submission))
    noun = submission.get_kind_display().lower()
    done = done.format(noun=noun, who=_who(submission))
    if was_on_sheet and not runsheet_selectors.submission_on_sheet(submission=submission):
        done += " It is no longer on the run-sheet."
    if move_on and not request.POST.get("next") and not stays_after_decision(request.user):
        following = selectors.submission_next_undecided(submission=submission)
        if following is None:
            messages.success(request, done + NOTHING_LEFT)
            return redirect(_list_url(episode))
        messages.success(request, done)
        return redirect(
            reverse("dashboard:submission_detail", kwargs={"slug": episode.slug, "pk": following})
        )
    messages.success(request, done)
    return _redirect_back(request, _detail_url(submission))


@login_required
@require_POST
def submission_approve(request, slug: str, pk: int):
    return _status_action(
        request, slug, pk, service=services.submission_approve, done=APPROVED, move_on=True
    )


@login_required
@require_POST
def submission_decline(request, slug: str, pk: int):
    form = DeclineForm(request.POST)
    # A reason too long to keep is refused by the service, with its message.
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    return _status_action(
        request,
        slug,
        pk,
        service=services.submission_decline,
        done=DECLINED,
        move_on=True,
        reason=reason,
    )


@login_required
@require_POST
def submission_reopen(request, slug: str, pk: int):
    return _status_action(request, slug, pk, service=services.submission_reopen, done=REOPENED)


@login_required
@require_POST
def submission_transcript(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    form = TranscriptCorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The correction could not be read; please try again.")
        return redirect(_detail_url(submission))
    try:
        services.submission_transcript_correct(
            submission=submission, text=form.cleaned_data["text"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if submission.transcript_edited:
            messages.success(request, "Saved your correction.")
        else:
            messages.success(request, "Correction cleared: showing the original words again.")
    return redirect(_detail_url(submission) + "#transcript")


@login_required
@require_POST
def submission_tag(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    form = SubmissionTagForm(request.POST, episode=episode)
    if not form.is_valid():
        messages.error(request, "Pick topics of this episode only.")
        return redirect(_detail_url(submission))
    topics = list(form.cleaned_data["topics"])
    try:
        services.submission_tag(submission=submission, topics=topics, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        titles = ", ".join(f"\u201c{topic.title}\u201d" for topic in topics)
        messages.success(request, f"Tagged with {titles}." if topics else "Removed all topics.")
    return _redirect_back(request, _detail_url(submission) + "#topics")


@login_required
@require_POST
def submission_merge(request, slug: str, pk: int):
    """Fold this submission (the duplicate) into the one posted as `primary`."""
    episode = host_episode_or_404(request, slug)
    duplicate = host_submission_or_404(episode, pk)
    form = SubmissionMergeForm(request.POST, submission=duplicate)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _redirect_back(request, _detail_url(duplicate))
    primary = form.cleaned_data["primary"]
    try:
        services.submission_merge(duplicate=duplicate, primary=primary, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _redirect_back(request, _detail_url(duplicate))
    messages.success(
        request,
        f"Merged #{duplicate.pk} from {_who(duplicate)} into #{primary.pk}; "
        "it now lists every asker.",
    )
    return redirect(_detail_url(primary))


@login_required
@require_POST
def submission_retry(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    try:
        services.transcription_retry(submission=submission, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Transcription queued again; the transcript appears here when it is ready."
        )
    return redirect(_detail_url(submission) + "#transcription")
