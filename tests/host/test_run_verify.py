"""tinyml run and verify, checked against TensorFlow Lite Micro's interpreter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tinyml import cli

runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")

MODELS = [
    "tflite-micro/hello_world_int8.tflite",
    "mlcommons-tiny/kws_ref_model.tflite",
    "mlcommons-tiny/ad01_int8.tflite",
    "mlcommons-tiny/pretrainedResnet_quant.tflite",
    "tflite-micro/person_detect.tflite",
]


def _tflm(path: Path, batch: np.ndarray) -> np.ndarray:
    ip = runtime.Interpreter.from_file(str(path))
    outs = []
    for sample in batch:
        ip.set_input(sample[None], 0)
        ip.invoke()
        outs.append(np.array(ip.get_output(0))[0])
    return np.stack(outs)


@pytest.mark.parametrize("name", MODELS)
def test_run_matches_tflm_bit_for_bit(name: str, models: Path, tmp_path: Path, capsys) -> None:
    """run --raw --out writes exactly TFLite Micro's int8 outputs for random int8 inputs."""
    path = models / name
    ip = runtime.Interpreter.from_file(str(path))
    shape = tuple(ip.get_input_details(0)["shape"])
    rng = np.random.default_rng(0)
    x = rng.integers(-128, 128, size=(3, *shape[1:]), dtype=np.int8)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "y.npy"
    assert cli.main(["run", str(path), "--input", str(tmp_path / "x.npy"), "--out", str(out),
                     "--raw"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert text.startswith("[0] ") and "[2] " in text and f"wrote {out}" in text
    ours = np.load(out)
    assert ours.dtype == np.int8
    np.testing.assert_array_equal(ours, _tflm(path, x))


def test_run_dequantizes_and_labels(models: Path, tmp_path: Path, capsys) -> None:
    """Float input is quantized with the model's scale; outputs print with labels."""
    path = models / "tflite-micro" / "hello_world_int8.tflite"
    x = np.array([[0.0], [1.5707964]], dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    assert cli.main(["run", str(path), "--input", str(tmp_path / "x.npy"), "--out",
                     str(tmp_path / "y.npy")]) == 0  # fmt: skip
    y = np.load(tmp_path / "y.npy")
    assert y.dtype == np.float32 and y.shape == (2, 1)
    assert abs(y[1, 0] - 1.0) < 0.1 and abs(y[0, 0]) < 0.1
    capsys.readouterr()
    labels = tmp_path / "labels.txt"
    labels.write_text("no_person\nperson\n")
    frame = np.zeros((96, 96, 1), np.int8)
    np.save(tmp_path / "f.npy", frame)
    pd = models / "tflite-micro" / "person_detect.tflite"
    assert cli.main(["run", str(pd), "--input", str(tmp_path / "f.npy"), "--labels",
                     str(labels)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "person" in out and "no_person" in out


def test_run_wrong_input_shape(models: Path, tmp_path: Path, capsys) -> None:
    """An input of the wrong shape names the shape the model expects."""
    np.save(tmp_path / "x.npy", np.zeros((5, 7), np.float32))
    path = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    assert cli.main(["run", str(path), "--input", str(tmp_path / "x.npy")]) == 2
    err = capsys.readouterr().err
    assert "(49, 10, 1)" in err and "Traceback" not in err


def test_run_bad_files_name_the_file(models: Path, tmp_path: Path, capsys) -> None:
    """A truncated model, a file that is not .npy and an --out in a missing folder each give
    one error line naming the file, no traceback, exit status 2."""
    model = models / "mlcommons-tiny" / "ad01_int8.tflite"
    truncated = tmp_path / "truncated.tflite"
    truncated.write_bytes(model.read_bytes()[:3000])
    np.save(tmp_path / "x.npy", np.zeros((1, 640), np.float32))
    (tmp_path / "junk.npy").write_text("junk\n")
    x = str(tmp_path / "x.npy")
    cases = [
        (["run", str(truncated), "--input", x], f"{truncated}: corrupt TFLite file"),
        (["run", str(model), "--input", str(tmp_path / "junk.npy")], "junk.npy: not a .npy file"),
        (
            ["run", str(model), "--input", x, "--out", str(tmp_path / "no" / "o.npy")],
            "o.npy: No such file or directory",
        ),
    ]
    for argv, message in cases:
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err


@pytest.fixture(scope="module")
def gesture():
    pytest.importorskip("tensorflow")
    from trained import cache_dir, converted

    data = cache_dir()
    out, _ = converted(
        data / "gesture.keras", data / "calib.npy", "--labels", str(data / "labels.txt")
    )
    return out, data


def test_verify_against_float_model_and_tflm(gesture, capsys) -> None:
    """verify reports engine and float accuracy, agreement, a confusion matrix, TFLM bit-exact."""
    model, data = gesture
    rc = cli.main(["verify", str(model), "--data", str(data / "x_test.npy"), "--labels",
                   str(data / "y_test.npy"), "--reference", str(data / "gesture.keras"),
                   "--tflm", "--json"])  # fmt: skip
    import json

    r = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert r["samples"] == 300 and r["task"] == "classifier"
    assert r["accuracy"] > 0.9 and r["reference_accuracy"] > 0.9
    assert r["agreement"] > 0.95
    assert r["tflm_checked"] and r["tflm_mismatches"] == 0
    assert r["class_names"] == ["idle", "shake", "wave"]
    assert sum(map(sum, r["confusion"])) == 300
    assert sum(r["confusion"][i][i] for i in range(3)) == round(r["accuracy"] * 300)


def test_verify_table_and_threshold(gesture, capsys) -> None:
    """The text report shows the matrix; --min-accuracy above reach exits 1."""
    model, data = gesture
    args = ["verify", str(model), "--data", str(data / "x_test.npy"), "--labels",
            str(data / "y_test.npy")]  # fmt: skip
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "accuracy (engine):" in out and "confusion matrix" in out and "shake" in out
    assert cli.main([*args, "--min-accuracy", "1.01"]) == 1
    assert "below the required" in capsys.readouterr().err


def test_verify_regression_against_float_tflite(models: Path, tmp_path: Path, capsys) -> None:
    """Float targets: MAE of the int8 engine and of the float reference in TensorFlow."""
    pytest.importorskip("tensorflow")
    x = np.linspace(0, 2 * np.pi, 50, dtype=np.float32).reshape(50, 1)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.sin(x))
    rc = cli.main(["verify", str(models / "tflite-micro" / "hello_world_int8.tflite"), "--data",
                   str(tmp_path / "x.npy"), "--labels", str(tmp_path / "y.npy"), "--reference",
                   str(models / "tflite-micro" / "hello_world_float.tflite")])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0
    assert "MAE (engine):" in out and "MAE (float):" in out
    mae = float(out.split("MAE (engine):")[1].split()[0])
    assert mae < 0.15
