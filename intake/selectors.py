from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from episodes.matching.similarity import question_similarities
from episodes.models import Episode, Topic
from intake.models import Submission


def episode_list_open(*, now=None) -> QuerySet[Episode]:
    """Episodes whose question page is still open, soonest recording first."""
    now = now or timezone.now()
    return Episode.objects.filter(
        Q(submissions_close_at__isnull=True) | Q(submissions_close_at__gt=now)
    ).order_by("recording_at")


# --- Host dashboard reads ------------------------------------------------------------------

_TRANSCRIBING = (Submission.TranscriptionState.PENDING, Submission.TranscriptionState.RUNNING)


def episode_get_for_host(*, user, slug: str) -> Episode | None:
    """The episode if `user` hosts it; None otherwise, so views answer 404 and leak nothing."""
    if not user.is_authenticated:
        return None
    return Episode.objects.filter(slug=slug, hosts=user).first()


def episode_list_for_host(*, user) -> QuerySet[Episode]:
    """The user's episodes, newest recording first, with the counts the dashboard shows."""

    def counted(**conditions) -> Count:
        return Count("submissions", filter=Q(**conditions), distinct=True)

    return (
        Episode.objects.filter(hosts=user)
        .annotate(
            submission_count=Count("submissions", distinct=True),
            new_count=counted(submissions__status=Submission.Status.NEW),
            approved_count=counted(submissions__status=Submission.Status.APPROVED),
            transcribing_count=counted(submissions__transcription_state__in=_TRANSCRIBING),
            failed_count=counted(
                submissions__transcription_state=Submission.TranscriptionState.FAILED
            ),
            topic_count=Count("topics", distinct=True),
        )
        .order_by("-recording_at")
    )


def submission_status_counts(*, episode: Episode) -> dict[str, int]:
    """How many submissions the episode has in each status, plus "all"."""
    rows = (
        Submission.objects.filter(episode=episode)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status: 0 for status in Submission.Status.values}
    counts.update(dict(rows))
    counts["all"] = sum(counts.values())
    return counts


def submission_list_for_host(
    *,
    episode: Episode,
    status: str | None = None,
    kind: str | None = None,
    topic: Topic | None = None,
    untagged: bool = False,
    transcription_state: str | None = None,
    query: str | None = None,
) -> QuerySet[Submission]:
    """An episode's submissions for the moderation list, newest first, filtered.

    `query` matches every word against name, email, typed text and both transcripts.
    Related rows the list shows are fetched up front: a fixed number of queries per page.
    """
    submissions = (
        Submission.objects.filter(episode=episode)
        .select_related("suggested_topic", "merged_into")
        .prefetch_related(
            "topics",
            Prefetch("merged", queryset=Submission.objects.order_by("created_at", "id")),
        )
        .order_by("-created_at", "-id")
    )
    if status:
        submissions = submissions.filter(status=status)
    if kind:
        submissions = submissions.filter(kind=kind)
    if topic is not None:
        submissions = submissions.filter(topics=topic)
    if untagged:
        submissions = submissions.filter(topics__isnull=True)
    if transcription_state:
        submissions = submissions.filter(transcription_state=transcription_state)
    for word in (query or "").split():
        submissions = submissions.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(text__icontains=word)
            | Q(transcript__icontains=word)
            | Q(transcript_edited__icontains=word)
        )
    return submissions


def submission_get_for_host(*, episode: Episode, pk: int) -> Submission | None:
    return (
        Submission.objects.select_related("episode", "suggested_topic", "merged_into")
        .filter(episode=episode, pk=pk)
        .first()
    )


def submission_merge_candidates(*, submission: Submission) -> QuerySet[Submission]:
    """Submissions this one could be folded into: same episode, not itself, not merged."""
    return (
        Submission.objects.filter(episode_id=submission.episode_id)
        .exclude(pk=submission.pk)
        .exclude(status=Submission.Status.MERGED)
        .order_by("-created_at", "-id")
    )


def submission_neighbours(*, submission: Submission) -> tuple[int | None, int | None]:
    """Ids of the newer and older submission of the same episode, in list order."""
    same_episode = Submission.objects.filter(episode_id=submission.episode_id)
    newer = (
        same_episode.filter(
            Q(created_at__gt=submission.created_at)
            | Q(created_at=submission.created_at, id__gt=submission.pk)
        )
        .order_by("created_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    older = (
        same_episode.filter(
            Q(created_at__lt=submission.created_at)
            | Q(created_at=submission.created_at, id__lt=submission.pk)
        )
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    return newer, older


# --- Duplicates -------------------------------------------------------------------------------


def submission_match_text(submission: Submission) -> str:
    """What a submission asks: the text a host reads, plus typed text sent with a recording."""
    best = (submission.best_text or "").strip()
    typed = (submission.text or "").strip()
    if typed and typed != best:
        return f"{best}\n{typed}".strip()
    return best


def _comparable(*, episode_id: int) -> list[tuple[Submission, str]]:
    """Unmerged submissions of the episode that say something, with their text."""
    rows = (
        Submission.objects.filter(episode_id=episode_id)
        .exclude(status=Submission.Status.MERGED)
        .order_by("created_at", "id")
    )
    pairs = [(submission, submission_match_text(submission)) for submission in rows]
    return [(submission, text) for submission, text in pairs if text]


def submission_similar(*, submission: Submission, limit: int = 5) -> list[tuple[Submission, float]]:
    """Other unmerged submissions of its episode that ask the same thing, most similar first."""
    text = submission_match_text(submission)
    if not text:
        return []
    others = [
        (other, other_text)
        for other, other_text in _comparable(episode_id=submission.episode_id)
        if other.pk != submission.pk
    ]
    scores = question_similarities(question=text, others=[other_text for _, other_text in others])
    similar = [
        (other, float(score))
        for (other, _), score in zip(others, scores, strict=True)
        if score >= settings.DUPLICATE_THRESHOLD
    ]
    similar.sort(key=lambda pair: (-pair[1], pair[0].created_at, pair[0].pk))
    return similar[:limit]


def submission_askers(*, submission: Submission) -> list[str]:
    """Who asked: the submission's own listener, then everyone merged into it, oldest first."""
    askers = [submission.name or "Anonymous"]
    seen = {submission.pk}
    waiting = [submission.pk]
    while waiting:
        merged = list(
            Submission.objects.filter(merged_into__in=waiting)
            .exclude(pk__in=seen)
            .order_by("created_at", "id")
            .values_list("pk", "name")
        )
        askers += [name or "Anonymous" for _, name in merged]
        waiting = [pk for pk, _ in merged]
        seen.update(waiting)
    return askers
