"""tinyml convert end to end: Keras/SavedModel -> int8 .tflite that our engine runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorflow")

import tinyml
from tinyml import cli, metadata, schema
from trained import GESTURES, cache_dir, converted


@pytest.fixture(scope="module")
def data() -> Path:
    return cache_dir()


@pytest.fixture(scope="module")
def gesture(data: Path) -> Path:
    out, _ = converted(
        data / "gesture.keras", data / "calib.npy", "--labels", str(data / "labels.txt")
    )
    return out


def test_convert_output_is_only_tinymls(data: Path, tmp_path: Path) -> None:
    """A convert run in a fresh process prints tinyml's own lines, not TensorFlow's start-up
    notices (oneDNN, absl), which once came before them."""
    import subprocess
    import sys

    tinyml = Path(sys.executable).with_name("tinyml")
    run = subprocess.run(
        [str(tinyml), "convert", str(data / "gesture.keras"), "-o", str(tmp_path / "g.tflite"),
         "--calib", str(data / "calib.npy"), "--calib-samples", "20"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = (run.stdout + run.stderr).splitlines()
    assert lines and all(not ln.startswith(("I0000", "W0000", "WARNING: All log")) for ln in lines)
    assert "oneDNN" not in run.stdout + run.stderr


def test_convert_prints_sizes_and_writes_int8(data: Path, tmp_path: Path, capsys) -> None:
    """convert reports the size before and after and writes an int8-in, int8-out model."""
    out = tmp_path / "g.tflite"
    rc = cli.main(
        ["convert", str(data / "gesture.keras"), "-o", str(out), "--calib", str(data / "calib.npy"),
         "--labels", str(data / "labels.txt"), "--calib-samples", "50"]
    )  # fmt: skip
    text = capsys.readouterr().out
    assert rc == 0
    assert "before:" in text and "after:" in text and "int8 in, int8 out" in text
    assert "calibrated on 50 samples" in text
    info = schema.load(out)
    assert info.tensor_inputs()[0].dtype == "int8"
    assert info.tensor_outputs()[0].dtype == "int8"


def test_converted_model_runs_on_engine_with_labels(gesture: Path, data: Path) -> None:
    """The int8 model carries its labels and classifies held-out data well on the engine."""
    m = tinyml.Model(str(gesture))
    assert m.labels == GESTURES
    assert m.input_dtype == "int8"
    x, y = np.load(data / "x_test.npy"), np.load(data / "y_test.npy")
    pred = [GESTURES.index(m.classify(np.ascontiguousarray(s))[0][0]) for s in x]
    assert np.mean(np.array(pred) == y) > 0.9


def test_h5_and_csv_calibration_convert(data: Path) -> None:
    """A legacy .h5 file converts with calibration rows read from a CSV."""
    out, _ = converted(data / "gesture.h5", data / "calib.csv")
    assert tinyml.Model(str(out)).input_shape == (1, 32, 3)


def test_float_io_keeps_float_interface(data: Path) -> None:
    """--float-io gives float32 input and output around int8 internals."""
    out, _ = converted(data / "gesture.keras", data / "calib.npy", "--float-io")
    m = tinyml.Model(str(out))
    assert m.input_dtype == "float32" and m.output_dtype == "float32"
    assert "QUANTIZE" in m.ops


def test_qat_savedmodel_converts(data: Path) -> None:
    """A SavedModel with fake-quant nodes (quantization-aware training) converts to int8."""
    out, _ = converted(data / "qat_savedmodel", data / "calib.npy")
    info = schema.load(out)
    assert info.tensor_inputs()[0].dtype == "int8"
    assert "FULLY_CONNECTED" in {op.name for op in info.operators}


def test_wrong_calibration_shape_names_expected_shape(data: Path, tmp_path: Path, capsys) -> None:
    """Calibration data of the wrong shape fails with the shape the model expects."""
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((10, 7), np.float32))
    rc = cli.main(["convert", str(data / "gesture.keras"), "-o", str(tmp_path / "x.tflite"),
                   "--calib", str(bad)])  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 2
    assert err.strip().splitlines()[-1].startswith("tinyml: error: ")
    assert "(10, 7)" in err and "(32, 3)" in err and "(N, 32, 3)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.tflite").exists()


def test_missing_calibration_is_an_error(data: Path, tmp_path: Path, capsys) -> None:
    """Converting a float model without --calib says what is missing."""
    rc = cli.main(["convert", str(data / "gesture.keras"), "-o", str(tmp_path / "x.tflite")])
    assert rc == 2
    assert "--calib" in capsys.readouterr().err


def test_unsupported_op_warns(data: Path, gesture: Path, tmp_path: Path, monkeypatch, capsys):
    """convert warns, naming the op, when the engine cannot run part of the model."""
    from tinyml import inspect

    monkeypatch.setattr(inspect, "op_supported", lambda op: op.name != "FULLY_CONNECTED")
    rc = cli.main(["convert", str(gesture), "-o", str(tmp_path / "g.tflite")])
    err = capsys.readouterr().err
    assert rc == 0
    assert "tinyml: warning:" in err and "FULLY_CONNECTED" in err


def test_relabel_tflite_without_tensorflow(gesture: Path, tmp_path: Path, capsys) -> None:
    """An int8 .tflite only gets new labels and pipeline: the graph bytes stay as they were."""
    labels = tmp_path / "l.txt"
    labels.write_text("a\nb\nc\n")
    pipe = tmp_path / "p.json"
    pipe.write_text(json.dumps({"type": "sensor", "channels": 3, "window": {"length": 32}}))
    out = tmp_path / "re.tflite"
    rc = cli.main(["convert", str(gesture), "-o", str(out), "--labels", str(labels),
                   "--pipeline", str(pipe)])  # fmt: skip
    assert rc == 0, capsys.readouterr().err
    m = tinyml.Model(str(out))
    assert m.labels == ["a", "b", "c"]
    assert json.loads(m.metadata(metadata.PIPELINE))["window"] == {"length": 32}
    assert gesture.read_bytes() in out.read_bytes()


def test_label_count_must_match_classes(gesture: Path, tmp_path: Path, capsys) -> None:
    """Two labels for three classes is an error."""
    labels = tmp_path / "l.txt"
    labels.write_text("a\nb\n")
    rc = cli.main(["convert", str(gesture), "-o", str(tmp_path / "x.tflite"), "--labels",
                   str(labels)])  # fmt: skip
    assert rc == 2
    assert "2 labels" in capsys.readouterr().err
