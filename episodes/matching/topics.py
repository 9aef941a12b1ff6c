"""Rank an episode's topics by how relevant each is to a listener's question.

Each topic is cut into passages of its essay section (title and summary first, then the body
a few sentences at a time) and a question scores, per topic, its best passage. Two measures
are averaged, because they fail on different questions (bench/topics.py measures each):

- meaning: cosine between sentence embeddings (all-MiniLM-L6-v2), which finds "will models
  run out of text to learn from?" in a section that only says "data is not growing";
- wording: TF-IDF over words and character n-grams, fitted on the episode's own passages,
  which rewards the rare names a listener repeats (Mellanox, Dota, Q*, superalignment).

Scores lie in [0, 1]. The fitted TF-IDF per set of topic texts is cached in the process, and
passage vectors come from the embedding cache, so a warm suggestion costs milliseconds.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import numpy as np

from episodes.matching.embedding import text_embed
from episodes.matching.question_text import question_core

if TYPE_CHECKING:
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    from episodes.models import Topic

Method = Literal["hybrid", "embedding", "tfidf"]
METHODS: tuple[Method, ...] = ("hybrid", "embedding", "tfidf")

# Short list items are merged up to this many words, so a passage says one whole thing.
PASSAGE_WORDS = 40
# Longer paragraphs are split at sentences: the model reads at most 256 word pieces.
PASSAGE_MAX_WORDS = 120
EMBEDDING_WEIGHT = 0.5

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+")


def topic_passages(*, title: str, summary: str, body: str) -> list[str]:
    """The texts a topic is matched on: its heading with summary, then its section in pieces."""
    head = f"{title}. {summary}".strip() if summary else title
    passages = [head]
    pieces: list[str] = []
    for paragraph in body.split("\n\n"):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        if len(paragraph.split()) <= PASSAGE_MAX_WORDS:
            pieces.append(paragraph)
            continue
        pieces.extend(_pack(_SENTENCE_BREAK.split(paragraph), max_words=PASSAGE_MAX_WORDS))
    return passages + _pack(pieces, max_words=PASSAGE_WORDS)


def topic_rank(
    *, question: str, topics: Sequence["Topic"], method: Method = "hybrid"
) -> list[tuple["Topic", float]]:
    """`topics` with their relevance to `question`, best first."""
    return topic_rank_many(questions=[question], topics=topics, method=method)[0]


def topic_rank_many(
    *,
    questions: Sequence[str],
    topics: Sequence["Topic"],
    method: Method = "hybrid",
    question_vectors: np.ndarray | None = None,
) -> list[list[tuple["Topic", float]]]:
    """`topic_rank` for many questions at once (one model call for all of them).

    `question_vectors`, when given, are the questions' vectors as text_embed gives them for
    their question_core (one row per question, stored by the worker): the model is not asked.
    """
    scores = topic_scores(
        questions=questions, topics=topics, method=method, question_vectors=question_vectors
    )
    rankings = []
    for row in scores:
        order = sorted(range(len(topics)), key=lambda i: (-row[i], i))
        rankings.append([(topics[i], float(row[i])) for i in order])
    return rankings


def topic_scores(
    *,
    questions: Sequence[str],
    topics: Sequence["Topic"],
    method: Method = "hybrid",
    question_vectors: np.ndarray | None = None,
) -> np.ndarray:
    """Relevance in [0, 1], one row per question and one column per topic, in given order.

    `question_vectors`: see topic_rank_many."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if not topics or not questions:
        return np.zeros((len(questions), len(topics)))
    if question_vectors is not None and len(question_vectors) != len(questions):
        raise ValueError("question_vectors needs one row per question")
    index = _topic_index(tuple((t.title, t.summary or "", t.body or "") for t in topics))
    cores = [question_core(question) for question in questions]
    if method == "embedding":
        return index.embedding_scores(cores, question_vectors)
    if method == "tfidf":
        return index.tfidf_scores(cores)
    return EMBEDDING_WEIGHT * index.embedding_scores(cores, question_vectors) + (
        1 - EMBEDDING_WEIGHT
    ) * index.tfidf_scores(cores)


