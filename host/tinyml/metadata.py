"""Labels and pipeline settings stored inside a .tflite, as TFLite metadata entries.

``tinyml_labels`` holds the class labels as UTF-8, one per line; ``tinyml_pipeline`` holds JSON.
The engine reads both (``Model.labels``, ``Model.metadata(name)``) on every face.

Adding entries keeps the original model bytes: a new root table, metadata vector, buffers vector
and the new data are placed in front of the old flatbuffer, and point forward into it. The
prefix is a multiple of 16 bytes, so every buffer keeps the alignment the converter gave it.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping

from . import schema
from .errors import ModelError
from .model import LABELS, parse_labels

PIPELINE = "tinyml_pipeline"

_MODEL_FIELDS = 8  # version .. signature_defs
_BUFFERS, _METADATA = 4, 6
_OFFSET_FIELDS = (1, 2, 3, 5, 7)  # operator_codes, subgraphs, description, metadata_buffer, sigs


def encode_labels(labels: list[str]) -> bytes:
    for label in labels:
        if not label.strip() or "\n" in label or "\r" in label:
            raise ModelError(f"invalid label {label!r}: labels are single non-empty lines")
    return "".join(label.strip() + "\n" for label in labels).encode()


def decode_labels(data: bytes) -> list[str]:
    """The labels of a ``tinyml_labels`` entry, read as ``tinyml.Model`` reads them."""
    return parse_labels(data.decode("utf-8", "replace"))


def read_labels_file(path: str) -> list[str]:
    """Labels from a text file, one per line (blank lines ignored), as ``tinyml.Model`` reads
    them; ModelError naming the file when it cannot be read or holds none."""
    try:
        with open(path, "rb") as f:
            labels = parse_labels(f.read().decode("utf-8"))
    except OSError as e:
        raise ModelError(f"{path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not UTF-8 text") from None
    if not labels:
        raise ModelError(f"{path}: no labels in file")
    return labels


def labels(model: bytes) -> list[str] | None:
    data = schema.parse(model).metadata.get(LABELS)
    return None if data is None else decode_labels(data)


def pipeline(model: bytes) -> dict | None:
    data = schema.parse(model).metadata.get(PIPELINE)
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        raise ModelError(f"{PIPELINE} metadata is not JSON") from None


class _Prefix:
    """Bytes that go in front of the old model, with forward offsets patched at the end."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.patches: list[tuple[int, str, object]] = []  # (at, kind, target)

    def align(self, n: int, extra: int = 0) -> None:
        while (len(self.buf) + extra) % n:
            self.buf.append(0)

    def here(self) -> int:
        return len(self.buf)

    def put(self, fmt: str, *values: object) -> int:
        at = len(self.buf)
        self.buf += struct.pack("<" + fmt, *values)
        return at

    def offset_to(self, target: object) -> int:
        """A uoffset to ``target``: ("new", key) for a prefix object or ("old", pos)."""
        at = self.put("I", 0)
        self.patches.append((at, "uoffset", target))
        return at


def with_metadata(model: bytes, entries: Mapping[str, bytes | None]) -> bytes:
    """A copy of ``model`` whose metadata has ``entries`` added or replaced (None removes)."""
    info = schema.parse(model)
    for start, n in info.buffers:
        if n and start + n > len(model):
            raise ModelError("model keeps buffers outside its flatbuffer; cannot add metadata")
    root = schema.Table(model, struct.unpack_from("<I", model, 0)[0])
    if root.vtable_len > 4 + 2 * _MODEL_FIELDS:
        raise ModelError("model has fields newer than this tool knows; cannot add metadata")

    old_buffers = [_vector_element_targets(root, _BUFFERS)]
    old_meta = []
    for m, target in zip(root.tables(_METADATA), _vector_element_targets(root, _METADATA)):
        name = m.string(0) or ""
        if name not in entries:
            old_meta.append(target)
    new_entries = [(k, v) for k, v in entries.items() if v is not None]
    n_old_buffers = len(old_buffers[0])

    p = _Prefix()
    p.offset_to(("new", "root"))
    p.buf += schema.FILE_IDENTIFIER
    # Model vtable: every field slot, absent ones 0.
    present = {f: root.field_offset(f) for f in range(_MODEL_FIELDS) if root.field_offset(f)}
    present[_BUFFERS] = 1
    present[_METADATA] = 1
    slots = sorted(present)
    layout = {f: 4 + 4 * i for i, f in enumerate(slots)}
    table_size = 4 + 4 * len(slots)
    p.align(4)
    vtable = p.put("HH", 4 + 2 * _MODEL_FIELDS, table_size)
    for f in range(_MODEL_FIELDS):
        p.put("H", layout.get(f, 0))
    p.align(4)
    table = p.here()
    keys = {"root": table}
    p.put("i", table - vtable)
    for f in slots:
        if f == 0:
            p.put("I", int(root.scalar(0, "I")))
        elif f == _BUFFERS:
            p.offset_to(("new", "buffers"))
        elif f == _METADATA:
            p.offset_to(("new", "metadata"))
        else:
            at = root.pos + root.field_offset(f)
            p.offset_to(("old", at + struct.unpack_from("<I", model, at)[0]))
    # buffers vector: the old buffers, then one per new entry
    keys["buffers"] = p.put("I", n_old_buffers + len(new_entries))
    for target in old_buffers[0]:
        p.offset_to(("old", target))
    for i in range(len(new_entries)):
        p.offset_to(("new", f"buffer{i}"))
    keys["metadata"] = p.put("I", len(old_meta) + len(new_entries))
    for target in old_meta:
        p.offset_to(("old", target))
    for i in range(len(new_entries)):
        p.offset_to(("new", f"meta{i}"))
    # Metadata tables {name: string, buffer: uint} sharing one vtable
    meta_vtable = p.put("HHHH", 8, 12, 4, 8)
    for i in range(len(new_entries)):
        keys[f"meta{i}"] = p.here()
        p.put("i", p.here() - meta_vtable)
        p.offset_to(("new", f"name{i}"))
        p.put("I", n_old_buffers + i)
    # Buffer tables {data: [ubyte]} sharing one vtable
    p.align(4)
    buf_vtable = p.put("HHH", 6, 8, 4)
    p.align(4)
    for i in range(len(new_entries)):
        keys[f"buffer{i}"] = p.here()
        p.put("i", p.here() - buf_vtable)
        p.offset_to(("new", f"data{i}"))
    for i, (name, _) in enumerate(new_entries):
        raw = name.encode()
        p.align(4)
        keys[f"name{i}"] = p.put("I", len(raw))
        p.buf += raw + b"\0"
    for i, (_, data) in enumerate(new_entries):
        p.align(16, 4)
        keys[f"data{i}"] = p.put("I", len(data))
        p.buf += data
    p.align(16)
    shift = len(p.buf)
    for at, _, (kind, target) in p.patches:
        dest = keys[target] if kind == "new" else shift + target
        if dest <= at:
            raise ModelError("internal error: backward offset while adding metadata")
        struct.pack_into("<I", p.buf, at, dest - at)
    out = bytes(p.buf) + bytes(model)
    schema.parse(out)  # it must read back
    return out


def _vector_element_targets(table: schema.Table, field_index: int) -> list[int]:
    start, n = table.vector(field_index)
    return [
        start + 4 * i + struct.unpack_from("<I", table.buf, start + 4 * i)[0] for i in range(n)
    ]
