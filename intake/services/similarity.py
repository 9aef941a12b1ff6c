"""A submission's sentence vector and its similar questions, stored for the pages to read.

The worker embeds what a submission asks (question_core of the text a host reads) once, keeps
the float32 vector on the row with the SHA-1 of the text it came from (so an unchanged text is
never embedded again), and compares it with the episode's other stored vectors: its closest
unmerged questions at or above settings.DUPLICATE_THRESHOLD become SubmissionSimilarity rows,
stored in both directions, so either detail page reads one short indexed list. Nothing here
runs in a web request; the model is only asked through text_embed, in the worker.
"""

import hashlib

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from episodes.matching.embedding import text_embed
from episodes.matching.question_text import question_core
from episodes.matching.similarity import vector_nearest, vector_pack, vectors_unpack
from intake.models import Submission, SubmissionSimilarity
from intake.selectors import submission_match_text

# How many similar questions are kept per submission (its own best; more arrive as others
# find it among theirs). The detail page shows the best five that are not merged.
SIMILAR_KEPT = 10


def embedding_source(submission: Submission) -> str:
    """The text a submission's vector is made from: what it asks, without greetings."""
    text = submission_match_text(submission)
    return question_core(text) if text else ""


def embedding_digest(source: str) -> str:
    """What Submission.embedding_hash holds for a vector made from `source` ("" for none)."""
    return hashlib.sha1(source.encode("utf-8"), usedforsecurity=False).hexdigest() if source else ""


def submission_embed(*, submission: Submission, force: bool = False) -> bool:
    """Store the submission's vector and its similar questions; False when nothing changed.

    Skipped when the text it asks is the one the stored vector came from, unless `force`
    (it came back from a merge, and pairs with it were not made meanwhile). A submission that
    says nothing yet (a voice message before its transcript) has no vector and no pairs.
    """
    source = embedding_source(submission)
    digest = embedding_digest(source)
    has_vector = submission.embedding is not None
    if not force and digest == submission.embedding_hash and has_vector == bool(source):
        return False
    vector = text_embed([source])[0] if source else None
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(
            embedding=vector_pack(vector) if vector is not None else None, embedding_hash=digest
        )
        submission.embedding = vector_pack(vector) if vector is not None else None
        submission.embedding_hash = digest
        similar_pairs_store(submission=submission, vector=vector)
    return True


def similar_pairs_store(*, submission: Submission, vector: np.ndarray | None) -> int:
    """Replace every pair involving `submission` with its SIMILAR_KEPT closest unmerged
    questions of the episode, both directions; returns how many it has now."""
    SubmissionSimilarity.objects.filter(Q(submission=submission) | Q(other=submission)).delete()
    if vector is None:
        return 0
    others = list(
        Submission.objects.filter(episode_id=submission.episode_id, embedding__isnull=False)
        .exclude(pk=submission.pk)
        .exclude(status=Submission.Status.MERGED)
        .order_by("pk")
        .values_list("pk", "embedding")
    )
    nearest = vector_nearest(
        vector=vector,
        matrix=vectors_unpack([blob for _, blob in others]),
        limit=SIMILAR_KEPT,
        threshold=settings.DUPLICATE_THRESHOLD,
    )
    pairs = []
    for row, score in nearest:
        other_id = others[row][0]
        pairs += [
            SubmissionSimilarity(submission_id=submission.pk, other_id=other_id, score=score),
            SubmissionSimilarity(submission_id=other_id, other_id=submission.pk, score=score),
        ]
    # Another job may be storing the same pair from the other side at this moment.
    SubmissionSimilarity.objects.bulk_create(
        pairs,
        update_conflicts=True,
        unique_fields=["submission", "other"],
        update_fields=["score"],
    )
    return len(nearest)


def episode_embed_all(*, episode_id: int, batch: int = 256) -> int:
    """Every submission of the episode with its vector and similar questions, at once: for an
    upgrade (rows from before vectors were stored) or a benchmark, in a worker or a command,
    never a web request. Returns how many vectors were (re)made."""
    rows = list(
        Submission.objects.filter(episode_id=episode_id)
        .only("pk", "episode_id", "text", "transcript", "transcript_edited", "embedding_hash")
        .order_by("pk")
    )
    without_vector = set(
        Submission.objects.filter(episode_id=episode_id, embedding__isnull=True).values_list(
            "pk", flat=True
        )
    )
    stale = []
    for submission in rows:
        source = embedding_source(submission)
        digest = embedding_digest(source)
        if digest != submission.embedding_hash or (source and submission.pk in without_vector):
            stale.append((submission, source, digest))
    for start in range(0, len(stale), batch):
        chunk = stale[start : start + batch]
        sources = [source for _, source, _ in chunk if source]
        vectors = iter(text_embed(sources)) if sources else iter(())
        for submission, source, digest in chunk:
            submission.embedding = vector_pack(next(vectors)) if source else None
            submission.embedding_hash = digest
        Submission.objects.bulk_update(
            [submission for submission, _, _ in chunk], ["embedding", "embedding_hash"]
        )
    similar_pairs_store_all(episode_id=episode_id)
    return sum(1 for _, source, _ in stale if source)


def similar_pairs_store_all(*, episode_id: int, block: int = 1024) -> int:
    """Replace the episode's pairs: each unmerged submission with its SIMILAR_KEPT closest,
    both directions (what submission_embed stores one submission at a time)."""
    ids, blobs = [], []
    for pk, blob in (
        Submission.objects.filter(episode_id=episode_id, embedding__isnull=False)
        .exclude(status=Submission.Status.MERGED)
        .order_by("pk")
        .values_list("pk", "embedding")
    ):
        ids.append(pk)
        blobs.append(blob)
    matrix = vectors_unpack(blobs)
    pairs: dict[tuple[int, int], float] = {}
    for start in range(0, len(ids), block):
        scores = np.clip(matrix[start : start + block] @ matrix.T, 0.0, 1.0)
        for offset, row in enumerate(scores):
            me = start + offset
            row[me] = -1.0  # never itself
            close = np.flatnonzero(row >= settings.DUPLICATE_THRESHOLD)
            if len(close) > SIMILAR_KEPT:
                close = close[np.argpartition(-row[close], SIMILAR_KEPT - 1)[:SIMILAR_KEPT]]
            for other in close.tolist():
                score = float(row[other])
                pairs[(ids[me], ids[other])] = score
                pairs[(ids[other], ids[me])] = score
    with transaction.atomic():
        SubmissionSimilarity.objects.filter(submission__episode_id=episode_id).delete()
        SubmissionSimilarity.objects.bulk_create(
            (
                SubmissionSimilarity(submission_id=a, other_id=b, score=score)
                for (a, b), score in pairs.items()
            ),
            batch_size=1000,
        )
    return len(pairs)
