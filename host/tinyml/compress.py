"""Compressed models: int8 weights clustered to 2**bits values, stored as packed indices.

The file format is TensorFlow Lite Micro's own (its ``compression`` package, the DECODE
operator scheme): each compressed weight tensor becomes a uint8 vector of big-endian bit-packed
indices plus a uint8 "ancillary" tensor (a 16-byte header, then the value tables), and a CUSTOM
``TFLM_DECODE`` op right before each op that reads it writes the int8 weights back into the
arena. Only the layer about to run has its weights decoded, and the engine's planner counts
that memory, so the arena size stays exact.

``palette_model`` is the same model uncompressed with its weights replaced by their palette
values: the compressed model gives the same bytes as that one (what the tests check).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import ModelError, TinymlError

DECODE = "TFLM_DECODE"
# TFLite builtin codes of the ops whose weights (input 1) are compressed.
CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, CUSTOM = 3, 4, 9, 32
WEIGHT_OPS = {CONV_2D: "CONV_2D", DEPTHWISE_CONV_2D: "DEPTHWISE_CONV_2D",
              FULLY_CONNECTED: "FULLY_CONNECTED"}  # fmt: skip
INT8, UINT8 = 9, 3
HEADER_BYTES = 16  # TFLM's DECODE Common Metadata
PER_TENSOR_AXIS = 15
# Flash a DECODE op and its two extra tensors cost beyond indices and tables (tables, vectors).
DECODE_OVERHEAD = 160


@dataclass
class Spec:
    """What ``--compress`` asked for: ``bits=4``, ``bits=3,per=tensor``, ``flash=0.5``, ..."""

    bits: int = 4
    per: str = "auto"  # channel, tensor, or auto: as the weights' quantization scales
    # flash=R: each layer's width (2-, 3-, 4-bit or int8) chosen on the calibration samples so
    # the file is at most R times the int8 one (``fit_to_flash``); ``bits`` is then unused.
    flash: float | None = None

    @classmethod
    def parse(cls, text: str) -> Spec:
        spec = cls()
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, _, value = part.partition("=")
            if key == "bits" and value.isdigit() and 2 <= int(value) <= 4:
                spec.bits = int(value)
            elif key == "per" and value in ("channel", "tensor", "auto"):
                spec.per = value
            elif key == "flash" and _fraction(value) is not None:
                spec.flash = _fraction(value)
            else:
                raise TinymlError(
                    f"--compress {text!r}: expected bits=2, bits=3 or bits=4, or flash=R "
                    "(0 < R <= 1: layer widths chosen on --calib to fit R times the int8 size), "
                    "optionally with per=channel, per=tensor or per=auto (e.g. --compress bits=4)"
                )
        return spec


def _fraction(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 < value <= 1 else None


@dataclass
class TensorReport:
    name: str
    op: str
    elements: int
    tables: int  # 1 per tensor, else the channel count
    values: int  # largest palette
    before: int  # bytes
    after: int  # indices + ancillary tensor
    index: int = -1  # the weight tensor's index in the model
    bits: int = 4  # index width


@dataclass
class CompressResult:
    data: bytes  # the compressed model
    palette: bytes  # the uncompressed model with the palette-valued weights
    tensors: list[TensorReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # weights that would not shrink
    kept: list[str] = field(default_factory=list)  # weights left int8 by ``widths``


def _schema():
    from .convert import _tf

    _tf()  # TensorFlow itself, quietly: its schema module loads the whole package
    try:
        import flatbuffers
        from tensorflow.lite.python import schema_py_generated as fb
    except ImportError:
        raise TinymlError(
            "--compress needs TensorFlow's flatbuffer schema: pip install 'tensorflow-cpu' "
            "(or the project's dev extra)"
        ) from None
    return flatbuffers, fb


# ---- clustering ------------------------------------------------------------------------------


def cluster(
    weights: np.ndarray, k: int, importance: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Clusters each row of ``weights`` (int8, rows = channels) into at most k int8 values.

    Optimal 1-d k-means of each row's values (dynamic programming over the sorted int8 levels
    the tensor uses: the k contiguous groups of least total squared error), each group then
    represented by its mean rounded to int8. ``importance`` (like weights, >= 0) weighs each
    weight's squared error, e.g. by the mean square of the input it multiplies, so the error
    counted is the layer output's rather than the weights'. Returns (tables [rows, k] int8
    padded with zeros, indices like weights): rows with k or fewer distinct values keep them
    exactly.
    """
    rows = weights.reshape(weights.shape[0], -1).astype(np.int16)
    n_rows = rows.shape[0]
    low = int(rows.min())
    n = int(rows.max()) - low + 1
    levels = np.arange(low, low + n, dtype=np.float64)
    if importance is None:
        mass = np.ones(rows.shape)
    else:
        mass = np.asarray(importance, dtype=np.float64).reshape(rows.shape)
        # A little of every weight counts, so a row fed by silent inputs still gets a palette.
        mass = mass + 1e-3 * max(float(mass.mean()), 1e-12)
    hist = np.zeros((n_rows, n), dtype=np.float64)
    np.add.at(
        hist, (np.repeat(np.arange(n_rows), rows.shape[1]), (rows - low).ravel()), mass.ravel()
    )
    tables = np.zeros((n_rows, k), dtype=np.int8)
    indices = np.zeros(rows.shape, dtype=np.uint8)
    centers = _optimal_centers(hist, levels, k) if n > k else None
    for r in range(n_rows):
        present = np.unique(rows[r])
        if len(present) <= k:
            values = present
        else:
            values = np.unique(np.clip(np.round(centers[r]), -128, 127))
        tables[r, : len(values)] = values
        indices[r] = np.abs(rows[r][:, None] - values[None, :]).argmin(axis=1)
    return tables, indices.reshape(weights.shape)


