"""How alike two listeners' questions are, for spotting duplicates.

Cosine similarity of sentence embeddings (all-MiniLM-L6-v2) of each question's core, the
message without greetings and sign-offs. TF-IDF was measured too and is no use here: it
rewards shared words, and "did Ilya see AlphaGo Zero coming?" shares few words with "did he
predict AlphaGo Zero before it happened?" while "what did Ilya see in 2014?" shares all but
one with "what did Ilya see in 2023?". bench/topics.py prints the evidence for the threshold.
"""

from collections.abc import Sequence

import numpy as np

from episodes.matching.embedding import text_embed
from episodes.matching.question_text import question_core


def question_similarities(*, question: str, others: Sequence[str]) -> np.ndarray:
    """Similarity in [0, 1] of `question` to each of `others`."""
    if not others:
        return np.zeros(0)
    vectors = text_embed([question_core(text) for text in (question, *others)])
    return np.clip(vectors[1:] @ vectors[0], 0.0, 1.0)
