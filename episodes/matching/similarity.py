"""How alike two listeners' questions are, for spotting duplicates.

Cosine similarity of sentence embeddings (all-MiniLM-L6-v2) of each question's core, the
message without greetings and sign-offs. TF-IDF was measured too and is no use here: it
rewards shared words, and "did Ilya see AlphaGo Zero coming?" shares few words with "did he
predict AlphaGo Zero before it happened?" while "what did Ilya see in 2014?" shares all but
one with "what did Ilya see in 2023?". bench/topics.py prints the evidence for the threshold.
"""

from collections.abc import Sequence

import numpy as np

from episodes.matching.embedding import EMBEDDING_DIMENSIONS, text_embed
from episodes.matching.question_text import question_core


def question_similarities(*, question: str, others: Sequence[str]) -> np.ndarray:
    """Similarity in [0, 1] of `question` to each of `others`."""
    if not others:
        return np.zeros(0)
    vectors = text_embed([question_core(text) for text in (question, *others)])
    return np.clip(vectors[1:] @ vectors[0], 0.0, 1.0)


# --- Stored vectors -------------------------------------------------------------------------
# The worker stores each question's vector (question_core of its text, unit length) as float32
# bytes, 1.5 KB apiece, and looks for duplicates among them without the model: a dot product
# over the episode's stored vectors.


def vector_pack(vector: np.ndarray) -> bytes:
    """A vector as it is stored: little-endian float32 bytes."""
    return np.asarray(vector, dtype="<f4").tobytes()


def vectors_unpack(blobs: Sequence[bytes]) -> np.ndarray:
    """Stored vectors as one matrix, a row each (all must have EMBEDDING_DIMENSIONS)."""
    if not blobs:
        return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    matrix = np.frombuffer(b"".join(bytes(blob) for blob in blobs), dtype="<f4")
    return matrix.reshape(len(blobs), EMBEDDING_DIMENSIONS)


def vector_nearest(
    *, vector: np.ndarray, matrix: np.ndarray, limit: int, threshold: float
) -> list[tuple[int, float]]:
    """Rows of `matrix` at least `threshold` similar to `vector`, as (row, score), best first
    (ties by row), at most `limit` of them."""
    if not len(matrix) or limit <= 0:
        return []
    scores = np.clip(matrix @ np.asarray(vector, dtype=np.float32), 0.0, 1.0)
    close = np.flatnonzero(scores >= threshold)
    if len(close) > limit:
        # The `limit` best without sorting them all; ties at the cut are decided by row below.
        close = close[np.argpartition(-scores[close], limit - 1)[:limit]]
    order = sorted(close.tolist(), key=lambda row: (-float(scores[row]), row))
    return [(row, float(scores[row])) for row in order]
