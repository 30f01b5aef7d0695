"""What a .tflite needs: ops and their support, MACs, parameters, flash and arena bytes.

Everything but the arena comes from the flatbuffer (``schema``); the arena is the engine's own
plan for the board's target (``_tinyml.plan``: pointer size and kernel set, from the
board's ``mpy_arch``), so it is the exact number the device will allocate.
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


@dataclass
class Placement:
    """Where the model's bytes live while it runs, and whether the board has room for that."""

    name: str  # IN_FLASH or IN_RAM
    ram_needed: int | None
    fits: bool
    reasons: list[str] = field(default_factory=list)
    parts: str = "arena"  # what ram_needed adds up, e.g. "arena + model"


IN_FLASH = "model in flash (ROMFS, used in place)"
IN_RAM = "model read into RAM"


@dataclass
class Fit:
    board: str
    ram_budget: int
    flash_budget: int
    ram_needed: int | None  # with the model in flash: the arena (+ the module's heap)
    flash_needed: int
    fits: bool  # the model fits in flash, with its arena in RAM
    reasons: list[str] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    hint: str | None = None


@dataclass
class Peak:
    """Where the arena's activation area is fullest: the op then running and what is live."""

    activation_bytes: int  # the planned area (tensors and scratch), the rest of the arena
    # being the tensor and node tables and the ops' data
    node: int  # the op at which the live buffers occupy most memory
    op: str
    tensors: list[TensorUse]
    scratch_bytes: int  # the op's own scratch at that moment
    # The memory the live buffers occupy then: less than their sum where an output lies over
    # the input its op finishes reading as it writes.
    occupied_bytes: int = 0
    # Ops whose output lies over their input in this plan: (op index, op name, input tensor,
    # output tensor, the bytes the output starts before the input).
    overlaps: list[tuple[int, str, int, int, int]] = field(default_factory=list)


@dataclass
class Patch:
    """The leading chain of convolutions the planner runs band by band (patch-based execution):
    the tensors between its ops exist only as band buffers of a few rows."""

    first: int  # the chain's first and last op
    last: int
    ops: list[str]
    rows: int  # output rows of the last op per band
    bands: int
    activations_before: int  # the planned area without patching, and with
    activations_after: int
    extra_macs: int  # recomputed where bands overlap
    # (tensor index, name, band buffer bytes, whole tensor bytes: int8) between the chain's ops
    band_buffers: list[tuple[int, str, int, int]] = field(default_factory=list)


@dataclass
class TensorUse:
    index: int
    name: str
    bytes: int
    over: int | None = None  # the tensor whose memory this one lies over, if any


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
    arena_target: str  # what the arena was planned for: "this host" or a board's target
    peak: Peak | None
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    labels: list[str] | None
    pipeline: object | None
    unsupported: list[str]
    fit: Fit | None = None
    compression: Compression | None = None
    patch: Patch | None = None

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
    """Multiply-accumulates of one op, from the shapes stored in the model (0: not counted).

    A report figure, not engine behaviour: the engine's kernels never count MACs, so the count
    lives here once; tests/host/test_inspect.py checks it against a count from TensorFlow's
    schema bindings and MLPerf Tiny's published figures."""
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


@dataclass
class Compression:
    """Weights stored as TFLM lookup-table indices (TFLM_DECODE ops)."""

    tensors: int  # compressed weight tensors
    bits: list[int]  # index widths used
    stored_bytes: int  # indices and tables in the file
    decoded_bytes: int  # the same weights as int8
    flash_before: int  # the file as it would be uncompressed
    decode_ram: int  # largest set of weights one DECODE writes into the arena


