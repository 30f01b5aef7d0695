"""examples/kws_stream: an LSTM keyword model on a continuous 10 s stream, frame by frame.

Claims:
- on the host engine the stream gives real detections: each yes and no clip is reported
  once, as its own word, between the middle of the clip and half a second after its end,
  and silence and noise clips give nothing;
- TFLite Micro's interpreter, running the same script in place of our engine (its models,
  inputs and outputs behind tinyml's Model API), prints the same detections, scores and all;
- on each device (unix port, emulated boards) the script, whose loop runs under
  micropython.heap_lock(), prints the host's lines exactly.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from device_runner import declared_files, ram_needed, run_on_cpython, run_on_device

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "kws_stream"
STREAM = EXAMPLE / "stream.py"
CLIPS = ("silence", "yes", "noise", "no", "silence", "yes", "noise", "no", "silence", "yes")

# tinyml's Model API over TFLite Micro's interpreter: input(i)/output(i) are byte views that
# invoke() copies in and out, as the script reads and writes them.
TFLM_SHIM = """
import numpy as np
from tflite_micro.python.tflite_micro import runtime


class Model:
    def __init__(self, path):
        with open(path, "rb") as f:
            self._it = runtime.Interpreter.from_bytes(f.read())
        self._ins = [self._buffer(self._it.get_input_details(0))]
        self._outs = []
        while True:
            try:
                self._outs.append(self._buffer(self._it.get_output_details(len(self._outs))))
            except Exception:
                break

    @staticmethod
    def _buffer(details):
        array = np.zeros(details["shape"], details["dtype"])
        return array, bytearray(array.nbytes)

    def input(self, i=0):
        return memoryview(self._ins[i][1])

    def output(self, i=0):
        return memoryview(self._outs[i][1])

    def reset(self):
        self._it.reset()

    def invoke(self):
        like, raw = self._ins[0]
        self._it.set_input(np.frombuffer(raw, like.dtype).reshape(like.shape), 0)
        self._it.invoke()
        for i, (_, raw) in enumerate(self._outs):
            raw[:] = np.ascontiguousarray(self._it.get_output(i)).tobytes()
"""


@pytest.fixture(scope="module")
def spectrum(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The front end cut after its FFT, as the README's front_end.py writes it."""
    spec = importlib.util.spec_from_file_location("kws_front_end", EXAMPLE / "front_end.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not mod.SOURCE.exists():
        pytest.skip(f"{mod.SOURCE} not found")
    path = tmp_path_factory.mktemp("kws_stream") / "spectrum.tflite"
    path.write_bytes(mod.cut(mod.SOURCE.read_bytes()))
    return path


@pytest.fixture(scope="module")
def host_output(spectrum: Path) -> str:
    pytest.importorskip("tinyml._tinyml")
    return run_on_cpython(STREAM, {"spectrum.tflite": spectrum}, timeout=600)


def detections(out: str) -> list[tuple[float, str, int]]:
    found = re.findall(r"^DETECT (\d+\.\d+) s (\w+) (-?\d+)$", out, re.MULTILINE)
    return [(float(t), word, int(score)) for t, word, score in found]


def test_host_detects_each_keyword_once_after_its_clip(host_output: str) -> None:
    want = [(k + 1, word) for k, word in enumerate(CLIPS) if word in ("yes", "no")]
    got = detections(host_output)
    assert [word for _, word, _ in got] == [word for _, word in want], host_output
    for (t, _, score), (end, _) in zip(got, want):
        assert end - 0.5 <= t <= end + 0.5 and score >= 102, host_output
    assert "FRAMES 499" in host_output


def test_tflm_prints_the_same_detections(host_output: str, spectrum: Path) -> None:
    pytest.importorskip("tflite_micro")
    shim = spectrum.parent / "tinyml.py"
    shim.write_text(TFLM_SHIM)
    tflm = run_on_cpython(STREAM, {"spectrum.tflite": spectrum, "tinyml.py": shim}, timeout=900)
    assert tflm == host_output


def test_device_prints_the_host_detections(device, host_output: str, spectrum: Path) -> None:
    files = [spectrum, *declared_files(STREAM).values()]
    needed = ram_needed([f for f in files if f.suffix == ".tflite"]) + sum(
        f.stat().st_size for f in files if f.suffix == ".wav"
    )
    free = int(device.exec("import gc\ngc.collect()\nprint(gc.mem_free())"))
    if needed * 5 // 4 > free:
        pytest.skip(
            f"kws_stream: needs about {needed:,} bytes of heap, {device.target} has {free:,}"
        )
    out = run_on_device(device, STREAM, {"spectrum.tflite": spectrum}, timeout=900)
    assert out == host_output
