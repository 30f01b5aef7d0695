"""What a .tflite needs: ops and their support, MACs, parameters, flash and arena bytes.

Everything but the arena comes from the flatbuffer (``schema``); the arena is the engine's own
plan (``_tinyml.Model(...).arena_size``), so it is the exact number the device will allocate.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import metadata as md
from . import schema
from .errors import ModelError, TinymlError

# Ops whose constant inputs are learned parameters (weights, biases, slopes).
WEIGHTED_OPS = {
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV", "CONV_3D",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "BIDIRECTIONAL_SEQUENCE_LSTM", "LSTM", "SVDF", "RNN",
    "UNIDIRECTIONAL_SEQUENCE_RNN", "PRELU", "BATCH_MATMUL", "EMBEDDING_LOOKUP",
}  # fmt: skip
_PARAM_DTYPES = {"int8", "uint8", "int16", "float32", "float16", "int4"}

# Fraction of a board's RAM budget the model may take, leaving room for the script.
RAM_MARGIN = 0.9


@dataclass
class Layer:
    index: int
    op: str
    version: int
    supported: bool
    output_shape: list[int]
    macs: int
    params: int


@dataclass
class TensorInfo:
    name: str
    shape: list[int]
    dtype: str
    scale: float | None
    zero_point: int | None


# Where the model's bytes sit on the board (Fit.placement).
IN_RAM = "file"  # Model(path) reads the file into the heap: RAM holds the model and the arena
IN_FLASH = "frozen"  # frozen into the firmware, used in place from flash: RAM holds the arena


@dataclass
class Fit:
    board: str
    ram_budget: int
    flash_budget: int
    ram_needed: int | None
    flash_needed: int
    fits: bool
    reasons: list[str] = field(default_factory=list)
    placement: str = IN_RAM


@dataclass
class Report:
    path: str
    file_bytes: int
    layers: list[Layer]
    macs: int
    params: int
    weight_bytes: int
    arena_bytes: int | None
    arena_error: str | None
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    labels: list[str] | None
    pipeline: object | None
    unsupported: list[str]
    fit: Fit | None = None  # the verdict's placement
    other_fit: Fit | None = None  # the other placement, on boards that state both budgets

    @property
    def ok(self) -> bool:
        """Every op runs, and the model fits the board when one was given."""
        return (
            not self.unsupported
            and self.arena_bytes is not None
            and (self.fit is None or self.fit.fits)
        )

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ok"] = self.ok
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def _prod(shape: tuple[int, ...] | list[int]) -> int:
    n = 1
    for d in shape:
        n *= max(int(d), 1)
    return n


def layer_macs(model: schema.Model, op: schema.Operator) -> int:
    """Multiply-accumulates of one op, from the shapes stored in the model (0: not counted)."""
    t = model.tensors

    def tin(i: int) -> schema.Tensor | None:
        return t[op.inputs[i]] if i < len(op.inputs) and op.inputs[i] >= 0 else None

    out = t[op.outputs[0]] if op.outputs else None
    if out is None:
        return 0
    name = op.name
    if name == "CONV_2D" and tin(1) is not None:
        _, kh, kw, cin = tin(1).shape
        return _prod(out.shape) * kh * kw * cin
    if name == "DEPTHWISE_CONV_2D" and tin(1) is not None:
        _, kh, kw, _ = tin(1).shape
        return _prod(out.shape) * kh * kw
    if name == "FULLY_CONNECTED" and tin(1) is not None:
        return _prod(out.shape) * tin(1).shape[-1]
    if name == "TRANSPOSE_CONV" and tin(1) is not None and tin(2) is not None:
        cout, kh, kw, _ = tin(1).shape
        return _prod(tin(2).shape) * kh * kw * cout
    if name == "BATCH_MATMUL" and tin(0) is not None:
        return _prod(out.shape) * tin(0).shape[-1]
    if name in ("UNIDIRECTIONAL_SEQUENCE_LSTM", "LSTM", "UNIDIRECTIONAL_SEQUENCE_RNN", "RNN"):
        x = tin(0)
        steps = _prod(x.shape[:-1]) if x is not None else 1
        weights = sum(
            w.elements for i in range(1, len(op.inputs)) if (w := tin(i)) and w.is_const and
            w.dtype in _PARAM_DTYPES and len(w.shape) == 2
        )  # fmt: skip
        return steps * weights
    if name == "SVDF" and tin(1) is not None and tin(2) is not None:
        batch = tin(0).shape[0] if tin(0) is not None and tin(0).shape else 1
        return batch * (tin(1).elements + tin(2).elements)
    return 0


def _param_tensors(model: schema.Model, op: schema.Operator) -> list[schema.Tensor]:
    out = []
    for i in op.inputs:
        if i < 0:
            continue
        tensor = model.tensors[i]
        if not tensor.is_const:
            continue
        if op.name in WEIGHTED_OPS or tensor.dtype in _PARAM_DTYPES:
            out.append(tensor)
    return out


def _tensor_info(tensor: schema.Tensor) -> TensorInfo:
    q = tensor.quantization
    return TensorInfo(
        name=tensor.name,
        shape=list(tensor.shape),
        dtype=tensor.dtype,
        scale=q.scale[0] if q else None,
        zero_point=int(q.zero_point[0]) if q and q.zero_point else None,
    )


def engine():
    """The engine's CPython face, or a ToolchainError-like failure when it is not built."""
    try:
        from . import _tinyml
    except ImportError as e:
        raise TinymlError(
            f"the engine's CPython module is not built ({e}); run the set-up or "
            "`python setup.py build_ext --inplace`"
        ) from None
    return _tinyml


