"""tinyml inspect on the MLPerf Tiny models, numbers cross-checked independently.

MACs are recomputed here from TensorFlow's own flatbuffer bindings, deriving each output size
from the input size, strides and padding rather than reading the stored output shape; they must
also agree with the figures MLPerf Tiny publishes for its reference models. The arena must be
the engine's own plan.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tinyml
from tinyml import _tinyml, cli, metadata, schema

MLPERF = {
    # model: (published MACs, published parameters), MLPerf Tiny v0.5 reference models
    "kws_ref_model.tflite": (2.7e6, None),
    "vww_96_int8.tflite": (7.5e6, 0.2e6),
    "pretrainedResnet_quant.tflite": (12.5e6, 0.08e6),
    "ad01_int8.tflite": (0.26e6, 0.27e6),
}


def _tf_macs(path: Path) -> int:
    """Conv, depthwise and fully connected MACs from TF's schema bindings and op options."""
    fb = pytest.importorskip("tensorflow.lite.python.schema_py_generated")
    model = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(path.read_bytes(), 0))
    g = model.subgraphs[0]
    ops = fb.BuiltinOperator
    total = 0
    for op in g.operators:
        code = model.operatorCodes[op.opcodeIndex]
        b = max(code.builtinCode, code.deprecatedBuiltinCode)
        if b in (ops.CONV_2D, ops.DEPTHWISE_CONV_2D):
            x = g.tensors[op.inputs[0]].shape
            w = g.tensors[op.inputs[1]].shape
            o = op.builtinOptions
            out_hw = []
            for size, k, s in ((x[1], w[1], o.strideH), (x[2], w[2], o.strideW)):
                same = o.padding == fb.Padding.SAME
                out_hw.append((size + s - 1) // s if same else (size - k) // s + 1)
            if b == ops.CONV_2D:
                total += out_hw[0] * out_hw[1] * w[0] * w[1] * w[2] * w[3]
            else:
                total += out_hw[0] * out_hw[1] * w[3] * w[1] * w[2]
        elif b == ops.FULLY_CONNECTED:
            x = g.tensors[op.inputs[0]].shape
            w = g.tensors[op.inputs[1]].shape
            rows = 1
            for d in x:
                rows *= d
            total += rows // w[1] * w[0] * w[1]
    return total


@pytest.mark.parametrize("name", sorted(MLPERF))
def test_inspect_mlperf_numbers(name: str, models: Path, capsys) -> None:
    """MACs match an independent count and the published figure; arena is the engine's."""
    path = models / "mlcommons-tiny" / name
    assert cli.main(["inspect", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["macs"] == _tf_macs(path)
    published_macs, published_params = MLPERF[name]
    assert abs(report["macs"] - published_macs) / published_macs < 0.05
    if published_params:
        assert abs(report["params"] - published_params) / published_params < 0.1
    assert report["arena_bytes"] == tinyml.Model(str(path)).arena_size
    assert sum(layer["macs"] for layer in report["layers"]) == report["macs"]
    assert report["unsupported"] == [] and report["ok"]
    assert report["inputs"][0]["dtype"] == "int8" and report["inputs"][0]["scale"] > 0


def test_inspect_table_lists_ops_and_quantization(models: Path, capsys) -> None:
    """The human table has every op, the totals and the I/O quantization."""
    path = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    assert cli.main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("CONV_2D v") == 9 and "SOFTMAX v2" in out
    assert "total MACs:     2,656,768" in out
    assert "scale 0.584703 zero_point 83" in out
    assert "ops:            all supported by the engine" in out


def test_weight_bytes_are_the_constant_buffers(models: Path, capsys) -> None:
    """Weights in flash: the bytes of every constant tensor's buffer, counted once."""
    path = models / "tflite-micro" / "hello_world_int8.tflite"
    assert cli.main(["inspect", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    info = schema.load(path)
    buffers = {t.buffer for t in info.tensors if t.is_const}
    assert report["weight_bytes"] == sum(info.buffers[b][1] for b in buffers)
    assert report["params"] == 16 + 16 + 16 * 16 + 16 + 16 + 1  # 3 dense layers
    assert report["file_bytes"] == path.stat().st_size


def test_unsupported_op_exits_1(models: Path, capsys, monkeypatch) -> None:
    """A model with an op the engine lacks is reported and inspect exits 1."""
    from tinyml import inspect

    monkeypatch.setattr(inspect, "op_supported", lambda op: op.name != "SOFTMAX")
    path = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    assert cli.main(["inspect", str(path)]) == 1
    captured = capsys.readouterr()
    assert " NO " in captured.out
    assert "unsupported ops: SOFTMAX v2" in captured.err


def test_custom_ops_are_supported_by_name(models: Path, capsys) -> None:
    """TFLM's Signal custom ops are looked up by their custom code and run."""
    path = models / "tflite-micro" / "audio_preprocessor_int8.tflite"
    assert cli.main(["inspect", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not report["unsupported"]
    assert report["arena_bytes"] and report["ok"]


def test_labels_from_metadata(models: Path, tmp_path: Path, capsys) -> None:
    """Labels stored by convert show up in the report."""
    src = (models / "tflite-micro" / "person_detect.tflite").read_bytes()
    path = tmp_path / "pd.tflite"
    path.write_bytes(metadata.with_metadata(src, {metadata.LABELS: b"no_person\nperson\n"}))
    assert cli.main(["inspect", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["labels"] == ["no_person", "person"]


def _board(root: Path, name: str, ram: int, flash: int) -> None:
    """A board folder as boards/README.md says to add one: a copy of a real board.json."""
    d = root / "boards" / name
    d.mkdir(parents=True)
    info = json.loads(
        (Path(__file__).resolve().parents[2] / "boards" / "unix" / "board.json").read_text()
    )
    info.update(name=name, ram_budget=ram, flash_budget=flash)
    (d / "board.json").write_text(json.dumps(info))


def test_board_fit(models: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    """--board: fits exits 0; too little RAM or flash exits 1 and says what is short."""
    monkeypatch.setenv("TINYML_ROOT", str(tmp_path))
    _board(tmp_path, "big", 8 << 20, 4 << 20)
    _board(tmp_path, "tiny", 64 << 10, 128 << 10)
    path = models / "mlcommons-tiny" / "vww_96_int8.tflite"
    assert cli.main(["inspect", str(path), "--board", "big"]) == 0
    assert "board big:  fits" in capsys.readouterr().out
    assert cli.main(["inspect", str(path), "--board", "tiny"]) == 1
    out, err = capsys.readouterr()
    assert "does NOT fit" in out and "bytes of RAM" in out and "bytes of flash" in out
    assert "does not fit tiny" in err
    assert cli.main(["inspect", str(path), "--board", "nope"]) == 2
    assert "unknown board 'nope'" in capsys.readouterr().err


def test_real_board_definitions(models: Path, paths, capsys) -> None:
    """Every boards/*/board.json gives a verdict for the keyword-spotting model."""
    boards = sorted(p.parent.name for p in paths.boards.glob("*/board.json"))
    if not boards:
        pytest.skip("no boards/*/board.json yet")
    path = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    for board in boards:
        rc = cli.main(["inspect", str(path), "--board", board, "--json"])
        out, err = capsys.readouterr()
        if rc == 2:  # a board without budgets (the unix port) says so
            assert "no RAM or flash budget" in err
            continue
        report = json.loads(out)
        assert rc == (0 if report["fit"]["fits"] else 1)


def test_rp2040_judges_frozen_and_read_into_ram(models: Path, capsys) -> None:
    """--board rp2040: the verdict is for a model frozen into the firmware (arena in the heap,
    model in the 176 KB of flash the firmware leaves), the model read from a file into RAM is
    judged beside it, and the firmware's flash and the script's heap are printed. KWS fits both
    ways; person_detect (300 KB) fits neither."""
    kws = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    assert cli.main(["inspect", str(kws), "--board", "rp2040"]) == 0
    out = capsys.readouterr().out
    assert "board rp2040:  fits" in out
    assert "GC heap 251,904 B (246.0 KiB), 243,104 B (237.4 KiB) free to a script" in out
    assert "firmware: 475,136 B (464.0 KiB) of the 655,360 B (640.0 KiB)" in out
    person = models / "tflite-micro" / "person_detect.tflite"
    assert cli.main(["inspect", str(person), "--board", "rp2040", "--json"]) == 1
    fit = json.loads(capsys.readouterr().out)["fit"]
    # In flash its arena alone would fit the heap, but the model not the flash; read into RAM
    # the model and its arena do not fit the heap. The arena is the Cortex-M0's (4-byte
    # pointers, portable kernels: tests/test_device_arena.py measures it on the emulated M0),
    # smaller than this host's.
    arena = _tinyml.plan(person.read_bytes(), 4, "portable")["arena"]
    assert arena < _tinyml.Model(person.read_bytes()).arena_size
    assert [(p["ram_needed"], p["fits"]) for p in fit["placements"]] == [
        (arena, False),
        (arena + 300568, False),
    ]
    assert "model file is 300,568 bytes; rp2040 has 180,224 bytes of flash" in fit["reasons"][0]


def _band_rows(out_rows: range, stride: int, filter_h: int, pad: int, in_h: int) -> range:
    """The input rows a band of output rows reads, clipped to the image (no dilation)."""
    lo = max(out_rows.start * stride - pad, 0)
    hi = min((out_rows.stop - 1) * stride - pad + filter_h, in_h)
    return range(lo, hi)


def test_peak_names_the_op_and_its_tensors(models: Path, capsys) -> None:
    """person_detect's first four ops (depthwise 3x3 on the gray image, depthwise 3x3, 1x1,
    depthwise 3x3 /2) run patched on the M7, a band of one output row of op 3 at a time: the
    48x48 maps between them exist only as band buffers of the rows one band reads, and the
    activations peak at op 3 with the image, op 3's 24x24x16 output and those buffers live."""
    path = models / "tflite-micro" / "person_detect.tflite"
    model = schema.load(path)
    assert cli.main(["inspect", str(path), "--board", "qemu-m7", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    peak, patch = report["peak"], report["patch"]
    assert (patch["first"], patch["last"], patch["rows"], patch["bands"]) == (0, 3, 1, 24)
    assert patch["ops"] == [model.operators[n].name for n in range(4)]
    # Each buffer holds the most rows any band reads: walked back from op 3's rows, with
    # the windows TFLite's SAME padding gives (3x3: strides 1, 1, -, 2; the 1x1 reads its row).
    windows = {3: (2, 3, 0, 48), 2: (1, 1, 0, 48), 1: (1, 3, 1, 48)}  # stride, filter, pad, in_h
    held = {0: 0, 1: 0, 2: 0}
    computed = {0: set(), 1: set(), 2: set()}
    for y in range(24):
        rows = range(y, y + 1)
        for node in (3, 2, 1):
            rows = _band_rows(rows, *windows[node])
            held[node - 1] = max(held[node - 1], len(rows))
            computed[node - 1].update(rows)
    # Each band keeps the rows it shares with the last: every row is computed once.
    assert all(computed[n] == set(range(48)) for n in computed)
    assert patch["extra_macs"] == 0
    want = {model.operators[0].inputs[0]: 96 * 96, model.operators[3].outputs[0]: 24 * 24 * 16}
    for node, rows in held.items():
        t = model.tensors[model.operators[node].outputs[0]]
        want[t.index] = rows * t.shape[2] * t.shape[3]
        assert [t.index, t.name, want[t.index], t.elements] in patch["band_buffers"]
    assert (peak["node"], peak["op"]) == (3, "DEPTHWISE_CONV_2D")
    assert {t["index"]: t["bytes"] for t in peak["tensors"]} == want
    assert patch["activations_after"] == peak["activation_bytes"] < patch["activations_before"]
    assert report["arena_bytes"] > peak["activation_bytes"]
    # Past the chain, the convolutions write over their inputs again.
    op = model.operators[4]
    assert (4, op.name, op.inputs[0], op.outputs[0]) in [tuple(o[:4]) for o in peak["overlaps"]]
    assert cli.main(["inspect", str(path), "--board", "qemu-m7"]) == 0
    text = capsys.readouterr().out
    assert "peak at op 3 DEPTHWISE_CONV_2D, live tensors" in text
    assert (
        "patched:      ops 0-3 (DEPTHWISE_CONV_2D, DEPTHWISE_CONV_2D, CONV_2D, "
        "DEPTHWISE_CONV_2D) run in 24 bands of 1 output row of op 3; activations "
        f"{patch['activations_before']:,} B unpatched, {peak['activation_bytes']:,} B patched"
    ) in text
    assert "; 0 MACs recomputed (+0.0% MACs)" in text


def test_not_a_model(tmp_path: Path, capsys) -> None:
    """A file that is not a TFLite flatbuffer is one readable error line, exit 2."""
    bad = tmp_path / "x.tflite"
    bad.write_bytes(b"hello world, not a model")
    assert cli.main(["inspect", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tinyml: error:") and "not a TFLite model" in err


def test_report_says_what_each_size_is(models: Path, capsys) -> None:
    """The report says "flash" in one sense only (room for the model file on the board), and
    every RAM figure names what it adds up."""
    person = models / "tflite-micro" / "person_detect.tflite"
    assert cli.main(["inspect", str(person), "--board", "rp2040"]) == 1
    out = capsys.readouterr().out
    assert "weights:        218,928 B (213.8 KiB) of the 300,568 B (293.5 KiB) model file" in out
    assert "arena (RAM):    " in out and "what predict() needs beside the model" in out
    flash = [line for line in out.splitlines() if "flash" in line]
    for line in flash:  # the firmware's own line names its image, the others the model file
        assert "model file" in line or "model in flash" in line or "firmware:" in line, line
    assert "(model file 300,568 B (293.5 KiB) of the 180,224 B (176.0 KiB) of flash left" in out
    placements = [line for line in out.splitlines() if line.startswith("  model ")]
    assert len(placements) == 2
    assert placements[0].endswith(": arena)") and placements[1].endswith(": arena + model)")
