"""Compressed models (TFLite Micro's DECODE/lookup-table format) on the host engine.

References nobody here wrote: TFLite Micro's own compressor (the tflite-micro wheel's
compression package) writes compressed models our engine must run, and its interpreter runs the
models ``tinyml convert --compress`` writes. Bit-exactness is against the uncompressed model
whose weights are the palette values, run by the same engine and by TFLite Micro.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

from tinyml import _tinyml, cli, schema
from tinyml import compress as cz

MODELS = Path(os.environ.get("TINYML_MODELS") or Path(__file__).parents[3] / "shared" / "models")
KWS = MODELS / "mlcommons-tiny" / "kws_ref_model.tflite"
PERSON = MODELS / "tflite-micro" / "person_detect.tflite"
VWW = MODELS / "mlcommons-tiny" / "vww_96_int8.tflite"


def need(path: Path) -> bytes:
    if not path.exists():
        pytest.skip(f"shared model {path} not found")
    return path.read_bytes()


def outputs(model: bytes, n: int = 3, seed: int = 0) -> list[bytes]:
    m = _tinyml.Model(model)
    rng = np.random.default_rng(seed)
    size = int(np.prod(m.input_shape))
    out = []
    for _ in range(n):
        m.predict(rng.integers(-128, 128, size=size, dtype=np.int8).tobytes())
        out.append(bytes(m.output()))
    return out


def tflm_outputs(model: bytes, n: int = 3, seed: int = 0) -> list[bytes]:
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model)
    shape = it.get_input_details(0)["shape"]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = rng.integers(-128, 128, size=int(np.prod(shape)), dtype=np.int8).reshape(shape)
        it.set_input(x, 0)
        it.invoke()
        out.append(it.get_output(0).tobytes())
    return out


@pytest.fixture(scope="module")
def kws() -> cz.CompressResult:
    return cz.compress(need(KWS), cz.Spec(bits=4))


def test_cluster_is_deterministic_and_exact_on_few_values() -> None:
    """Rows with at most 2**bits distinct values keep them; others get 2**bits values; two
    runs give the same tables."""
    rng = np.random.default_rng(3)
    w = rng.integers(-128, 128, size=(6, 50), dtype=np.int8)
    w[0] = rng.choice(np.array([-7, 0, 5, 90], dtype=np.int8), size=50)
    tables, idx = cz.cluster(w, 4)
    again = cz.cluster(w, 4)
    assert (tables == again[0]).all() and (idx == again[1]).all()
    assert (tables[0][idx[0]] == w[0]).all()
    assert idx.max() < 4
    err = np.abs(tables[np.arange(6)[:, None], idx].astype(int) - w).mean()
    assert err < 20  # 4 levels over 256 values: about 256 / 16 on average


def test_refine_lowers_the_output_error() -> None:
    """Palettes refit to the layer's output: for inputs with correlated channels, the mean
    square error of the accumulators (e^T M e per row) falls below that of the weights' own
    optimal k-means, with at most k int8 values a row."""
    rng = np.random.default_rng(7)
    w = np.clip(rng.normal(0, 40, size=(8, 24)), -127, 127).astype(np.int8)
    mix = rng.normal(size=(24, 24))
    x = rng.normal(size=(500, 24)) @ mix + 3.0
    moment = x.T @ x / len(x)

    def cost(tables, idx):
        e = w - np.take_along_axis(tables.astype(float), idx.astype(np.intp), axis=1)
        return float(np.einsum("rd,de,re->", e, moment, e))

    tables, idx = cz.cluster(w, 4)
    fit_tables, fit_idx = cz.refine(w, tables, idx, moment)
    assert fit_tables.dtype == np.int8 and fit_idx.max() < 4
    assert cost(fit_tables, fit_idx) < 0.8 * cost(tables, idx)


def test_pack_indices_is_msb_first() -> None:
    assert cz.pack_indices(np.array([1, 2, 3]), 4) == bytes([0x12, 0x30])
    assert cz.pack_indices(np.array([1, 2, 3, 0, 1]), 2) == bytes([0b01101100, 0b01000000])
    assert cz.pack_indices(np.array([5, 1, 7]), 3) == bytes([0b10100111, 0b10000000])


@pytest.mark.parametrize(
    ("path", "bits", "per"),
    [(KWS, 4, "auto"), (PERSON, 4, "auto"), (KWS, 2, "channel"), (KWS, 3, "tensor"),
     (PERSON, 3, "channel")],
    ids=["kws-4", "person_detect-4", "kws-2-channel", "kws-3-tensor", "person_detect-3-channel"],
)  # fmt: skip
def test_compressed_equals_palette_model(path: Path, bits: int, per: str) -> None:
    """The compressed model gives the palette-valued model's output bytes (the 4-bit fast path
    and the general decoder, tables per tensor and per channel along either axis), and that
    model gives TFLite Micro's."""
    r = cz.compress(need(path), cz.Spec(bits=bits, per=per))
    assert len(r.data) < len(path.read_bytes())
    assert outputs(r.data) == outputs(r.palette)
    assert outputs(r.palette) == tflm_outputs(r.palette)