def op_supported(op: schema.Operator) -> bool:
    return bool(engine().op_supported(op.name, op.version))  # a custom op's name is its code


def arena_size(data: bytes) -> tuple[int | None, str | None]:
    """(exact arena bytes, None) from the engine's planner, or (None, why not)."""
    try:
        return engine().Model(data).arena_size, None
    except (ValueError, NotImplementedError, RuntimeError) as e:
        return None, str(e)


def analyze(path: str | Path, board: str | None = None, *, in_flash: bool = False) -> Report:
    """Inspects a model file; ``board`` adds a fit check against boards/<board>/board.json.

    The verdict assumes the model is read from a file into RAM, or with ``in_flash`` frozen
    into the firmware and used in place; a board whose board.json has a ``frozen_budget``
    gets the other placement's check too (``other_fit``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"{path}: {e.strerror}") from None
    try:
        model = schema.parse(data)
    except ModelError as e:
        raise ModelError(f"{path}: {e}") from None
    layers = []
    seen: set[int] = set()
    params = 0
    unsupported = []
    for op in model.operators:
        ptensors = _param_tensors(model, op)
        for tensor in ptensors:
            if tensor.index not in seen:
                seen.add(tensor.index)
                params += tensor.elements
        supported = op_supported(op)
        if not supported:
            unsupported.append(f"{op.name} v{op.version}")
        out_shape = list(model.tensors[op.outputs[0]].shape) if op.outputs else []
        layers.append(
            Layer(
                index=op.index,
                op=op.name,
                version=op.version,
                supported=supported,
                output_shape=out_shape,
                macs=layer_macs(model, op),
                params=sum(t.elements for t in ptensors),
            )
        )
    const_buffers = {t.buffer for t in model.tensors if t.is_const}
    weight_bytes = sum(model.buffers[b][1] for b in const_buffers)
    arena, arena_error = arena_size(data)
    labels = pipeline = None
    if md.LABELS in model.metadata:
        labels = md.decode_labels(model.metadata[md.LABELS])
    else:
        beside = path.with_suffix(".txt")
        if beside.is_file():
            labels = md.read_labels_file(str(beside))
    if md.PIPELINE in model.metadata:
        try:
            pipeline = json.loads(model.metadata[md.PIPELINE])
        except ValueError:
            pipeline = model.metadata[md.PIPELINE].decode("utf-8", "replace")
    report = Report(
        path=str(path),
        file_bytes=len(data),
        layers=layers,
        macs=sum(layer.macs for layer in layers),
        params=params,
        weight_bytes=weight_bytes,
        arena_bytes=arena,
        arena_error=arena_error,
        inputs=[_tensor_info(t) for t in model.tensor_inputs()],
        outputs=[_tensor_info(t) for t in model.tensor_outputs()],
        labels=labels,
        pipeline=pipeline,
        unsupported=sorted(set(unsupported)),
    )
    if board is not None:
        placements = [IN_FLASH, IN_RAM] if in_flash else [IN_RAM, IN_FLASH]
        report.fit = fit(report, board, placement=placements[0])
        if "frozen_budget" in load_board(board):
            report.other_fit = fit(report, board, placement=placements[1])
    return report


def load_board(board: str, paths=None) -> dict:
    """boards/<board>/board.json as a dict."""
    from .paths import Paths

    paths = paths or Paths.default()
    folder = paths.boards / board.replace("-", "_")
    if not folder.is_dir():
        folder = paths.boards / board
    f = folder / "board.json"
    if not f.is_file():
        known = sorted(p.name for p in paths.boards.iterdir() if (p / "board.json").is_file())
        raise TinymlError(f"unknown board {board!r}; known boards: {', '.join(known) or 'none'}")
    try:
        return json.loads(f.read_text())
    except ValueError as e:
        raise TinymlError(f"{f}: not valid JSON: {e}") from None


def _budget(info: dict, *keys: str) -> int | None:
    for k in keys:
        v = info.get(k)
        if isinstance(v, dict):
            continue
        if v is not None:
            return int(v)
    for container in ("budget", "budgets", "memory"):
        sub = info.get(container)
        if isinstance(sub, dict):
            found = _budget(sub, *keys)
            if found is not None:
                return found
    return None


def fit(report: Report, board: str, paths=None, *, placement: str = IN_RAM) -> Fit:
    """Whether the model runs on ``board``: read from a file (IN_RAM), the arena and the model
    in RAM and the file in the filesystem's flash; frozen into the firmware (IN_FLASH), the
    arena in RAM and the model in the flash the firmware leaves (``frozen_budget``)."""
    info = load_board(board, paths)
    ram = _budget(info, "ram_budget", "ram_budget_bytes", "heap_bytes", "ram", "ram_bytes")
    flash_keys = ("flash_budget", "flash_budget_bytes", "fs_bytes", "filesystem_bytes", "flash")
    if placement == IN_FLASH:
        flash_keys = ("frozen_budget",)
    flash = _budget(info, *flash_keys)
    if ram is None or flash is None:
        what = "frozen_budget" if placement == IN_FLASH else "RAM or flash budget"
        raise TinymlError(f"board {board!r}: board.json has no {what}")
    reasons = []
    ram_needed = report.arena_bytes
    if ram_needed is not None and placement == IN_RAM:
        ram_needed += report.file_bytes
    limit = int(ram * RAM_MARGIN)
    if ram_needed is None:
        reasons.append("arena unknown: the engine cannot plan this model")
    elif ram_needed > limit:
        parts = f"arena {report.arena_bytes:,}"
        if placement == IN_RAM:
            parts += f" + model {report.file_bytes:,}"
        reasons.append(
            f"needs {ram_needed:,} bytes of RAM ({parts}); {board} leaves {limit:,} "
            f"({int(RAM_MARGIN * 100)}% of {ram:,})"
        )
    if report.file_bytes > flash:
        where = "flash beside the firmware" if placement == IN_FLASH else "flash"
        reasons.append(
            f"model file is {report.file_bytes:,} bytes; {board} has {flash:,} bytes of {where}"
        )
    if report.unsupported:
        reasons.append("unsupported ops: " + ", ".join(report.unsupported))
    return Fit(
        board=board,
        ram_budget=ram,
        flash_budget=flash,
        ram_needed=ram_needed,
        flash_needed=report.file_bytes,
        fits=not reasons,
        reasons=reasons,
        placement=placement,
    )


_PLACEMENT_TEXT = {
    IN_RAM: "model read from a file into RAM",
    IN_FLASH: "model frozen into the firmware, run in place from flash",
}


def _format_fit(f: Fit, verdict: bool) -> list[str]:
    fits = "fits" if f.fits else "does NOT fit"
    head = (
        f"board {f.board}:  {fits} (RAM {_kb(f.ram_needed)} of {_kb(f.ram_budget)}, "
        f"flash {_kb(f.flash_needed)} of {_kb(f.flash_budget)})"
    )
    lines = [head, f"  {'verdict' if verdict else 'also'}: {_PLACEMENT_TEXT[f.placement]}"]
    lines.extend(f"  - {r}" for r in f.reasons)
    return lines


def _kb(n: int | None) -> str:
    return "?" if n is None else f"{n:,} B ({n / 1024:.1f} KiB)"


def _quant(t: TensorInfo) -> str:
    q = "" if t.scale is None else f"  scale {t.scale:.6g} zero_point {t.zero_point}"
    return f"{t.name or '?'}  {t.shape} {t.dtype}{q}"


def format_report(report: Report) -> str:
    """The human-readable table ``tinyml inspect`` prints."""
    lines = [f"model: {report.path} ({_kb(report.file_bytes)})", ""]
    w = max([len(f"{layer.op} v{layer.version}") for layer in report.layers] + [8])
    lines.append(f"  {'#':>3}  {'op':<{w}}  {'':3}  {'output':<20} {'MACs':>12} {'params':>10}")
    for layer in report.layers:
        op = f"{layer.op} v{layer.version}"
        mark = "ok" if layer.supported else "NO"
        shape = "x".join(str(d) for d in layer.output_shape)
        lines.append(
            f"  {layer.index:>3}  {op:<{w}}  {mark:3}  {shape:<20} {layer.macs:>12,} "
            f"{layer.params:>10,}"
        )
    lines.append("")
    lines.append(f"total MACs:     {report.macs:,}")
    lines.append(f"parameters:     {report.params:,}")
    lines.append(f"weights/flash:  {_kb(report.weight_bytes)}")
    if report.arena_bytes is not None:
        lines.append(f"arena/RAM:      {_kb(report.arena_bytes)}")
    else:
        lines.append(f"arena/RAM:      unknown ({report.arena_error})")
    for name, tensors in (("input", report.inputs), ("output", report.outputs)):
        for i, t in enumerate(tensors):
            lines.append(f"{f'{name} {i}:':<16}{_quant(t)}")
    if report.labels is not None:
        lines.append(f"labels:         {', '.join(report.labels)}")
    if report.pipeline is not None:
        lines.append(f"pipeline:       {json.dumps(report.pipeline)}")
    if report.unsupported:
        lines.append(f"unsupported:    {', '.join(report.unsupported)}")
    else:
        lines.append("ops:            all supported by the engine")
    if report.fit is not None:
        lines.extend(_format_fit(report.fit, verdict=True))
        if report.other_fit is not None:
            lines.extend(_format_fit(report.other_fit, verdict=False))
        lines.extend(_board_budgets(report.fit.board))
    return "\n".join(lines)


def _board_budgets(board: str) -> list[str]:
    """What board.json states of the firmware and the heap, when it does."""
    info = load_board(board)
    if "firmware_bytes" not in info:
        return []
    line = (
        f"  {board} firmware: {_kb(info['firmware_bytes'])} of the "
        f"{_kb(info['firmware_region_bytes'])} before the filesystem; GC heap "
        f"{_kb(info['heap_bytes'])}, {_kb(info['ram_budget'])} free to a script"
    )
    return [line]
