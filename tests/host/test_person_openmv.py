"""examples/person_detect: the OpenMV script's imports (it runs on OpenMV's firmware in
tests/openmv/), and the camera pipeline packed into the model (camera.json), which on the host
classifies TFLite Micro's two photos, re-framed as 160x120 camera frames, correctly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tinyml import cli

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples" / "person_detect"


def test_openmv_script_uses_public_apis_only() -> None:
    """The script compiles and imports only OpenMV's sensor, time and the tinyml package."""
    tree = ast.parse((EX / "openmv_main.py").read_text())
    compile(tree, "openmv_main.py", "exec")
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(f"{node.module}.{node.names[0].name}")
    assert imported == {"sensor", "time", "tinyml", "tinyml.openmv.image_input"}


def _camera_frame(photo: bytes) -> bytearray:
    """A QQVGA grayscale frame with ``photo`` in its centre. The BMP bytes are TFLite Micro's
    int8 input, pixel - 128, so each pixel is its byte xor 0x80."""
    frame = bytearray(160 * 120)
    for y in range(96):
        row = (y + 12) * 160 + 32
        frame[row : row + 96] = bytes(b ^ 0x80 for b in photo[y * 96 : (y + 1) * 96])
    return frame


def test_camera_pipeline_classifies_the_photos(tmp_path, models, dsp) -> None:
    """Packed as the script's header says, the model carries labels and camera.json; from
    camera frames holding person.bmp / no_person.bmp, the pipeline writes exactly the input
    TFLite Micro's example feeds (pixel - 128), so the scores are the emulator demo's."""
    from tinyml import Model, pipeline
    from tinyml.demo import read_bmp_gray

    src = models / "tflite-micro" / "person_detect.tflite"
    out = tmp_path / "person_detect.tflite"
    args = ["convert", str(src), "-o", str(out), "--labels", str(EX / "labels.txt")]
    assert cli.main([*args, "--pipeline", str(EX / "camera.json")]) == 0
    model = Model(str(out))
    camera = pipeline.load(model)
    expected = {"person": ("person", 0.941), "no_person": ("no_person", 0.723)}
    for name, (label, score) in expected.items():
        photo = read_bmp_gray(src.parent / f"{name}.bmp")
        x = camera.push(_camera_frame(photo))
        assert bytes(x) == photo
        got, got_score = model.classify(x)[0]
        assert (got, round(got_score, 3)) == (label, score)


def test_camera_scaling_gives_tflm_int8_pixels(models, dsp) -> None:
    """camera.json's gain and offset quantize every pixel p to exactly p - 128 in the input."""
    import json

    from tinyml import Model, pipeline

    model = Model(str(models / "tflite-micro" / "person_detect.tflite"))
    cfg = json.loads((EX / "camera.json").read_text())
    cfg.update(width=96, height=96, crop=[0, 0, 96, 96])
    frame = bytes(range(256)) * 36
    x = bytes(pipeline.load(cfg, model=model).push(frame))
    assert x == bytes((p - 128) & 0xFF for p in frame)


@pytest.fixture
def dsp():
    _tinyml = pytest.importorskip("tinyml._tinyml", reason="C extension not built")
    if not hasattr(_tinyml, "dsp"):
        pytest.skip("tinyml._tinyml built without dsp")
    return _tinyml.dsp