def _compression(model: schema.Model, data: bytes) -> Compression | None:
    decodes = [op for op in model.operators if op.name == "TFLM_DECODE"]
    if not decodes:
        return None
    stored: dict[int, int] = {}
    decoded: dict[int, int] = {}
    bits = set()
    ram = 0
    readers: dict[int, int] = {}
    for op in model.operators:
        for t in op.inputs:
            readers[t] = readers.get(t, 0) + 1
    ops = list(model.operators)
    for n, op in enumerate(ops):
        if op.name != "TFLM_DECODE":
            continue
        layer = 0
        after = ops[n + 1] if n + 1 < len(ops) else None
        for i, out in enumerate(op.outputs):
            enc, anc = model.tensors[op.inputs[2 * i]], model.tensors[op.inputs[2 * i + 1]]
            off, _ = model.buffers[anc.buffer]
            if anc.data_bytes >= 16:
                bits.add(data[off + 5] & 7)
            t = model.tensors[out]
            size = t.elements * (1 if t.dtype in ("int8", "uint8") else 4)
            stored[enc.index] = enc.data_bytes
            stored[anc.index] = anc.data_bytes
            decoded[enc.index] = size
            # An int8 FULLY_CONNECTED right after, its only reader, decodes a block of rows at
            # a time into its own scratch (engine: defer_decodes), not the layer into the arena.
            deferred = (after is not None and after.name == "FULLY_CONNECTED"
                        and len(after.inputs) > 1 and after.inputs[1] == out
                        and readers.get(out) == 1 and t.dtype == "int8"
                        and model.tensors[after.inputs[0]].dtype == "int8")  # fmt: skip
            layer += 0 if deferred else size
        ram = max(ram, layer)
    before = len(data) - sum(stored.values()) + sum(decoded.values())
    return Compression(len(decoded), sorted(bits), sum(stored.values()), sum(decoded.values()),
                       before, ram)  # fmt: skip


# The engine's target on each MicroPython architecture: pointer bytes and the kernel set
# kernels/opt/opt.h picks there (ARMv7E-M's DSP instructions on Cortex-M4/M7, portable C on
# every other core). The arena depends on both.
ARCH_TARGETS = {
    "x64": (8, "portable"),
    "armv6m": (4, "portable"),
    "armv7m": (4, "portable"),
    "armv7emsp": (4, "armv7em"),
    "armv7emdp": (4, "armv7em"),
    "xtensawin": (4, "portable"),
}


def board_target(info: dict) -> tuple[int, str]:
    """(pointer bytes, kernel set) of the engine built for a board (its board.json)."""
    arch = info.get("mpy_arch")
    if arch not in ARCH_TARGETS:
        raise TinymlError(
            f"board {info.get('name')!r}: mpy_arch {arch!r} has no engine target; "
            f"add it to inspect.ARCH_TARGETS (known: {', '.join(ARCH_TARGETS)})"
        )
    return ARCH_TARGETS[arch]


def plan(data: bytes, target: tuple[int, str] | None = None) -> tuple[dict | None, str | None]:
    """(the engine's plan, None) for ``target`` (pointer bytes, kernel set; default: this
    host's build): {"arena": exact bytes, "buffers": [...], "tensors": n}; or (None, why not)."""
    try:
        return engine().plan(data, *(target or engine().TARGET)), None
    except (ValueError, NotImplementedError) as e:
        return None, str(e)


def arena_size(
    data: bytes, target: tuple[int, str] | None = None
) -> tuple[int | None, str | None]:
    """(exact arena bytes, None) for ``target`` (default: this host), or (None, why not)."""
    p, error = plan(data, target)
    return (None, error) if p is None else (p["arena"], None)


def _occupied(intervals: list[tuple[int, int]]) -> int:
    """Bytes covered by the (offset, size) intervals, overlaps counted once."""
    total, end = 0, 0
    for off, size in sorted(intervals):
        start = max(off, end)
        if off + size > start:
            total += off + size - start
            end = off + size
    return total


