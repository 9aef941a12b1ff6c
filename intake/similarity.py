"""How alike two listeners' questions are, for spotting duplicates.

Cosine similarity of sentence embeddings (all-MiniLM-L6-v2) of each question's core, the
message without greetings and sign-offs. TF-IDF was measured too and is no use here: it
rewards shared words, and "did Ilya see AlphaGo Zero coming?" shares few words with "did he
predict AlphaGo Zero before it happened?" while "what did Ilya see in 2014?" shares all but
one with "what did Ilya see in 2023?". bench/topics.py prints the evidence for the threshold.
"""

from collections.abc import Sequence

import numpy as np

from episodes.question_text import question_core
from episodes.text_embedding import text_embed
from intake.models import Submission


def submission_match_text(submission: Submission) -> str:
    """What a submission asks: the text a host reads, plus typed text sent with a recording."""
    best = (submission.best_text or "").strip()
    typed = (submission.text or "").strip()
    if typed and typed != best:
        return f"{best}\n{typed}".strip()
    return best


def question_similarities(*, question: str, others: Sequence[str]) -> np.ndarray:
    """Similarity in [0, 1] of `question` to each of `others`."""
    if not others:
        return np.zeros(0)
    vectors = text_embed([question_core(text) for text in (question, *others)])
    return np.clip(vectors[1:] @ vectors[0], 0.0, 1.0)


def question_similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    """Pairwise similarity in [0, 1] of `texts` (1 on the diagonal)."""
    if not texts:
        return np.zeros((0, 0))
    vectors = text_embed([question_core(text) for text in texts])
    return np.clip(vectors @ vectors.T, 0.0, 1.0)


def question_similarity(first: str, second: str) -> float:
    return float(question_similarities(question=first, others=[second])[0])