def test_tflm_compressed_model_runs_bit_exact() -> None:
    """A model compressed by TFLite Micro's own compressor, per tensor and per channel, runs
    on our engine with the palette model's outputs: we read TFLM's format, not only ours."""
    from tflite_micro.tensorflow.lite.micro.compression import spec
    from tflite_micro.tensorflow.lite.micro.compression.compress import compress as tflm_compress

    for per, mode in (("tensor", spec.PerTensor()), ("channel", None)):
        palette = cz.compress(need(KWS), cz.Spec(bits=4, per=per)).palette
        info = schema.parse(palette)
        weights = sorted({op.inputs[1] for op in info.operators
                          if op.name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")})  # fmt: skip
        specs = []
        for t in weights:
            shape = info.tensors[t].shape
            axis = len(shape) - 1 if shape[0] == 1 else 0
            m = mode if mode is not None else spec.PerChannel(axis=axis)
            specs.append(spec.Tensor(subgraph=0, tensor=t,
                                     compression=[spec.LookUpTableCompression(4, m)]))  # fmt: skip
        theirs = bytes(tflm_compress(palette, specs))
        assert b"TFLM_DECODE" in theirs
        assert outputs(theirs) == outputs(palette)


def test_tflm_runs_our_compressed_fully_connected() -> None:
    """TFLite Micro's interpreter runs our compressed model with the palette model's bytes.
    Only FULLY_CONNECTED here: the wheel's DECODE gives other bytes than the palette model for
    CONV_2D/DEPTHWISE_CONV_2D even on models its own compressor writes (seen with
    tflite-micro 0.dev20261023), so those are checked against the palette model above."""
    data = need(KWS)
    spec = cz.Spec(bits=4, per="tensor")
    r = cz.compress(data, spec)
    fc_only = _only_fully_connected(r)
    assert tflm_outputs(fc_only.data) == tflm_outputs(fc_only.palette)
    assert outputs(fc_only.data) == tflm_outputs(fc_only.palette)


def _only_fully_connected(r: cz.CompressResult) -> cz.CompressResult:
    # Compress the palette model again with a spec restricted to FULLY_CONNECTED weights.
    from tinyml.compress import WEIGHT_OPS

    saved = dict(WEIGHT_OPS)
    try:
        for code in list(WEIGHT_OPS):
            if WEIGHT_OPS[code] != "FULLY_CONNECTED":
                del WEIGHT_OPS[code]
        return cz.compress(r.palette, cz.Spec(bits=4, per="tensor"))
    finally:
        WEIGHT_OPS.clear()
        WEIGHT_OPS.update(saved)


def _ancillary_offsets(model: bytes) -> list[int]:
    """File offset of each DECODE's ancillary data (TFLM's 16-byte header, then the tables)."""
    info = schema.parse(model)
    return [info.buffers[info.tensors[op.inputs[1]].buffer][0]
            for op in info.operators if op.name == "TFLM_DECODE"]  # fmt: skip


def _patched(model: bytes, pos: int, value: bytes) -> bytes:
    return model[:pos] + value + model[pos + len(value) :]


def test_corrupt_decode_tables_give_clear_errors() -> None:
    """A corrupt header or table never crashes: loading fails naming what is wrong."""
    data = cz.compress(need(KWS), cz.Spec(bits=4, per="tensor")).data
    starts = _ancillary_offsets(data)
    assert starts, "no ancillary header found"
    pos = starts[0]
    cases = {
        b"\x01": (0, "decode type 1 not supported"),
        b"\x02": (1, "lookup table version 2 not supported"),
        b"\x00": (5, "index bit width must be 1 to 7"),
        b"\xff": (6, "value table longer than its indices can reach"),
        b"\x24": (5, "value table axis must be the first or last"),
        b"\x04": (5, "value tables truncated"),
    }
    for value, (offset, message) in cases.items():
        bad = _patched(data, pos + offset, value)
        # An unknown decode type is a feature we lack (NotImplementedError), the rest bad data.
        with pytest.raises((ValueError, NotImplementedError), match=message):
            _tinyml.Model(bad)


def test_index_outside_table_fails_at_invoke() -> None:
    """Indices past a table shorter than 2**bits (TFLM pads tables only to the values used)
    are refused when decoded, not read past the table."""
    data = need(KWS)
    r = cz.compress(data, cz.Spec(bits=4, per="tensor"))
    pos = _ancillary_offsets(r.data)[0]
    stride = r.data[pos + 6]
    bad = _patched(r.data, pos + 6, bytes([stride - 1]))
    m = _tinyml.Model(bad)
    with pytest.raises(ValueError, match="encoded index outside its value table"):
        m.predict(bytes(int(np.prod(m.input_shape))))


def test_header_changed_after_loading_is_refused_at_invoke() -> None:
    """DECODE checks its headers once, at load, and reads them unchecked at each invoke: a
    header changed in a bytearray model after loading (its table axis or stride; in AD, read by
    the FULLY_CONNECTED that decodes a block at a time) is refused before it is read; restored,
    the model runs as before."""
    for model, per in ((KWS, "tensor"), (AD, "channel")):
        data = bytearray(cz.compress(need(model), cz.Spec(bits=4, per=per)).data)
        m = _tinyml.Model(data)
        x = bytes(int(np.prod(m.input_shape)))
        expected = bytes(m.predict(x))
        for pos in _ancillary_offsets(bytes(data)):
            for offset, flip in ((5, 0xF0), (6, 0x01)):  # axis per-tensor <-> 0; table stride
                kept = data[pos + offset]
                data[pos + offset] = kept ^ flip
                with pytest.raises(ValueError, match="model buffer changed after loading"):
                    m.predict(x)
                data[pos + offset] = kept
        assert bytes(m.predict(x)) == expected


def test_every_header_byte_flip_is_survived(kws: cz.CompressResult) -> None:
    """Every value of every header byte of one ancillary tensor loads and runs or fails with
    ValueError/NotImplementedError (the process surviving is the check)."""
    pos = _ancillary_offsets(kws.data)[0]
    n = int(np.prod(_tinyml.Model(kws.data).input_shape))
    for offset in range(16):
        for value in range(0, 256, 5):
            bad = _patched(kws.data, pos + offset, bytes([value]))
            try:
                _tinyml.Model(bad).predict(bytes(n))
            except (ValueError, NotImplementedError):
                pass


def test_cli_convert_compress_and_inspect(tmp_path: Path, capsys) -> None:
    """convert --compress prints sizes, arena and agreement; inspect shows flash before and
    after and the decode RAM."""
    data = need(KWS)
    rng = np.random.default_rng(5)
    calib = tmp_path / "calib.npy"
    np.save(calib, rng.uniform(-1, 1, size=(40, 49, 10, 1)).astype(np.float32))
    out = tmp_path / "kws4.tflite"
    assert cli.main(["convert", str(KWS), "-o", str(out), "--compress", "bits=4",
                     "--calib", str(calib)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert re.search(r"compressed \d+ weight tensors", text)
    assert re.search(r"flash: .* int8 -> .* compressed \(0\.\d\dx\)", text)
    assert re.search(r"top-1 on 40 calibration samples: \d+\.\d% as int8", text)
    assert len(out.read_bytes()) < len(data)
    assert cli.main(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert re.search(r"compressed:\s+\d+ weight tensors, 4-bit", text)
    assert re.search(r"flash before:", text)
    assert "decode RAM:" in text


def test_cli_rejects_bad_spec(tmp_path: Path, capsys) -> None:
    need(KWS)
    assert cli.main(["convert", str(KWS), "-o", str(tmp_path / "x.tflite"),
                     "--compress", "bits=5"]) != 0  # fmt: skip
    assert "expected bits=2, bits=3 or bits=4" in capsys.readouterr().err


def test_already_compressed_is_refused(kws: cz.CompressResult) -> None:
    with pytest.raises(Exception, match="already compressed"):
        cz.compress(kws.data, cz.Spec())


README_COMMANDS = [
    "tinyml convert kws.tflite -o kws4.tflite --compress bits=4 --calib calib.npy",
    "tinyml inspect kws4.tflite",
    "tinyml convert kws.tflite -o kws-half.tflite --compress flash=0.5 --calib calib.npy",
]


def test_readme_compressed_models_section_runs_as_written(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """The section's commands, in order, in a folder holding kws.tflite and calib.npy (seeded
    inputs: no KWS data set ships here)."""
    import shlex

    text = (Path(__file__).parents[2] / "README.md").read_text()
    section = text.split("\n## Compressed models\n", 1)[1].split("\n## ", 1)[0]
    # The first block; the second, the benchmark, runs in tests/test_benchmarks.py.
    lines = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)[0].splitlines()
    assert [ln for ln in lines if ln.strip() and not ln.startswith("#")] == README_COMMANDS
    (tmp_path / "kws.tflite").write_bytes(need(KWS))
    rng = np.random.default_rng(7)
    np.save(tmp_path / "calib.npy", rng.uniform(-20, 20, size=(30, 49, 10, 1)).astype(np.float32))
    monkeypatch.chdir(tmp_path)
    convert_cmd, inspect_cmd, half_cmd = (shlex.split(c) for c in README_COMMANDS)
    assert cli.main(convert_cmd[1:]) == 0
    out = capsys.readouterr().out
    assert "wrote kws4.tflite" in out and "top-1 on 30 calibration samples" in out
    assert cli.main(inspect_cmd[1:]) == 0
    out = capsys.readouterr().out
    assert re.search(r"compressed: +\d+ weight tensors, 4-bit indices", out)
    # The palettes were fit on the calibration samples, quantized as the model's input.
    stats = cz.input_stats(need(KWS), list(np.load(tmp_path / "calib.npy")))
    assert stats
    assert outputs((tmp_path / "kws4.tflite").read_bytes()) == outputs(
        cz.compress(need(KWS), cz.Spec(bits=4), stats).palette
    )
    assert cli.main(half_cmd[1:]) == 0
    out = capsys.readouterr().out
    assert re.search(r"widths chosen on the calibration samples: .* left int8", out)
    assert len((tmp_path / "kws-half.tflite").read_bytes()) <= len(need(KWS)) // 2


def test_convert_keras_compress_checks_against_float(tmp_path: Path, capsys) -> None:
    """From a Keras model: --compress reports top-1 agreement with the int8 model and with the
    float model (TensorFlow's), beside the int8 model's own agreement with the float one."""
    import keras

    keras.utils.set_random_seed(11)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10)])  # fmt: skip
    model.save(tmp_path / "mlp.keras")
    calib = tmp_path / "calib.npy"
    np.save(calib, np.random.default_rng(11).normal(size=(200, 64)).astype(np.float32))
    out = tmp_path / "mlp4.tflite"
    assert cli.main(["convert", str(tmp_path / "mlp.keras"), "-o", str(out), "--calib",
                     str(calib), "--compress", "bits=4"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "palettes fit to the layers' outputs on 200 calibration samples" in text
    m = re.search(r"top-1 on 200 calibration samples: ([\d.]+)% as int8, ([\d.]+)% with float "
                  r"\(int8: ([\d.]+)%\)", text)  # fmt: skip
    assert m, text
    as_int8, with_float, int8_float = (float(g) for g in m.groups())
    assert as_int8 >= 80 and with_float >= 80 and int8_float >= 90, text
    assert "TFLM_DECODE" in [op.name for op in schema.parse(out.read_bytes()).operators]


@pytest.mark.parametrize("path", [KWS, VWW], ids=["KWS", "VWW"])
def test_stripping_changes_no_output(path: Path) -> None:
    """What --compress strips (names, bias quantization, repeated zero points, empty buffers,
    metadata) is read by neither runtime: the stripped int8 model gives the same bytes as the
    original in our engine and in TFLite Micro's interpreter, and is much smaller."""
    data = need(path)
    flatbuffers, fb = cz._schema()
    model = fb.ModelT.InitFromPackedBuf(bytearray(data), 0)
    cz.strip_model(model)
    stripped = cz._pack(flatbuffers, model)
    assert len(stripped) < 0.8 * len(data)
    assert outputs(stripped, n=4) == outputs(data, n=4)
    assert tflm_outputs(stripped, n=4) == tflm_outputs(data, n=4)
    assert outputs(data, n=4) == tflm_outputs(data, n=4)


AD = MODELS / "mlcommons-tiny" / "ad01_int8.tflite"


@pytest.mark.parametrize("per", ["auto", "tensor", "channel"])
def test_fully_connected_decodes_a_block_at_a_time(per: str) -> None:
    """AD (fully connected layers only): each FULLY_CONNECTED decodes its weights a block of
    rows at a time, so the arena grows by about a block (4 KiB), not by the largest layer's
    weights (80 KiB); the outputs are the palette model's, and TFLite Micro's interpreter gives
    the same bytes for the compressed model. Rows of 640 weights take the decoder's table of
    value pairs, rebuilt at each row when the palettes are per channel."""
    data = need(AD)
    r = cz.compress(data, cz.Spec(bits=4, per=per))
    largest = max(t.elements for t in r.tensors)
    assert largest > 80_000
    grown = _tinyml.Model(r.data).arena_size - _tinyml.Model(data).arena_size
    assert 0 < grown <= 6 * 1024, grown
    assert outputs(r.data, n=4) == outputs(r.palette, n=4)
    if per == "channel":
        # AD's weights have one scale each: TFLite Micro's DECODE gives other bytes for tables
        # per channel there (all -128), so the reference is the palette model, run by it.
        assert outputs(r.palette, n=4) == tflm_outputs(r.palette, n=4)
    else:
        assert outputs(r.data, n=4) == tflm_outputs(r.data, n=4)
        assert tflm_outputs(r.data, n=4) == tflm_outputs(r.palette, n=4)


def _deferred_by_rule(model, sg) -> set[int]:
    """The weights the engine must decode inside their FULLY_CONNECTED, by the rule written out:
    the int8 output of a DECODE read as input 1 of the int8 FULLY_CONNECTED right after it,
    and read nowhere else (no other input of any op, no graph output)."""
    fully_connected, int8 = 9, 9

    def is_decode(op) -> bool:
        code = model.operatorCodes[op.opcodeIndex]
        return code.customCode is not None and bytes(code.customCode) == b"TFLM_DECODE"

    readers: dict[int, int] = {}
    for op in sg.operators:
        for t in op.inputs:
            readers[int(t)] = readers.get(int(t), 0) + 1
    for t in sg.outputs:
        readers[int(t)] = readers.get(int(t), 0) + 1
    deferred = set()
    for before, op in zip(sg.operators, sg.operators[1:]):
        code = model.operatorCodes[op.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        if not is_decode(before) or builtin != fully_connected or len(op.inputs) < 2:
            continue
        x, w = int(op.inputs[0]), int(op.inputs[1])
        if (x >= 0 and w >= 0 and w in [int(t) for t in before.outputs] and readers[w] == 1
                and sg.tensors[w].type == int8 and sg.tensors[x].type == int8):  # fmt: skip
            deferred.add(w)
    return deferred


def test_deferred_weights_follow_the_rule_on_rewired_graphs() -> None:
    """AD compressed (ten DECODE, FULLY_CONNECTED pairs), then rewired at random: decoded
    weights made graph outputs, read by other inputs (of any op, twice by one op), written by
    a second DECODE so that two pairs read them. The weights the engine leaves unplanned (it
    decodes them in the FULLY_CONNECTED, a block at a time) are exactly the rule's, on every
    graph: the planner does not need the graph to be one prepare accepts."""
    data = need(AD)
    r = cz.compress(data, cz.Spec(bits=4, per="tensor"))
    flatbuffers, fb = cz._schema()
    rng = np.random.default_rng(13)
    checked = 0
    for variant in range(60):
        model = fb.ModelT.InitFromPackedBuf(bytearray(r.data), 0)
        sg = model.subgraphs[0]
        decodes = [op for op in sg.operators if bytes(model.operatorCodes[op.opcodeIndex].customCode
                                                      or b"") == b"TFLM_DECODE"]  # fmt: skip
        decoded = sorted(int(t) for op in decodes for t in op.outputs)
        for _ in range(variant % 4):
            kind = rng.integers(3)
            t = int(rng.choice(decoded))
            if kind == 0:
                sg.outputs = np.append(sg.outputs, t).astype(np.int32)
            elif kind == 1:
                op = sg.operators[rng.integers(len(sg.operators))]
                op.inputs = op.inputs.copy()
                op.inputs[rng.integers(len(op.inputs))] = t
            else:
                op = decodes[rng.integers(len(decodes))]
                op.outputs = np.append(op.outputs, t).astype(np.int32)
                after = sg.operators[sg.operators.index(op) + 1]
                after.inputs = after.inputs.copy()
                after.inputs[1] = t
        want = _deferred_by_rule(model, sg)
        buffers = _tinyml.plan(cz._pack(flatbuffers, model), 8, "portable")["buffers"]
        got = {t for t in decoded if buffers[t][1] == 0}
        assert got == want, (variant, got, want)
        checked += len(want) < len(decoded)
    assert checked >= 40  # most variants take some weights out of the deferred set


def _chained_pairs(r: cz.CompressResult, n: int) -> tuple[bytes, list[int]]:
    """AD compressed, with n more copies of its first 128 -> 128 DECODE, FULLY_CONNECTED pair
    chained after it (each its own decoded weights, from the same indices); the model and the
    decoded tensors of the copies."""
    import copy

    flatbuffers, fb = cz._schema()
    model = fb.ModelT.InitFromPackedBuf(bytearray(r.data), 0)
    sg = model.subgraphs[0]
    ops = list(sg.operators)

    def is_decode(op) -> bool:
        return bytes(model.operatorCodes[op.opcodeIndex].customCode or b"") == b"TFLM_DECODE"

    def shape(t) -> list[int]:
        return list(sg.tensors[int(t)].shape)

    k = next(i for i in range(len(ops) - 1)
             if is_decode(ops[i]) and shape(ops[i + 1].inputs[0]) == shape(ops[i + 1].outputs[0]))  # fmt: skip
    decode, fc = ops[k], ops[k + 1]
    chained, decoded, prev = [], [], int(fc.outputs[0])
    for _ in range(n):
        sg.tensors += [copy.copy(sg.tensors[int(decode.outputs[0])]),
                       copy.copy(sg.tensors[int(fc.outputs[0])])]  # fmt: skip
        w, out = len(sg.tensors) - 2, len(sg.tensors) - 1
        d, f = copy.copy(decode), copy.copy(fc)
        d.outputs = np.array([w], dtype=np.int32)
        f.inputs = np.array([prev, w, *fc.inputs[2:]], dtype=np.int32)
        f.outputs = np.array([out], dtype=np.int32)
        chained += [d, f]
        decoded.append(w)
        prev = out
    reader = next(op for op in ops[k + 2 :] if fc.outputs[0] in op.inputs)
    reader.inputs = np.array([prev if t == fc.outputs[0] else t for t in reader.inputs], np.int32)
    sg.operators = ops[: k + 2] + chained + ops[k + 2 :]
    return cz._pack(flatbuffers, model), decoded


def test_many_decode_pairs_load_in_linear_time() -> None:
    """Which decoded weights a FULLY_CONNECTED decodes itself is found in one pass over the
    graph: AD with 9,000 more DECODE, FULLY_CONNECTED pairs loads in well under 100x the time
    of AD with 300 (30x is linear; counting each pair's readers over every node's inputs took
    220-330x), defers every copy's weights and runs."""
    import time

    r = cz.compress(need(AD), cz.Spec(bits=4, per="tensor"))
    (small, _), (big, decoded) = _chained_pairs(r, 300), _chained_pairs(r, 9000)

    def load_seconds(data: bytes, repeat: int) -> float:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            _tinyml.Model(data)
            best = min(best, time.perf_counter() - t0)
        return best

    ratio = load_seconds(big, 3) / load_seconds(small, 10)
    assert ratio < 100, f"9,000 pairs took {ratio:.0f}x the time of 300"
    buffers = _tinyml.plan(big, 8, "portable")["buffers"]
    assert all(buffers[w][1] == 0 for w in decoded)
    m = _tinyml.Model(big)
    assert len(m.predict(bytes(640))) == 640


def test_fully_connected_blocks_starting_inside_a_byte(tmp_path: Path) -> None:
    """3-bit indices and rows of 11 weights: the second block of a 400-unit layer (372 rows a
    block) starts 4 bits into a byte, through the general decoder; 4-bit tables per tensor take
    the fast path. Both give the palette model's bytes, and TFLite Micro's."""
    import keras

    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((11,)), keras.layers.Dense(400, activation="relu"),
                              keras.layers.Dense(5)])  # fmt: skip
    model.save(tmp_path / "mlp.keras")
    calib = tmp_path / "calib.npy"
    np.save(calib, np.random.default_rng(5).normal(size=(50, 11)).astype(np.float32))
    int8 = tmp_path / "mlp.tflite"
    assert cli.main(["convert", str(tmp_path / "mlp.keras"), "-o", str(int8), "--calib",
                     str(calib)]) == 0  # fmt: skip
    for bits in (3, 4):
        r = cz.compress(int8.read_bytes(), cz.Spec(bits=bits, per="tensor"))
        assert sorted(t.elements for t in r.tensors) == [2000, 4400]
        assert outputs(r.data, n=4) == outputs(r.palette, n=4)
        assert outputs(r.data, n=4) == tflm_outputs(r.palette, n=4)


def test_least_distortion_is_the_exact_optimum() -> None:
    """The width chooser's total distortion is brute force's least over every combination of
    widths whose costs (in its 8-byte steps) fit; a budget nothing fits gives None."""
    import itertools

    rng = np.random.default_rng(3)
    for _ in range(25):
        cost, distortion = {}, {}
        for t in range(5):
            int8 = int(rng.integers(100, 400))
            cost[t] = {8: int8, **{b: int(rng.integers(10, int8)) for b in (2, 3, 4)}}
            distortion[t] = {8: 0.0, **{b: float(rng.uniform(0, 5)) for b in (2, 3, 4)}}
        target = int(rng.integers(60, 1500))
        steps = {t: {b: -(-c // 8) for b, c in cost[t].items()} for t in cost}
        fits = [
            sum(distortion[t][b] for t, b in zip(cost, combo))
            for combo in itertools.product((2, 3, 4, 8), repeat=len(cost))
            if sum(steps[t][b] for t, b in zip(cost, combo)) <= target // 8
        ]
        choice = cz._least_distortion(cost, distortion, target)
        if not fits:
            assert choice is None
            continue
        assert sum(steps[t][b] for t, b in choice.items()) <= target // 8
        assert sum(distortion[t][b] for t, b in choice.items()) == pytest.approx(min(fits))


@pytest.fixture(scope="module")
def kws_calib() -> list[np.ndarray]:
    """Seeded MFCC-sized inputs (no KWS data set ships here), as the README's calib.npy."""
    rng = np.random.default_rng(7)
    return list(rng.uniform(-20, 20, size=(30, 49, 10, 1)).astype(np.float32))


@pytest.fixture(scope="module")
def kws_half(kws_calib) -> cz.CompressResult:
    return cz.compress_calibrated(need(KWS), cz.Spec(flash=0.5), kws_calib)


def test_flash_budget_is_met_bit_exact(kws_half: cz.CompressResult) -> None:
    """flash=0.5: the file is at most half the int8 one, its layers of several widths, and it
    gives the bytes of its palette model in our engine and in TFLite Micro's interpreter; the
    arena grows by at most the largest layer decoded whole."""
    data = need(KWS)
    r = kws_half
    assert len(r.data) <= len(data) // 2
    assert len({t.bits for t in r.tensors} | ({8} if r.kept else set())) > 1
    assert outputs(r.data, n=4) == outputs(r.palette, n=4)
    assert outputs(r.palette, n=4) == tflm_outputs(r.palette, n=4)
    largest = max(t.elements for t in r.tensors if t.op != "FULLY_CONNECTED")
    grown = _tinyml.Model(r.data).arena_size - _tinyml.Model(data).arena_size
    assert 0 <= grown <= largest + 64, (grown, largest)


def test_flash_budget_errors(tmp_path: Path, kws_calib, capsys) -> None:
    """A budget nothing fits, one that needs no compression, flash without calibration samples
    and a bad fraction are refused with what to do."""
    data = need(KWS)
    with pytest.raises(cz.ModelError, match=r"does not fit in \d+ bytes even with 2-bit"):
        cz.compress_calibrated(data, cz.Spec(flash=0.1), kws_calib)
    with pytest.raises(cz.ModelError, match="fits with every layer int8"):
        cz.compress_calibrated(data, cz.Spec(flash=1), kws_calib)
    out = tmp_path / "x.tflite"
    assert cli.main(["convert", str(KWS), "-o", str(out), "--compress", "flash=0.5"]) != 0
    assert "give --calib DATA" in capsys.readouterr().err
    assert cli.main(["convert", str(KWS), "-o", str(out), "--compress", "flash=2"]) != 0
    assert "flash=R" in capsys.readouterr().err
    assert not out.exists()
