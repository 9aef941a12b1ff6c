"""Turn a CTranslate2 Whisper model directory into an openai-whisper checkpoint (`.pt`)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .ct2 import CT2FormatError, read_ct2_variables

_LAYER = re.compile(r"^(encoder|decoder)/layer_(\d+)/")


def ct2_to_openai_checkpoint(model_dir: Path) -> dict[str, Any]:
    """Build `{"dims": ..., "model_state_dict": ..., "alignment_heads": ...}` from `model_dir`.

    `whisper.load_model` reads only `dims` and `model_state_dict`; `alignment_heads` is kept so
    the engine can restore word-timestamp heads that openai-whisper only knows for its own names.
    """
    spec, v = read_ct2_variables(model_dir / "model.bin")
    if spec != "WhisperSpec":
        raise CT2FormatError(f"{model_dir}: spec {spec!r} is not a Whisper model")
    if any(name.endswith("weight_scale") for name in v):
        raise CT2FormatError(f"{model_dir}: quantized model; convert from float16/float32 weights")

    dims = _dims(v)
    sd: dict[str, torch.Tensor] = {}

    def put(name: str, array: np.ndarray) -> None:
        # Copy: the arrays are read-only views over the file buffer.
        sd[name] = torch.from_numpy(np.array(array))

    def linear(dst: str, src: str) -> None:
        put(f"{dst}.weight", v[f"{src}/weight"])
        put(f"{dst}.bias", v[f"{src}/bias"])

    def norm(dst: str, src: str) -> None:
        put(f"{dst}.weight", v[f"{src}/gamma"])
        put(f"{dst}.bias", v[f"{src}/beta"])

    def split(dst: str, src: str, parts: tuple[str, ...]) -> None:
        # CTranslate2 fuses projections row-wise; openai-whisper's key projection has no bias
        # (CTranslate2 stores zeros there), so that slice of the bias is dropped.
        weights = np.split(v[f"{src}/weight"], len(parts))
        biases = np.split(v[f"{src}/bias"], len(parts))
        for part, weight, bias in zip(parts, weights, biases, strict=True):
            put(f"{dst}.{part}.weight", weight)
            if part != "key":
                put(f"{dst}.{part}.bias", bias)

    def feed_forward(dst: str, src: str) -> None:
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    for conv in ("conv1", "conv2"):
        linear(f"encoder.{conv}", f"encoder/{conv}")
    put("encoder.positional_embedding", v["encoder/position_encodings/encodings"])
    for n in range(dims["n_audio_layer"]):
        src, dst = f"encoder/layer_{n}", f"encoder.blocks.{n}"
        split(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        feed_forward(dst, src)
    norm("encoder.ln_post", "encoder/layer_norm")

    put("decoder.token_embedding.weight", v["decoder/embeddings/weight"])
    put("decoder.positional_embedding", v["decoder/position_encodings/encodings"])
    for n in range(dims["n_text_layer"]):
        src, dst = f"decoder/layer_{n}", f"decoder.blocks.{n}"
        split(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        split(f"{dst}.cross_attn", f"{src}/attention/linear_1", ("key", "value"))
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        feed_forward(dst, src)
    norm("decoder.ln", "decoder/layer_norm")

    return {
        "dims": dims,
        "model_state_dict": sd,
        "alignment_heads": _alignment_heads(model_dir),
    }


def save_checkpoint_atomically(checkpoint: dict[str, Any], target: Path) -> None:
    """Write `target` so concurrent readers see either no file or a complete one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(checkpoint, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _dims(v: dict[str, np.ndarray]) -> dict[str, int]:
    layers = {"encoder": set(), "decoder": set()}
    for name in v:
        # `layer_norm` also starts with "layer_"; the regex wants digits and a slash.
        if match := _LAYER.match(name):
            layers[match.group(1)].add(int(match.group(2)))
    conv1 = v["encoder/conv1/weight"]
    embeddings = v["decoder/embeddings/weight"]
    return {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(conv1.shape[0]),
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": len(layers["encoder"]),
        "n_vocab": int(embeddings.shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(embeddings.shape[1]),
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": len(layers["decoder"]),
    }


def _alignment_heads(model_dir: Path) -> list[list[int]]:
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [[int(layer), int(head)] for layer, head in config.get("alignment_heads", [])]
