"""Quick triage: bulk actions on the inbox's selection, host notes, accepting the suggested
topic, and undoing a merge. POST only; every change goes through the intake services, as the
host (`actor`), so each one is checked and audited like a single click."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dashboard.access import host_episode_or_404, host_submission_or_404
from dashboard.forms import SubmissionBulkForm, SubmissionNotesForm
from dashboard.forms.fields import id_valid
from dashboard.views.submissions import _detail_url, _list_url, _redirect_back, _who
from episodes.models import Topic
from intake import services
from intake.models import Submission

BULK_DONE = {
    "approve": "Approved {n}.",
    "decline": "Declined {n}.",
    "tag": "Tagged {n} with \u201c{topic}\u201d.",
}


def _count(n: int) -> str:
    return f"{n} submission{'' if n == 1 else 's'}"


def _selected_ids(request) -> list[int]:
    ids = []
    for value in request.POST.getlist("ids"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))


@login_required
@require_POST
def submission_bulk(request, slug: str):
    """Approve, decline or tag every ticked submission, each through its service; then one
    message says how many were done and why any were not."""
    episode = host_episode_or_404(request, slug)
    back = _list_url(episode)
    form = SubmissionBulkForm(request.POST, topics=list(episode.topics.all()))
    ids = _selected_ids(request)
    if not ids:
        messages.error(request, "Tick the submissions to act on first.")
        return _redirect_back(request, back)
    if len(ids) > SubmissionBulkForm.MAX_ITEMS:
        messages.error(
            request, f"Select at most {SubmissionBulkForm.MAX_ITEMS} submissions at a time."
        )
        return _redirect_back(request, back)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _redirect_back(request, back)
    action, topic = form.cleaned_data["action"], form.cleaned_data["topic"]
    rows = {
        row.pk: row
        # An id too large for the database names no row: reported below, never queried.
        for row in Submission.objects.filter(
            episode=episode, pk__in=[pk for pk in ids if id_valid(pk)]
        ).prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position", "id")))
    }
    done, refused = 0, []
    for pk in ids:
        submission = rows.get(pk)
        if submission is None:
            refused.append(f"#{pk}: no such submission in this episode.")
            continue
        try:
            if action == "approve":
                services.submission_approve(submission=submission, actor=request.user)
            elif action == "decline":
                services.submission_decline(submission=submission, actor=request.user)
            else:
                tags = list(submission.topics.all())
                if topic in tags:
                    refused.append(f"#{pk}: already tagged with \u201c{topic.title}\u201d.")
                    continue
                services.submission_tag(
                    submission=submission, topics=[*tags, topic], actor=request.user
                )
        except ValidationError as error:
            refused.append(f"#{pk}: {' '.join(error.messages)}")
        else:
            done += 1
    summary = BULK_DONE[action].format(n=_count(done), topic=topic.title if topic else "")
    if refused:
        summary += f" Not changed ({len(refused)}): " + " ".join(refused)
    level = messages.success if not refused else messages.warning if done else messages.error
    level(request, summary)
    return _redirect_back(request, back)


@login_required
@require_POST
def submission_notes(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    form = SubmissionNotesForm(request.POST)
    target = _detail_url(submission) + "#notes"
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("host_notes", ["Notes not saved."])))
        return redirect(target)
    try:
        services.submission_notes_update(
            submission=submission, notes=form.cleaned_data["host_notes"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Saved your notes." if submission.host_notes else "Notes cleared."
        )
    return redirect(target)


@login_required
@require_POST
def submission_accept_topic(request, slug: str, pk: int):
    """Add the suggested topic to the submission's tags (the `t` key on the detail page)."""
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    back = _detail_url(submission) + "#topics"
    topic = submission.suggested_topic
    if topic is None:
        messages.error(request, "There is no suggested topic to accept.")
        return _redirect_back(request, back)
    tags = list(submission.topics.order_by("position", "id"))
    if topic in tags:
        messages.info(request, f"Already tagged with \u201c{topic.title}\u201d.")
        return _redirect_back(request, back)
    try:
        services.submission_tag(submission=submission, topics=[*tags, topic], actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Tagged with \u201c{topic.title}\u201d.")
    return _redirect_back(request, back)


@login_required
@require_POST
def submission_unmerge(request, slug: str, pk: int):
    """Undo a merge: the duplicate is back on its own, with its old status."""
    episode = host_episode_or_404(request, slug)
    duplicate = host_submission_or_404(episode, pk)
    primary_id = duplicate.merged_into_id
    try:
        services.submission_unmerge(duplicate=duplicate, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Undid the merge: #{duplicate.pk} from {_who(duplicate)} is on its own again "
            f"({duplicate.get_status_display().lower()}) and no longer listed on #{primary_id}.",
        )
    return redirect(_detail_url(duplicate))
