"""A small reader for TFLite flatbuffers, so inspecting a model needs no TensorFlow.

Reads the subset of ``tensorflow/compiler/mlir/lite/schema/schema.fbs`` the host tools use:
operator codes, the first subgraph's tensors and operators, buffers and metadata. Field numbers
are the schema's field order. Every out-of-range offset becomes a ModelError.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ModelError

FILE_IDENTIFIER = b"TFL3"


def builtin_name(code: int) -> str:
    """The engine's name of a BuiltinOperator code ("CONV_2D"); ``BUILTIN_<code>`` past its
    table. Names come from the engine (``_tinyml.BUILTIN_NAMES``): one table, not two."""
    names = _engine().BUILTIN_NAMES
    return names[code] if 0 <= code < len(names) else f"BUILTIN_{code}"


def type_name(code: int) -> str:
    """The engine's name of a TensorType code ("int8"), ``?`` past its table."""
    names = _engine().TYPE_NAMES
    return names[code] if 0 <= code < len(names) else "?"


def _engine():
    from .inspect import engine

    return engine()


class Table:
    """One flatbuffer table: ``pos`` is where it starts in ``buf``."""

    __slots__ = ("buf", "pos", "vtable", "vtable_len")

    def __init__(self, buf: bytes | memoryview, pos: int) -> None:
        self.buf = buf
        self.pos = pos
        self.vtable = pos - _i32(buf, pos)
        self.vtable_len = _u16(buf, self.vtable)

    def field_offset(self, field_index: int) -> int:
        """Offset of the field from the table start, 0 when absent."""
        o = 4 + 2 * field_index
        return _u16(self.buf, self.vtable + o) if o < self.vtable_len else 0

    def scalar(self, field_index: int, fmt: str, default: float = 0) -> int | float:
        o = self.field_offset(field_index)
        return _unpack(fmt, self.buf, self.pos + o) if o else default

    def _target(self, field_index: int) -> int | None:
        o = self.field_offset(field_index)
        if not o:
            return None
        at = self.pos + o
        return at + _u32(self.buf, at)

    def table(self, field_index: int) -> Table | None:
        t = self._target(field_index)
        return None if t is None else Table(self.buf, t)

    def vector(self, field_index: int) -> tuple[int, int]:
        """(start of the elements, element count); (0, 0) when absent."""
        t = self._target(field_index)
        if t is None:
            return 0, 0
        return t + 4, _u32(self.buf, t)

    def string(self, field_index: int) -> str | None:
        start, n = self.vector(field_index)
        if not start:
            return None
        _check(self.buf, start, n)
        return bytes(self.buf[start : start + n]).decode("utf-8", "replace")

    def scalars(self, field_index: int, fmt: str) -> tuple:
        start, n = self.vector(field_index)
        if not n:
            return ()
        size = struct.calcsize(fmt)
        _check(self.buf, start, n * size)
        return struct.unpack_from(f"<{n}{fmt}", self.buf, start)

    def tables(self, field_index: int) -> list[Table]:
        start, n = self.vector(field_index)
        out = []
        for i in range(n):
            at = start + 4 * i
            out.append(Table(self.buf, at + _u32(self.buf, at)))
        return out


def _check(buf: bytes | memoryview, pos: int, n: int) -> None:
    if pos < 0 or pos + n > len(buf):
        raise ModelError(f"corrupt TFLite file: offset {pos} beyond its {len(buf)} bytes")


def _unpack(fmt: str, buf: bytes | memoryview, pos: int) -> int | float:
    _check(buf, pos, struct.calcsize(fmt))
    return struct.unpack_from("<" + fmt, buf, pos)[0]


def _u16(buf: bytes | memoryview, pos: int) -> int:
    return int(_unpack("H", buf, pos))


def _u32(buf: bytes | memoryview, pos: int) -> int:
    return int(_unpack("I", buf, pos))


def _i32(buf: bytes | memoryview, pos: int) -> int:
    return int(_unpack("i", buf, pos))


@dataclass
class Quantization:
    scale: tuple[float, ...] = ()
    zero_point: tuple[int, ...] = ()
    quantized_dimension: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scale) > 1


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    buffer: int
    data_bytes: int
    quantization: Quantization | None
    is_variable: bool = False

    @property
    def is_const(self) -> bool:
        return self.data_bytes > 0

    @property
    def elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= max(d, 0)
        return n