def peak(arena_plan: dict, model: schema.Model) -> Peak | None:
    """The node at which the live planned buffers occupy most memory, with those buffers: no
    plan that keeps these overlaps can make the activation area smaller than that."""
    n_tensors = arena_plan["tensors"]
    buffers = arena_plan["buffers"]
    # An output the plan lays over its input (input 0 of the op writing it, or the tensor
    # whose memory that one shares), starting at least the gap before it.
    over = {}
    overlaps = []
    for i, (off, size, first, _, _, gap) in enumerate(buffers[:n_tensors]):
        if not size or gap < 0:
            continue
        j = model.operators[first].inputs[0]
        j = buffers[j][4] if buffers[j][4] >= 0 else j
        if off < buffers[j][0] + buffers[j][1] and buffers[j][0] < off + size:
            over[i] = j
            overlaps.append((first, model.operators[first].name, j, i, buffers[j][0] - off))
    overlaps.sort()
    best = None
    for node in range(len(model.operators)):
        live = [
            (i, off, size)
            for i, (off, size, first, last, *_) in enumerate(buffers)
            if size and first <= node <= last
        ]
        occupied = _occupied([(off, size) for _, off, size in live])
        if best is None or occupied > best[0]:
            best = (occupied, node, live)
    if best is None:
        return None
    occupied, node, live = best
    extent = max((off + size for off, size, *_ in buffers), default=0)
    tensors = [
        TensorUse(i, model.tensors[i].name, size, over.get(i))
        for i, off, size in sorted(live, key=lambda b: b[1])
        if i < n_tensors
    ]
    scratch = sum(size for i, _, size in live if i >= n_tensors)
    op = model.operators[node].name
    return Peak(extent, node, op, tensors, scratch, occupied, overlaps)


def patch(arena_plan: dict, model: schema.Model) -> Patch | None:
    """The engine's patched chain in this plan, or None when it patches none."""
    p = arena_plan.get("patch", {})
    if "rows" not in p:
        return None
    buffers = arena_plan["buffers"]
    bands = []
    for node in range(p["first"], p["last"]):
        t = model.operators[node].outputs[0]
        bands.append((t, model.tensors[t].name, buffers[t][1], model.tensors[t].elements))
    return Patch(
        first=p["first"],
        last=p["last"],
        ops=[model.operators[n].name for n in range(p["first"], p["last"] + 1)],
        rows=p["rows"],
        bands=p["bands"],
        activations_before=p["peak_before"],
        activations_after=p["peak_after"],
        extra_macs=p["extra_macs"],
        band_buffers=bands,
    )


def analyze(path: str | Path, board: str | None = None, *, fast_kernels: bool = True) -> Report:
    """Inspects a model file; ``board`` adds a fit check against boards/<board>/board.json, for
    its firmware as built, or without ``fast_kernels`` as ``tinyml firmware build
    --no-fast-kernels`` builds it (the reference kernels ask for no scratch)."""
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
    target, arena_target = None, "this host"
    if board is not None:
        target = board_target(load_board(board))
        if not fast_kernels:
            target = (target[0], "reference")
        arena_target = f"{board}: {target[0] * 8}-bit pointers, {target[1]} kernels"
    arena_plan, arena_error = plan(data, target)
    arena = None if arena_plan is None else arena_plan["arena"]
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
        arena_target=arena_target,
        peak=None if arena_plan is None else peak(arena_plan, model),
        inputs=[_tensor_info(t) for t in model.tensor_inputs()],
        outputs=[_tensor_info(t) for t in model.tensor_outputs()],
        labels=labels,
        pipeline=pipeline,
        unsupported=sorted(set(unsupported)),
        compression=_compression(model, data),
        patch=None if arena_plan is None else patch(arena_plan, model),
    )
    if board is not None:
        report.fit = fit(report, board)
    return report


def load_board(board: str, paths=None) -> dict:
    """boards/<board>/board.json as a dict (the registry, host/tinyml/boards.py)."""
    from . import boards

    return boards.get(board, paths).info


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


def _fits_heap(sizes: list[int], blocks: list[int]) -> bool:
    """Whether allocations of ``sizes`` fit the heap's ``blocks`` (a GC heap in several
    blocks cannot place one allocation across two), largest first, each block with margin."""
    free = [int(b * RAM_MARGIN) for b in blocks]
    for size in sorted(sizes, reverse=True):
        for i, room in enumerate(free):
            if size <= room:
                free[i] -= size
                break
        else:
            return False
    return True