def _optimal_centers(hist: np.ndarray, levels: np.ndarray, k: int) -> np.ndarray:
    """The k group means of each row's least-squares split of its histogram into contiguous
    groups (empty groups get no mass; their centre is unused), [rows, k]."""
    n_rows, n = hist.shape
    # Prefix sums: the squared error of levels i..j about their mean in O(1).
    c0 = np.concatenate([np.zeros((n_rows, 1)), np.cumsum(hist, axis=1)], axis=1)
    c1 = np.concatenate([np.zeros((n_rows, 1)), np.cumsum(hist * levels, axis=1)], axis=1)
    c2 = np.concatenate([np.zeros((n_rows, 1)), np.cumsum(hist * levels**2, axis=1)], axis=1)
    i, j = np.triu_indices(n)  # group = levels i..j
    mass = c0[:, j + 1] - c0[:, i]
    total = c1[:, j + 1] - c1[:, i]
    cost_flat = c2[:, j + 1] - c2[:, i] - total**2 / np.maximum(mass, 1e-12)
    cost = np.full((n_rows, n, n), np.inf)
    cost[:, i, j] = cost_flat
    # best[g, r, j]: least error of levels 0..j in g+1 groups; cut[g, r, j]: where the last starts
    best = np.empty((k, n_rows, n))
    cut = np.zeros((k, n_rows, n), dtype=np.intp)
    best[0] = cost[:, 0, :]
    for g in range(1, k):
        # start s of the last group: previous groups cover 0..s-1
        prev = np.concatenate([np.zeros((n_rows, 1)), best[g - 1]], axis=1)[:, :n]  # [r, s]
        cand = prev[:, :, None] + cost  # [r, s, j]
        cand[:, 0, :] = np.where(g == 0, cand[:, 0, :], np.inf)  # s = 0 leaves no room
        cut[g] = cand.argmin(axis=1)
        best[g] = cand.min(axis=1)
    centers = np.zeros((n_rows, k))
    end = np.full(n_rows, n - 1)
    r = np.arange(n_rows)
    for g in range(k - 1, -1, -1):
        s = cut[g, r, end] if g else np.zeros(n_rows, dtype=np.intp)
        m = c0[r, end + 1] - c0[r, s]
        centers[:, g] = (c1[r, end + 1] - c1[r, s]) / np.maximum(m, 1e-12)
        end = np.maximum(s - 1, 0)
    return centers


