"""run and verify read a model's output as what it is: classifier, detector, regression or
embedding (tinyml.task), checked on a FOMO-style detector and the shared reference models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tinyml import cli, schema, task, verify

pytest.importorskip("tflite_micro.python.tflite_micro.runtime")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("tflite-micro/person_detect.tflite", "classifier"),  # softmax over 2 classes
        ("tflite-micro/micro_speech_quantized.tflite", "classifier"),
        ("tflite-micro/hello_world_int8.tflite", "regression"),  # one value
        ("mlcommons-tiny/ad01_int8.tflite", "regression"),  # reconstructs its input
        ("openmv/movenet_singlepose_192.tflite", "detector"),  # 48x48 heat maps
        ("openmv/face_landmarks_192.tflite", "embedding"),  # 1404 coordinates
        ("tflite-micro/simple_add_model.tflite", "regression"),  # a one-channel image
        ("tflite-micro/dtln_noise_suppression.tflite", "regression"),  # 257 sigmoid gains
    ],
)
def test_output_kind_of_reference_models(models: Path, name: str, kind: str) -> None:
    assert task.output_kind(schema.load(models / name)) == kind


@pytest.fixture(scope="module")
def fomo():
    pytest.importorskip("tensorflow")
    from fomo import cache_dir
    from trained import converted

    data = cache_dir()
    out, _ = converted(data / "fomo.keras", data / "calib.npy")
    return out, data


def test_verify_detector_scores_cells(fomo, capsys) -> None:
    """A 12x12x2 heat map is scored per cell with a 2x2 confusion matrix, not 288x288, and
    the engine agrees with the float model and TFLite Micro."""
    model, data = fomo
    args = ["verify", str(model), "--data", str(data / "x_test.npy"), "--labels",
            str(data / "y_test.npy"), "--reference", str(data / "fomo.keras"), "--tflm"]  # fmt: skip
    assert cli.main([*args, "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["task"] == "detector" and r["samples"] == 40
    assert np.array(r["confusion"]).shape == (2, 2)
    assert sum(map(sum, r["confusion"])) == 40 * 12 * 12
    y = np.load(data / "y_test.npy")
    assert sum(r["confusion"][1]) == int(np.sum(y == 1))  # true object cells, row 1
    assert r["accuracy"] > 0.9 and r["agreement"] > 0.95
    assert r["confusion"][1][1] > 0.5 * sum(r["confusion"][1])  # finds most objects
    assert r["tflm_checked"] and r["tflm_mismatches"] == 0
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "(detector)" in out and "per heat-map cell" in out
    assert "confusion matrix per heat-map cell" in out and len(out.splitlines()) < 20, out


def test_run_detector_lists_cells(fomo, tmp_path: Path, capsys) -> None:
    """run shows a heat map as the cells that found an object, not as class "2" of 288."""
    model, data = fomo
    x = np.load(data / "x_test.npy")[:5]
    y = np.load(data / "y_test.npy")[:5]
    np.save(tmp_path / "x.npy", x)
    assert cli.main(["run", str(model), "--input", str(tmp_path / "x.npy")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    for i, line in enumerate(lines):
        assert line.startswith(f"[{i}] ") and " of 12x12 cells found something" in line, line
        found = int(line.split()[1])
        assert abs(found - int(np.sum(y[i] == 1))) <= 2, (line, y[i].nonzero())
    with_objects = [line for line in lines if line.split()[1] != "0"]
    assert with_objects and all("class 1@(" in line for line in with_objects)


def test_verify_tflm_alone_needs_no_labels(models: Path, tmp_path: Path, capsys) -> None:
    """--tflm compares with TFLite Micro without --labels (and shows its progress); nothing
    at all to compare with is refused."""
    path = models / "mlcommons-tiny" / "ad01_int8.tflite"
    rng = np.random.default_rng(1)
    np.save(tmp_path / "x.npy", rng.integers(-128, 128, size=(4, 640), dtype=np.int8))
    args = ["verify", str(path), "--data", str(tmp_path / "x.npy")]
    assert cli.main([*args, "--tflm"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "  TFLite Micro: 4/4 (100%)" in captured.err  # its half reports progress too
    assert "(regression)" in out and "TFLite Micro:       4/4 outputs bit-exact" in out
    assert "accuracy" not in out
    assert cli.main(args) == 2
    assert "give --labels, --reference or --tflm" in capsys.readouterr().err


def test_task_override_and_embedding_refuses_labels(models: Path, tmp_path: Path, capsys):
    """--task embedding shows vectors; labels for an embedding are refused with the fix."""
    path = models / "mlcommons-tiny" / "ad01_int8.tflite"
    rng = np.random.default_rng(2)
    np.save(tmp_path / "x.npy", rng.integers(-128, 128, size=(2, 640), dtype=np.int8))
    np.save(tmp_path / "y.npy", np.zeros((2, 640), dtype=np.float32))
    assert cli.main(["run", str(path), "--input", str(tmp_path / "x.npy"), "--task",
                     "embedding"]) == 0  # fmt: skip
    assert "[0] 640 values, norm " in capsys.readouterr().out
    rc = cli.main(["verify", str(path), "--data", str(tmp_path / "x.npy"), "--labels",
                   str(tmp_path / "y.npy"), "--task", "embedding"])  # fmt: skip
    assert rc == 2 and "compare it with --reference or --tflm" in capsys.readouterr().err


def test_many_classes_are_not_printed_as_a_matrix() -> None:
    """A 1000-class confusion matrix would flood the terminal: the worst confusions instead."""
    k = 30
    conf = np.eye(k, dtype=int) * 3
    conf[4, 7] = 5
    conf[2, 9] = 1
    r = verify.VerifyResult(samples=int(conf.sum()), task="classifier", accuracy=0.5,
                            confusion=conf.tolist(), class_names=[f"c{i}" for i in range(k)])  # fmt: skip
    text = verify.format_result(r)
    assert "30 classes, not shown (--json has it)" in text
    assert "  c4 -> c7: 5" in text and "  c2 -> c9: 1" in text
    assert len(text.splitlines()) < 12
