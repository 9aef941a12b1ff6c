"""Read the variables of a CTranslate2 `model.bin` (binary format version 6) into numpy arrays.

Only what the Whisper converter needs: no quantized models, no writing.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

SUPPORTED_BINARY_VERSION = 6

# bfloat16 has no numpy dtype; it is read as uint16 and widened below.
_DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),
}
_BFLOAT16 = 5


class CT2FormatError(ValueError):
    """The file is not a CTranslate2 model this reader understands."""


def read_ct2_variables(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """Return `(spec_name, variables)`; aliases are resolved to the arrays they point at."""
    with path.open("rb") as fh:
        version = _read(fh, "<I")
        if version != SUPPORTED_BINARY_VERSION:
            raise CT2FormatError(
                f"{path}: CTranslate2 binary version {version}, expected {SUPPORTED_BINARY_VERSION}"
            )
        spec = _read_name(fh)
        _read(fh, "<I")  # spec revision: the layout below does not depend on it
        variables: dict[str, np.ndarray] = {}
        for _ in range(_read(fh, "<I")):
            name = _read_name(fh)
            rank = _read(fh, "<B")
            shape = tuple(_read(fh, "<I") for _ in range(rank))
            dtype_id = _read(fh, "<B")
            nbytes = _read(fh, "<I")
            if dtype_id not in _DTYPES:
                raise CT2FormatError(f"{path}: variable {name} has unknown dtype id {dtype_id}")
            raw = fh.read(nbytes)
            if len(raw) != nbytes:
                raise CT2FormatError(f"{path}: truncated at variable {name}")
            array = np.frombuffer(raw, dtype=_DTYPES[dtype_id]).reshape(shape)
            if dtype_id == _BFLOAT16:
                array = (array.astype(np.uint32) << 16).view(np.float32)
            variables[name] = array
        for _ in range(_read(fh, "<I")):
            alias, target = _read_name(fh), _read_name(fh)
            variables[alias] = variables[target]
    return spec, variables


def _read(fh: BinaryIO, fmt: str) -> int:
    size = struct.calcsize(fmt)
    data = fh.read(size)
    if len(data) != size:
        raise CT2FormatError("unexpected end of file")
    return struct.unpack(fmt, data)[0]


def _read_name(fh: BinaryIO) -> str:
    length = _read(fh, "<H")
    # The stored length counts the trailing NUL.
    return fh.read(length)[:-1].decode("utf-8")