def pack_indices(indices: np.ndarray, bits: int) -> bytes:
    """Indices as bits-wide fields, most significant bit first, the last byte zero-padded."""
    flat = indices.ravel().astype(np.uint8)
    fields = (flat[:, None] >> np.arange(bits - 1, -1, -1, dtype=np.uint8)) & 1
    return np.packbits(fields.ravel()).tobytes()


def _ancillary(tables: np.ndarray, bits: int, axis: int, stride: int) -> bytes:
    header = bytearray(HEADER_BYTES)
    header[0] = 0  # decode type: lookup table
    header[1] = 1  # DCM version
    header[4] = 1  # LUT version
    header[5] = (axis << 4) | bits
    header[6] = stride
    return bytes(header) + tables[:, :stride].astype(np.int8).tobytes()


# ---- the model -------------------------------------------------------------------------------


def _builtin(code) -> int:
    return max(code.builtinCode, code.deprecatedBuiltinCode)


def _pack(flatbuffers, model) -> bytes:
    # Every builtin code in the new field too: old models carry only the deprecated byte.
    for code in model.operatorCodes:
        code.builtinCode = _builtin(code)
    builder = flatbuffers.Builder(1 << 16)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _channel_axis(op: int, ndim: int) -> int:
    # The axis the weights are quantized along: output channels first for CONV_2D (OHWI) and
    # FULLY_CONNECTED, last for DEPTHWISE_CONV_2D (1HWC).
    return ndim - 1 if op == DEPTHWISE_CONV_2D else 0


@dataclass
class InputStats:
    """What a layer's input looked like on calibration data, as its weight rows see it."""

    moment: np.ndarray  # [d, d]: mean of x x^T, x a row's worth of input less its zero point
    mean: np.ndarray  # [d]: mean of x


def input_stats(data: bytes, samples) -> dict[int, InputStats]:
    """Weight tensor index -> the statistics of the input its rows multiply, over ``samples``
    (the model's inputs: int8 bytes or arrays; float arrays are quantized as the model's
    input), for FULLY_CONNECTED and 1x1 CONV_2D: TensorFlow's interpreter keeps every
    intermediate tensor."""
    import tensorflow as tf

    _, fb = _schema()
    model = fb.ModelT.InitFromPackedBuf(bytearray(data), 0)
    sg = model.subgraphs[0]
    layers = []  # (weight tensor, input tensor, input zero point, row length)
    for op in sg.operators:
        code = _builtin(model.operatorCodes[op.opcodeIndex])
        w = sg.tensors[int(op.inputs[1])] if len(op.inputs) > 1 else None
        if w is None or w.type != INT8 or code not in (CONV_2D, FULLY_CONNECTED):
            continue
        if code == CONV_2D and tuple(w.shape[1:3]) != (1, 1):
            continue
        x = sg.tensors[int(op.inputs[0])]
        zp = int(x.quantization.zeroPoint[0]) if x.quantization is not None else 0
        layers.append((int(op.inputs[1]), int(op.inputs[0]), zp, int(w.shape[-1])))
    interp = tf.lite.Interpreter(model_content=data, experimental_preserve_all_tensors=True)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    sums = {w: [np.zeros((d, d)), np.zeros(d), 0] for w, _, _, d in layers}
    for x in samples:
        interp.set_tensor(inp["index"], _as_input(x, inp))
        interp.invoke()
        for w, xi, zp, d in layers:
            rows = interp.get_tensor(xi).astype(np.float64).reshape(-1, d) - zp
            acc = sums[w]
            acc[0] += rows.T @ rows
            acc[1] += rows.sum(axis=0)
            acc[2] += len(rows)
    return {w: InputStats(m / n, s / n) for w, (m, s, n) in sums.items() if n}


