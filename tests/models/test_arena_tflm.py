"""The engine's exact arena against TensorFlow Lite Micro's, for the reference models: never
more than TFLM allocates for the same model (its RecordingMicroAllocator's total), and not
implausibly less (a planner that overlapped live tensors would show as a tiny arena; running
the models, tests/models/test_reference_models.py, checks the outputs are still TFLM's). A
third is the floor: patch-based execution and outputs over their inputs bring person_detect to
0.54 of TFLM's, and hello_world's small tables to 0.48."""

from __future__ import annotations

import re

import pytest
from tinyml.paths import Paths

pytest.importorskip("tinyml._tinyml")
runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")

MODELS = [
    "tflite-micro/hello_world_int8",
    "tflite-micro/micro_speech_quantized",
    "tflite-micro/person_detect",
    "mlcommons-tiny/ad01_int8",
    "mlcommons-tiny/kws_ref_model",
    "mlcommons-tiny/vww_96_int8",
    "mlcommons-tiny/pretrainedResnet_quant",
]


def tflm_arena_bytes(data: bytes, capfd: pytest.CaptureFixture[str]) -> int:
    interpreter = runtime.Interpreter.from_bytes(data, arena_size=8 << 20)
    capfd.readouterr()
    interpreter.print_allocations()  # C++ printing to the process's stderr
    report = capfd.readouterr().err
    match = re.search(r"Arena allocation total (\d+) bytes", report)
    assert match, report
    return int(match.group(1))


@pytest.mark.parametrize("name", MODELS)
def test_arena_is_at_most_tflms(name: str, capfd: pytest.CaptureFixture[str]) -> None:
    import tinyml

    data = (Paths.default().models / f"{name}.tflite").read_bytes()
    ours = tinyml.Model(data).arena_size
    tflm = tflm_arena_bytes(data, capfd)
    assert tflm // 3 <= ours <= tflm, (ours, tflm)