@dataclass
class Operator:
    index: int
    name: str  # builtin name, or the custom code for CUSTOM ops
    version: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    custom: bool = False


@dataclass
class Model:
    """What one .tflite holds, as far as the host tools need it."""

    size: int
    version: int
    description: str
    tensors: list[Tensor]
    operators: list[Operator]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    subgraphs: int
    buffers: list[tuple[int, int]]  # (offset, length) of each buffer's data in the file
    metadata: dict[str, bytes] = field(default_factory=dict)

    def tensor_inputs(self) -> list[Tensor]:
        return [self.tensors[i] for i in self.inputs]

    def tensor_outputs(self) -> list[Tensor]:
        return [self.tensors[i] for i in self.outputs]


def _root(data: bytes | memoryview) -> Table:
    if len(data) < 8:
        raise ModelError("not a TFLite model: file too short")
    if bytes(data[4:8]) != FILE_IDENTIFIER:
        raise ModelError("not a TFLite model: no TFL3 identifier")
    return Table(data, _u32(data, 0))


def parse(data: bytes | memoryview) -> Model:
    """Reads a .tflite image; raises ModelError if it is not one."""
    try:
        return _parse(data)
    except (struct.error, IndexError, ValueError) as e:
        raise ModelError(f"corrupt TFLite file: {e}") from None


def load(path: str | Path) -> Model:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ModelError(f"{path}: {e.strerror}") from None
    try:
        return parse(data)
    except ModelError as e:
        raise ModelError(f"{path}: {e}") from None


def _parse(data: bytes | memoryview) -> Model:
    root = _root(data)
    buffers = []
    for b in root.tables(4):
        start, n = b.vector(0)
        if not n and b.scalar(1, "Q") > 1:
            start, n = int(b.scalar(1, "Q")), int(b.scalar(2, "Q"))
        _check(data, start, n)
        buffers.append((start, n))
    metadata = {}
    for m in root.tables(6):
        name = m.string(0) or ""
        bi = int(m.scalar(1, "I"))
        if 0 <= bi < len(buffers):
            start, n = buffers[bi]
            metadata[name] = bytes(data[start : start + n])
    opcodes = []
    for oc in root.tables(1):
        code = max(int(oc.scalar(0, "b")), int(oc.scalar(3, "i")))
        custom = oc.string(1)
        opcodes.append((code, int(oc.scalar(2, "i", 1)), custom))
    subgraphs = root.tables(2)
    if not subgraphs:
        raise ModelError("model has no subgraph")
    sg = subgraphs[0]
    tensors = []
    for i, t in enumerate(sg.tables(0)):
        q = t.table(4)
        quant = None
        if q is not None:
            quant = Quantization(
                tuple(q.scalars(2, "f")), tuple(q.scalars(3, "q")), int(q.scalar(6, "i"))
            )
            if not quant.scale:
                quant = None
        type_code = int(t.scalar(1, "b"))
        bi = int(t.scalar(2, "I"))
        tensors.append(
            Tensor(
                index=i,
                name=t.string(3) or "",
                shape=tuple(t.scalars(0, "i")),
                dtype=type_name(type_code),
                buffer=bi,
                data_bytes=buffers[bi][1] if 0 < bi < len(buffers) else 0,
                quantization=quant,
                is_variable=bool(t.scalar(5, "B")),
            )
        )
    operators = []
    for i, op in enumerate(sg.tables(3)):
        idx = int(op.scalar(0, "I"))
        if not 0 <= idx < len(opcodes):
            raise ModelError(f"operator {i} has opcode index {idx} out of range")
        code, version, custom = opcodes[idx]
        is_custom = builtin_name(code) == "CUSTOM"
        operators.append(
            Operator(
                index=i,
                name=(custom or "CUSTOM") if is_custom else builtin_name(code),
                version=version,
                inputs=tuple(op.scalars(1, "i")),
                outputs=tuple(op.scalars(2, "i")),
                custom=is_custom,
            )
        )
    return Model(
        size=len(data),
        version=int(root.scalar(0, "I")),
        description=root.string(3) or "",
        tensors=tensors,
        operators=operators,
        inputs=tuple(sg.scalars(1, "i")),
        outputs=tuple(sg.scalars(2, "i")),
        subgraphs=len(subgraphs),
        buffers=buffers,
        metadata=metadata,
    )