def _placement(
    name: str, sizes: list[int] | None, blocks: list[int], board: str, module: int = 0
) -> Placement:
    """``sizes``: the arena, then the model when it is read into RAM; ``module``: heap the
    imported tinyml module itself holds on this board (0 where its code runs from flash)."""
    if sizes is None:
        return Placement(name, None, False, ["arena unknown: the engine cannot plan this model"])
    allocations = ([module] if module else []) + sizes
    needed = sum(allocations)
    parts = ["tinyml module"] if module else []
    parts += ["arena"] + (["model"] if len(sizes) > 1 else [])
    if _fits_heap(allocations, blocks):
        return Placement(name, needed, True, parts=" + ".join(parts))
    heap = " + ".join(f"{b:,}" for b in blocks)
    if not _fits_heap([module], blocks):
        why = (
            f"tinyml's module alone takes {module:,} bytes of heap once imported; {board} leaves "
            f"{int(RAM_MARGIN * 100)}% of its {heap}-byte heap, so tinyml cannot run there"
        )
        return Placement(name, needed, False, [why], " + ".join(parts))
    why = (
        f"needs {needed:,} bytes of RAM ({' + '.join(parts)}); {board} leaves "
        f"{int(RAM_MARGIN * 100)}% of its {heap}-byte heap"
    )
    return Placement(name, needed, False, [why], " + ".join(parts))


def fit(report: Report, board: str, paths=None) -> Fit:
    """Whether the model runs on ``board``: with the model in flash (ROMFS, in place) the RAM
    holds only the arena; read into RAM (``Model(path)`` from a FAT or littlefs drive), the
    model too. The verdict is the first; the second is reported beside it. Where the board
    loads tinyml as a ``.mpy`` whose machine code goes to the heap (OpenMV's firmware), the
    heap also holds that code (board.json ``tinyml_heap_bytes``)."""
    info = load_board(board, paths)
    ram = _budget(info, "ram_budget", "ram_budget_bytes", "heap_bytes", "ram", "ram_bytes")
    flash = _budget(
        info, "flash_budget", "flash_budget_bytes", "fs_bytes", "filesystem_bytes", "flash"
    )
    if ram is None or flash is None:
        raise TinymlError(f"board {board!r}: board.json has no RAM or flash budget")
    blocks = [int(b) for b in info.get("heap_blocks") or [ram]]
    module = int(info.get("tinyml_heap_bytes") or 0)
    arena = report.arena_bytes
    in_flash = _placement(IN_FLASH, None if arena is None else [arena], blocks, board, module)
    in_ram = _placement(
        IN_RAM, None if arena is None else [arena, report.file_bytes], blocks, board, module
    )
    arena_fails = not in_flash.fits  # before the flash check: RAM alone decides this
    flash_reason = None
    if report.file_bytes > flash:
        flash_reason = (
            f"model file is {report.file_bytes:,} bytes; {board} has {flash:,} bytes of flash "
            "for it"
        )
        in_flash.fits = False
        in_flash.reasons.append(flash_reason)
    reasons = list(in_flash.reasons)
    if report.unsupported:
        reasons.append("unsupported ops: " + ", ".join(report.unsupported))
    hint = None
    if in_flash.fits and not in_ram.fits:
        hint = info.get("in_place_hint") or (
            "load it in place: put it in a ROMFS image (tinyml push --romfs IMAGE FOLDER) and "
            "give Model() its /rom path; Model() on a FAT or littlefs file reads it into RAM"
        )
    elif arena_fails and arena is not None:
        hint = info.get("ram_hint")
    return Fit(
        board=board,
        ram_budget=ram,
        flash_budget=flash,
        ram_needed=in_flash.ram_needed,
        flash_needed=report.file_bytes,
        fits=not reasons,
        reasons=reasons,
        placements=[in_flash, in_ram],
        hint=hint,
    )


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
    lines.append(
        f"weights:        {_kb(report.weight_bytes)} of the {_kb(report.file_bytes)} model file"
    )
    c = report.compression
    if c is not None:
        width = "/".join(str(b) for b in c.bits)
        lines.append(f"compressed:     {c.tensors} weight tensors, {width}-bit indices "
                     f"({_kb(c.stored_bytes)} for {_kb(c.decoded_bytes)} of int8 weights)")  # fmt: skip
        lines.append(
            f"flash before:   {_kb(c.flash_before)} uncompressed, now {_kb(report.file_bytes)}"
        )
        lines.append(
            f"decode RAM:     {_kb(c.decode_ram)} (the largest layer decoded whole, in the "
            "arena; fully connected layers decode blocks of rows in their scratch)"
        )
    if report.arena_bytes is not None:
        lines.append(
            f"arena (RAM):    {_kb(report.arena_bytes)} for {report.arena_target}, "
            "what predict() needs beside the model"
        )
        lines.extend(_peak_lines(report))
    else:
        lines.append(f"arena (RAM):    unknown ({report.arena_error})")
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
        f = report.fit
        verdict = "fits" if f.fits else "does NOT fit"
        lines.append(
            f"board {f.board}:  {verdict} (model file {_kb(f.flash_needed)} of the "
            f"{_kb(f.flash_budget)} of flash left for it; RAM {_kb(f.ram_needed)} of the "
            f"{_kb(f.ram_budget)} a script gets)"
        )
        lines.extend(f"  - {r}" for r in f.reasons)
        for p in f.placements:
            verdict = "fits" if p.fits else "does NOT fit"
            lines.append(f"  {p.name}: {verdict} (RAM {_kb(p.ram_needed)}: {p.parts})")
            if p.name != IN_FLASH:
                lines.extend(f"    - {r}" for r in p.reasons)
        if f.hint:
            lines.append(f"  hint: {f.hint}")
        lines.extend(_board_budgets(f.board))
    return "\n".join(lines)


