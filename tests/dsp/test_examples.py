"""The DSP examples run on each device and give the right answers on their shipped samples."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GESTURE = ROOT / "examples" / "gesture"


def test_gesture_example_classifies_every_gesture(device):
    """examples/gesture/main.py on the board recognises all 8 synthetic gestures."""
    from device_runner import run_on_device

    files = {
        "gesture.tflite": GESTURE / "gesture.tflite",
        "gestures.py": GESTURE / "gestures.py",
        "tinyml_pipeline.py": ROOT / "device" / "tinyml" / "pipeline.py",
    }
    out = run_on_device(device, GESTURE / "main.py", files)
    if "SKIP" in out:
        pytest.skip("device lacks tinyml")
    assert "CORRECT 8 of 8" in out, out


def test_anomaly_example_scores_match_tflm_and_flag_the_hum(device, models):
    """examples/anomaly/main.py: the autoencoder's mean MSE equals TFLM's 10.2645 on the
    ToyADMOS sample, and the Mahalanobis scorer fitted on the board flags the hum windows."""
    from device_runner import run_on_device, skip_unless_fits

    ad = models / "mlcommons-tiny"
    files = {
        "ad01_int8.tflite": ad / "ad01_int8.tflite",
        "normal_id_01_00000000_hist_librosa.bin": ad / "normal_id_01_00000000_hist_librosa.bin",
        "tinyml_pipeline.py": ROOT / "device" / "tinyml" / "pipeline.py",
        "tinyml_pipeline_anomaly.py": ROOT / "device" / "tinyml" / "pipeline_anomaly.py",
    }
    skip_unless_fits(device, [files["ad01_int8.tflite"]], "examples/anomaly")
    out = run_on_device(device, ROOT / "examples" / "anomaly" / "main.py", files, timeout=600)
    assert "WINDOWS 196" in out, out
    assert "AE mean MSE normal 10.2645 hum 12.3979" in out, out
    assert "DETECTED 94 of 96" in out, out