@dataclass(frozen=True)
class _TopicIndex:
    passages: tuple[str, ...]
    owners: np.ndarray  # the topic (column) each passage belongs to
    topic_count: int
    vectorizers: tuple[tuple["TfidfVectorizer", "sparse.csr_matrix"], ...]

    def embedding_scores(
        self, questions: list[str], vectors: np.ndarray | None = None
    ) -> np.ndarray:
        return self._best_per_topic(self.embedding_passage_scores(questions, vectors))

    def tfidf_scores(self, questions: list[str]) -> np.ndarray:
        return self._best_per_topic(self.tfidf_passage_scores(questions))

    def embedding_passage_scores(
        self, questions: list[str], vectors: np.ndarray | None = None
    ) -> np.ndarray:
        passage_vectors = text_embed(self.passages)
        if vectors is None:
            vectors = text_embed(questions)
        return np.clip(vectors @ passage_vectors.T, 0.0, 1.0)

    def tfidf_passage_scores(self, questions: list[str]) -> np.ndarray:
        total = np.zeros((len(questions), len(self.passages)))
        for vectorizer, matrix in self.vectorizers:
            total += (vectorizer.transform(questions) @ matrix.T).toarray()
        return np.clip(total / max(len(self.vectorizers), 1), 0.0, 1.0)

    def _best_per_topic(self, similarity: np.ndarray) -> np.ndarray:
        best = np.full((similarity.shape[0], self.topic_count), -1.0)
        for column in range(self.topic_count):
            best[:, column] = similarity[:, self.owners == column].max(axis=1)
        return np.clip(best, 0.0, 1.0)


def topic_passage_ranking(
    *, question: str, topics: Sequence["Topic"], topic: "Topic"
) -> list[tuple[int, float]]:
    """`topic`'s passages (indexes into its topic_passages) by relevance to `question`, best
    first, scored as topic_scores scores topics (hybrid). `topics` are the episode's, so the
    wording measure is fitted on the same passages as the suggestion's."""
    column = next(i for i, other in enumerate(topics) if other.pk == topic.pk)
    index = _topic_index(tuple((t.title, t.summary or "", t.body or "") for t in topics))
    core = [question_core(question)]
    scores = (
        EMBEDDING_WEIGHT * index.embedding_passage_scores(core)[0]
        + (1 - EMBEDDING_WEIGHT) * index.tfidf_passage_scores(core)[0]
    )
    own = np.flatnonzero(index.owners == column)
    ranked = sorted(range(len(own)), key=lambda i: (-scores[own[i]], i))
    return [(i, float(scores[own[i]])) for i in ranked]


@lru_cache(maxsize=32)
def _topic_index(topic_texts: tuple[tuple[str, str, str], ...]) -> _TopicIndex:
    # Imported here: scikit-learn adds a second to the start of every process otherwise.
    from sklearn.feature_extraction.text import TfidfVectorizer

    passages: list[str] = []
    owners: list[int] = []
    for column, (title, summary, body) in enumerate(topic_texts):
        for passage in topic_passages(title=title, summary=summary, body=body):
            passages.append(passage)
            owners.append(column)
    vectorizers = []
    for options in (
        {"analyzer": "word", "ngram_range": (1, 2)},
        {"analyzer": "char_wb", "ngram_range": (3, 5)},
    ):
        vectorizer = TfidfVectorizer(sublinear_tf=True, **options)
        try:
            matrix = vectorizer.fit_transform(passages)
        except ValueError:  # nothing to count (titles like "?"): that measure abstains
            continue
        vectorizers.append((vectorizer, matrix.tocsr()))
    return _TopicIndex(
        passages=tuple(passages),
        owners=np.array(owners),
        topic_count=len(topic_texts),
        vectorizers=tuple(vectorizers),
    )


def _pack(parts: list[str], *, max_words: int) -> list[str]:
    """Join consecutive parts greedily into texts of at most `max_words` (a longer single
    part stays whole)."""
    packed: list[str] = []
    buffer: list[str] = []
    # A running count: recounting the buffer for every part made a 1 MB section of short
    # sentences cost seconds.
    buffered = 0
    for part in parts:
        words = len(part.split())
        if buffer and buffered + words > max_words:
            packed.append(" ".join(buffer))
            buffer = []
            buffered = 0
        buffer.append(part)
        buffered += words
    if buffer:
        packed.append(" ".join(buffer))
    return packed