def _as_input(x, detail) -> np.ndarray:
    dtype = np.dtype(detail["dtype"])
    if isinstance(x, (bytes, bytearray)):
        x = np.frombuffer(x, dtype)
    x = np.asarray(x)
    if x.dtype != dtype and dtype.kind in "iu":
        from ._tinyml import quantize  # the engine's rounding, as a board's predict() has it

        scale, zero = detail["quantization"]
        values = np.ascontiguousarray(x, dtype=np.float32)
        x = np.frombuffer(quantize(values, dtype.name, scale, zero), dtype)
    return x.astype(dtype).reshape(detail["shape"])


def refine(
    weights: np.ndarray, tables: np.ndarray, idx: np.ndarray, moment: np.ndarray, sweeps: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Palettes and indices of weight rows [rows, d] refit to the layer's output: each row's
    error e (weights less their palette values) costs e^T M e, M the mean of x x^T of its
    input (the mean square error of the row's accumulator). Alternates a least-squares refit of
    each row's palette values (rounded to int8) given the indices with, one weight after the
    other, the index of least cost given the others' errors."""
    w = weights.astype(np.float64)
    n_rows, d = w.shape
    k = tables.shape[1]
    t = tables.astype(np.float64)
    idx = idx.astype(np.intp).copy()
    r = np.arange(n_rows)
    ridge = 1e-6 * max(float(np.trace(moment)) / d, 1e-12) * np.eye(k)
    for _ in range(sweeps):
        for o in range(n_rows):
            onehot = np.zeros((d, k))
            onehot[np.arange(d), idx[o]] = 1.0
            used = onehot.any(axis=0)
            a = onehot[:, used]
            lhs = a.T @ moment @ a + ridge[: a.shape[1], : a.shape[1]]
            fit = np.linalg.solve(lhs, a.T @ moment @ w[o])
            t[o, used] = np.clip(np.round(fit), -128, 127)
        err = w - t[r[:, None], idx]
        for j in range(d):
            rest = err @ moment[:, j] - err[:, j] * moment[j, j]
            e_new = w[:, j, None] - t
            cost = moment[j, j] * e_new**2 + 2 * e_new * rest[:, None]
            best = cost.argmin(axis=1)
            idx[:, j] = best
            err[:, j] = e_new[r, best]
    return t.astype(np.int8), idx.astype(np.uint8)


def compress(
    data: bytes,
    spec: Spec,
    stats: dict[int, InputStats] | None = None,
    sweeps: int = 4,
    widths: dict[int, int] | None = None,
    cache: dict | None = None,
) -> CompressResult:
    """Compresses the int8 weights of every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.

    ``stats`` (``input_stats`` on calibration samples): per weight tensor, its input's
    statistics; those layers' palettes, where they are per channel, are fit to their outputs
    (``refine``, ``sweeps`` rounds), not to their weights. ``widths``: weight tensor index ->
    index bits (2-4) or 8 (kept int8), else ``spec.bits``. ``cache`` keeps each tensor's
    palette per width across calls with the same data, stats and sweeps."""
    stats = stats or {}
    widths = widths or {}
    cache = {} if cache is None else cache
    flatbuffers, fb = _schema()
    try:
        model = fb.ModelT.InitFromPackedBuf(bytearray(data), 0)
    except Exception as e:  # noqa: BLE001  (a corrupt flatbuffer raises anything)
        raise ModelError(f"not a readable .tflite model: {e}") from None
    if len(model.subgraphs or []) != 1:
        raise ModelError("--compress handles models with one subgraph")
    if any(c.customCode == DECODE.encode() for c in model.operatorCodes or []):
        raise ModelError("the model is already compressed")
    sg = model.subgraphs[0]
    consumers: dict[int, list[int]] = {}  # weight tensor -> ops reading it
    kind: dict[int, int] = {}
    for i, op in enumerate(sg.operators):
        code = _builtin(model.operatorCodes[op.opcodeIndex])
        for pos, t in enumerate(op.inputs):
            consumers.setdefault(int(t), []).append(i)
            if pos == 1 and code in WEIGHT_OPS:
                kind[int(t)] = code
    buffer_users: dict[int, int] = {}
    for tensor in sg.tensors:
        buffer_users[tensor.buffer] = buffer_users.get(tensor.buffer, 0) + 1
    encoded: dict[int, tuple[bytes, bytes]] = {}  # weight tensor -> (indices, ancillary)
    result = CompressResult(data=b"", palette=b"")
    for t, op in sorted(kind.items()):
        tensor = sg.tensors[t]
        buf = model.buffers[tensor.buffer]
        if tensor.type != INT8 or buf.data is None or len(buf.data) == 0:
            continue
        # Every reader must be a weight op (another op would see the palette values too), and
        # no other tensor may share the buffer.
        if any(_builtin(model.operatorCodes[sg.operators[c].opcodeIndex]) not in WEIGHT_OPS
               for c in consumers[t]) or buffer_users[tensor.buffer] > 1:  # fmt: skip
            continue
        shape = tuple(int(d) for d in tensor.shape)
        weights = np.frombuffer(bytes(buf.data), dtype=np.int8).reshape(shape)
        name = (tensor.name or b"").decode("utf-8", "replace")
        bits = widths.get(t, spec.bits)
        if bits == 8:
            result.kept.append(name)
            continue
        if (t, bits) not in cache:
            cache[t, bits] = _encode(tensor, weights, op, bits, spec.per, stats.get(t), sweeps)
        palette, indices, anc, tables, stride = cache[t, bits]
        after = len(indices) + len(anc)
        if after + DECODE_OVERHEAD * len(consumers[t]) >= weights.size:
            result.skipped.append(name)
            continue
        buf.data = np.frombuffer(palette.astype(np.int8).tobytes(), dtype=np.uint8)
        encoded[t] = (indices, anc)
        result.tensors.append(TensorReport(name, WEIGHT_OPS[op], int(weights.size), tables,
                                           stride, int(weights.size), after, t, bits))  # fmt: skip
    if not encoded:
        raise ModelError("no int8 weights worth compressing (CONV_2D, DEPTHWISE_CONV_2D, "
                         "FULLY_CONNECTED)")  # fmt: skip
    result.palette = _pack(flatbuffers, model)
    _insert_decodes(fb, model, sg, encoded)
    strip_model(model)
    result.data = _pack(flatbuffers, model)
    return result


def _encode(tensor, weights: np.ndarray, op: int, bits: int, per: str, st, sweeps: int):
    """One weight tensor's palette values, packed indices, ancillary tensor, table count and
    table length."""
    k = 1 << bits
    shape = weights.shape
    axis = _channel_axis(op, len(shape))
    # auto: a palette per channel where the weights have a scale per channel (one shared
    # palette would mix values of different scales), else one palette.
    scales = tensor.quantization.scale if tensor.quantization is not None else None
    per_channel = per == "channel" or (per == "auto" and scales is not None and len(scales) > 1)
    if per_channel:
        rows = np.moveaxis(weights, axis, 0)
        imp = None
        if st is not None:
            imp = np.broadcast_to(np.diag(st.moment), rows.reshape(rows.shape[0], -1).shape)
        tables, idx = cluster(rows, k, imp)
        if st is not None:
            flat = rows.reshape(rows.shape[0], -1)
            tables, flat_idx = refine(flat, tables, idx.reshape(flat.shape), st.moment, sweeps)
            idx = flat_idx.reshape(rows.shape)
        idx = np.moveaxis(idx, 0, axis)
    else:
        tables, idx = cluster(weights.reshape(1, -1), k)
        idx = idx.reshape(shape)
    stride = int(idx.max()) + 1
    palette = _apply(tables, idx, axis if per_channel else None)
    indices = pack_indices(idx, bits)
    anc = _ancillary(tables, bits, axis if per_channel else PER_TENSOR_AXIS, stride)
    return palette, indices, anc, len(tables), stride


def strip_model(model) -> None:
    """Drops what neither our engine nor TFLite Micro reads to run the model (README):

    tensor names (replaced by ``t<index>``; no signature refers to them, inputs and outputs are
    found by index), the description and the ``min_runtime_version`` metadata, the converter's
    min/max statistics, the quantization of CONV_2D and DEPTHWISE_CONV_2D biases (both runtimes
    derive the per-channel multipliers from the input, filter and output scales; FULLY_CONNECTED
    keeps its bias scale, TFLite Micro checks it), and the empty buffer each data-less tensor
    has of its own (they all point to the shared empty buffer 0)."""
    if model.signatureDefs:
        return  # signatures name tensors: keep everything
    sg = model.subgraphs[0]
    model.description = None
    keep_meta = [m for m in model.metadata or [] if m.name != b"min_runtime_version"]
    dropped_buffers = {m.buffer for m in model.metadata or []} - {m.buffer for m in keep_meta}
    model.metadata = keep_meta or None
    for op in sg.operators:
        code = _builtin(model.operatorCodes[op.opcodeIndex])
        if code in (CONV_2D, DEPTHWISE_CONV_2D) and len(op.inputs) > 2 and op.inputs[2] >= 0:
            sg.tensors[int(op.inputs[2])].quantization = None
    for t in sg.tensors:
        t.name = None
        q = t.quantization
        if q is not None:
            q.min = q.max = None
            # A weight's per-channel zero points are all 0 (symmetric): TFLite Micro reads a
            # single one as the zero point of every channel, and so does our engine.
            if q.zeroPoint is not None and len(q.zeroPoint) > 1 and not np.any(q.zeroPoint):
                q.zeroPoint = q.zeroPoint[:1]
    # Renumber buffers: 0 (empty) first, then those holding data, in their order.
    used = {t.buffer for t in sg.tensors} | {m.buffer for m in keep_meta}
    remap, buffers = {0: 0}, [model.buffers[0]]
    for b, buf in enumerate(model.buffers):
        if b == 0 or b not in used or b in dropped_buffers:
            continue
        if buf.data is None or len(buf.data) == 0:
            remap[b] = 0
        else:
            remap[b] = len(buffers)
            buffers.append(buf)
    for t in sg.tensors:
        t.buffer = remap[t.buffer]
    for m in keep_meta:
        m.buffer = remap[m.buffer]
    model.buffers = buffers


def _apply(tables: np.ndarray, idx: np.ndarray, axis: int | None) -> np.ndarray:
    """The weights the indices stand for."""
    if axis is None:
        return tables[0][idx]
    moved = np.moveaxis(idx, axis, 0)
    rows = np.take_along_axis(tables, moved.reshape(moved.shape[0], -1).astype(np.intp), axis=1)
    return np.moveaxis(rows.reshape(moved.shape), 0, axis)


def _insert_decodes(fb, model, sg, encoded: dict[int, tuple[bytes, bytes]]) -> None:
    """One DECODE before each op reading compressed weights, as TFLM's compressor does."""
    decode_code = fb.OperatorCodeT()
    decode_code.builtinCode = CUSTOM
    decode_code.deprecatedBuiltinCode = CUSTOM
    decode_code.customCode = DECODE.encode()
    decode_code.version = 1
    model.operatorCodes.append(decode_code)
    decode_index = len(model.operatorCodes) - 1

    def new_buffer(payload: bytes) -> int:
        b = fb.BufferT()
        b.data = np.frombuffer(payload, dtype=np.uint8)
        model.buffers.append(b)
        return len(model.buffers) - 1

    def const_u8(payload: bytes, name: bytes) -> int:
        t = fb.TensorT()
        t.shape = np.array([len(payload)], dtype=np.int32)
        t.type = UINT8
        t.buffer = new_buffer(payload)
        t.name = name
        sg.tensors.append(t)
        return len(sg.tensors) - 1

    # As TFLM's compressor: the weight tensor itself becomes the packed indices, and a copy of
    # it without data (the DECODE output) takes its place as the op's input.
    decoded_like: dict[int, object] = {}
    pairs: dict[int, tuple[int, int]] = {}
    for t, (indices, anc) in encoded.items():
        src = sg.tensors[t]
        copy = fb.TensorT()
        copy.shape, copy.type, copy.quantization, copy.name = (
            src.shape,
            src.type,
            src.quantization,
            src.name,
        )
        copy.buffer = 0
        decoded_like[t] = copy
        # Short names: these two are only read by DECODE, and the weights' own names are long.
        ancillary = const_u8(anc, b"tinyml_lut_%d" % t)
        src.shape = np.array([len(indices)], dtype=np.int32)
        src.type = UINT8
        src.quantization = None
        src.name = b"tinyml_indices_%d" % t
        model.buffers[src.buffer].data = np.frombuffer(indices, dtype=np.uint8)
        pairs[t] = (t, ancillary)
    operators = []
    for op in sg.operators:
        mine = [int(t) for t in op.inputs if int(t) in encoded]
        if mine:
            decode = fb.OperatorT()
            decode.opcodeIndex = decode_index
            ins, outs = [], []
            for t in dict.fromkeys(mine):
                like = decoded_like[t]
                decoded = fb.TensorT()
                decoded.shape, decoded.type, decoded.quantization, decoded.name = (
                    like.shape,
                    like.type,
                    like.quantization,
                    like.name,
                )
                decoded.buffer = 0
                sg.tensors.append(decoded)
                ins += list(pairs[t])
                outs.append(len(sg.tensors) - 1)
                op.inputs = np.array([outs[-1] if int(x) == t else int(x) for x in op.inputs],
                                     dtype=np.int32)  # fmt: skip
            decode.inputs = np.array(ins, dtype=np.int32)
            decode.outputs = np.array(outs, dtype=np.int32)
            operators.append(decode)
        operators.append(op)
    sg.operators = operators


# ---- widths chosen to fit a flash budget -----------------------------------------------------

WIDTHS = (2, 3, 4)  # the palette widths fit_to_flash weighs, besides keeping a layer int8


def compress_calibrated(data: bytes, spec: Spec, samples, sweeps: int = 4) -> CompressResult:
    """``compress`` as ``tinyml convert --compress SPEC --calib`` runs it: palettes fit to the
    layers' outputs on ``samples``, and with ``spec.flash`` the widths chosen on them too."""
    if spec.flash is not None:
        return fit_to_flash(data, spec, samples, sweeps)
    return compress(data, spec, input_stats(data, samples), sweeps)


def fit_to_flash(data: bytes, spec: Spec, samples, sweeps: int = 4) -> CompressResult:
    """Compresses ``data`` into at most ``spec.flash`` times its size, each weight tensor with
    2-, 3- or 4-bit palettes or left int8, by a rule that looks at the calibration samples
    only:

    1. every tensor's palettes at each width, fit to its layer's output on ``samples``
       (``input_stats``, ``refine``), as ``compress`` fits them;
    2. its cost at each width: the bytes of its indices, tables and DECODE op (its int8 bytes
       left as it is), and its distortion: the mean over ``samples`` of the squared change of
       the model's outputs when only that tensor takes its palette values, the others int8;
    3. the widths of least total distortion whose total cost fits the budget (an exact
       knapsack over the tensors, in 8-byte steps; ties go to the smaller width);
    4. if the file comes out larger than the budget (the DECODE overhead is an estimate), the
       budget shrinks by the excess and step 3 runs again.
    """
    if not samples:
        raise TinymlError("--compress flash=R chooses layer widths on calibration samples: "
                          "give --calib DATA")  # fmt: skip
    stats = input_stats(data, samples)
    cache: dict = {}
    uniform = {b: compress(data, Spec(bits=b, per=spec.per), stats, sweeps, cache=cache)
               for b in WIDTHS}  # fmt: skip
    consumers = _weight_consumers(data)
    cost: dict[int, dict[int, int]] = {}  # tensor -> width -> bytes
    for b, r in uniform.items():
        for rep in r.tensors:
            cost.setdefault(rep.index, {8: rep.before})[b] = (
                rep.after + DECODE_OVERHEAD * consumers[rep.index]
            )
    four = uniform[max(WIDTHS)]
    # What the file holds besides the candidate tensors: the 4-bit file less their 4-bit costs
    # and the int8 bytes of those the 4-bit file left as they were.
    rest = len(four.data) - sum(c[max(WIDTHS)] if max(WIDTHS) in c else c[8]
                                for c in cost.values())  # fmt: skip
    distortion = _distortions(data, samples, cache, cost)
    budget = int(spec.flash * len(data))
    target = budget - rest
    while True:
        choice = _least_distortion(cost, distortion, target)
        if choice is None:
            raise ModelError(
                f"--compress flash={spec.flash}: the model does not fit in "
                f"{budget} bytes even with 2-bit palettes; raise flash"
            )
        if all(b == 8 for b in choice.values()):
            raise ModelError(
                f"--compress flash={spec.flash}: the model fits with every layer int8 (and "
                "nothing compressed); ask for a smaller flash"
            )
        result = compress(data, spec, stats, sweeps, widths=choice, cache=cache)
        if len(result.data) <= budget:
            return result
        target -= len(result.data) - budget


def _weight_consumers(data: bytes) -> dict[int, int]:
    """Weight tensor -> how many ops read it (each gets its own DECODE)."""
    _, fb = _schema()
    model = fb.ModelT.InitFromPackedBuf(bytearray(data), 0)
    sg = model.subgraphs[0]
    count: dict[int, int] = {}
    for op in sg.operators:
        if _builtin(model.operatorCodes[op.opcodeIndex]) in WEIGHT_OPS and len(op.inputs) > 1:
            count[int(op.inputs[1])] = count.get(int(op.inputs[1]), 0) + 1
    return count


def _distortions(data: bytes, samples, cache: dict, cost) -> dict[int, dict[int, float]]:
    """Tensor -> width -> mean squared change of the outputs on ``samples`` with that tensor
    alone at that width (0 for int8)."""
    from .inspect import engine

    _, fb = _schema()
    model = engine().Model(data)
    inputs = list(samples)  # predict takes int8 bytes or arrays, quantizing float ones
    reference = [np.asarray(model.predict(x), dtype=np.float64) for x in inputs]
    root = fb.Model.GetRootAs(data, 0)
    tensors = root.Subgraphs(0)
    out: dict[int, dict[int, float]] = {}
    for t, widths in cost.items():
        out[t] = {8: 0.0}
        buffer = tensors.Tensors(t).Buffer()
        for b in widths:
            if b == 8:
                continue
            patched = bytearray(data)
            fb.Model.GetRootAs(patched, 0).Buffers(buffer).DataAsNumpy()[:] = (
                cache[t, b][0].astype(np.int8).ravel().view(np.uint8)
            )
            m = engine().Model(bytes(patched))
            out[t][b] = float(np.mean([np.sum((np.asarray(m.predict(x), np.float64) - ref) ** 2)
                                       for x, ref in zip(inputs, reference)]))  # fmt: skip
    return out


def _least_distortion(cost, distortion, target: int, step: int = 8) -> dict[int, int] | None:
    """Tensor -> width of least total distortion with total cost <= target (None: none fits)."""
    cap = target // step
    if cap < 0:
        return None
    best = np.zeros(cap + 1)  # least distortion of the tensors so far within c steps
    picks = []
    for t, widths in cost.items():
        new = np.full(cap + 1, np.inf)
        pick = np.full(cap + 1, -1)
        for b in sorted(widths):  # smaller widths first: they win ties
            units = -(-widths[b] // step)
            if units > cap:
                continue
            cand = np.full(cap + 1, np.inf)
            cand[units:] = best[: cap + 1 - units] + distortion[t][b]
            better = cand < new
            new[better], pick[better] = cand[better], b
        best = new
        picks.append((t, pick))
    if not np.isfinite(best[cap]):
        return None
    choice, c = {}, cap
    for t, pick in reversed(picks):
        b = int(pick[c])
        choice[t] = b
        c -= -(-cost[t][b] // step)
    return choice