def _peak_lines(report: Report) -> list[str]:
    """Where the arena goes: the planned tensors at their peak, and the rest."""
    p = report.peak
    if p is None:
        return []
    live = ", ".join(
        f"#{t.index} {t.bytes:,} B" + (f" over #{t.over}" if t.over is not None else "")
        for t in p.tensors
    )
    scratch = f" + scratch {p.scratch_bytes:,} B" if p.scratch_bytes else ""
    rest = report.arena_bytes - p.activation_bytes
    where = f"peak at op {p.node} {p.op}, live tensors {live}{scratch}"
    if any(t.over is not None for t in p.tensors):
        where += f" (occupying {p.occupied_bytes:,} B)"
    lines = [
        f"  activations:  {_kb(p.activation_bytes)}; {where}",
        f"  the rest:     {_kb(rest)} (tensor and node tables, op data)",
    ]
    if p.overlaps:
        ops = ", ".join(
            f"op {n} #{o} over #{i} from {gap:,} B before" for n, _, i, o, gap in p.overlaps
        )
        lines.append(f"  outputs over their inputs ({len(p.overlaps)} ops): {ops}")
    lines.extend(_patch_lines(report))
    return lines


def _patch_lines(report: Report) -> list[str]:
    """The patched chain: which ops, how many bands, what it saves and what it costs."""
    c = report.patch
    if c is None:
        return []
    share = f" (+{100 * c.extra_macs / report.macs:.1f}% MACs)" if report.macs else ""
    bands = ", ".join(f"#{t} {band:,} B of {whole:,}" for t, _, band, whole in c.band_buffers)
    chain = (
        f"  patched:      ops {c.first}-{c.last} ({', '.join(c.ops)}) run in {c.bands} bands of "
        f"{c.rows} output row{'s' if c.rows > 1 else ''} of op {c.last}; activations "
        f"{c.activations_before:,} B unpatched, {c.activations_after:,} B patched"
    )
    return [chain, f"  band buffers: {bands}; {c.extra_macs:,} MACs recomputed{share}"]


def _board_budgets(board: str) -> list[str]:
    """What board.json states of the firmware and the heap, when it does (rp2040)."""
    info = load_board(board)
    if "firmware_bytes" not in info:
        return []
    line = (
        f"  {board} firmware: {_kb(info['firmware_bytes'])} of the "
        f"{_kb(info['firmware_region_bytes'])} before the filesystem; GC heap "
        f"{_kb(info['heap_bytes'])}, {_kb(info['ram_budget'])} free to a script"
    )
    return [line]
