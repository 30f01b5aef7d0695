"""TFLM's Signal custom ops (the micro_speech audio front end) on our engine against TFLM.

audio_preprocessor_int8.tflite (and _float) is TFLM's own front end as a model: window,
FFT auto-scale, int16 RFFT, energy, mel filter bank, square root, spectral subtraction
(a noise estimate kept across invokes), PCAN and log, then int32 arithmetic to int8
features. Each invoke takes 480 samples (30 ms at 16 kHz) and gives 40 features; a clip is
fed in windows at a 20 ms (320-sample) stride with the state carried from frame to frame.

Claims:
- every feature frame of every sample WAV equals TFLM's, byte for byte, for both models;
- so do frames of loud, clipped and random audio (FFT overflow corners), over 60 frames;
- the state lives in the model: frames depend on what came before, and a new model (a
  re-init) starts from zero noise estimate again, as a new TFLM interpreter does;
- the single-window 30 ms clips give TFLM's features.
"""

import os
import wave

import numpy as np
import pytest

_tinyml = pytest.importorskip("tinyml._tinyml")
runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.environ.get("TINYML_MODELS") or os.path.join(ROOT, "..", "shared", "models")
TFLM_DIR = os.path.join(MODELS, "tflite-micro")

WINDOW = 480  # samples per invoke (30 ms at 16 kHz)
STRIDE = 320  # 20 ms
CLIPS = ("yes", "no", "silence", "noise")
PREPROCESSORS = ("audio_preprocessor_int8", "audio_preprocessor_float")


def read_model(name):
    path = os.path.join(TFLM_DIR, name + ".tflite")
    if not os.path.exists(path):
        pytest.skip(f"{path} not found (set TINYML_MODELS)")
    with open(path, "rb") as f:
        return f.read()


def wav_int16(name):
    path = os.path.join(TFLM_DIR, name + ".wav")
    if not os.path.exists(path):
        pytest.skip(f"{path} not found")
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def windows(audio):
    return [audio[s : s + WINDOW] for s in range(0, len(audio) - WINDOW + 1, STRIDE)]


class Front:
    """One preprocessor on our engine and on TFLM, invoked in step."""

    def __init__(self, name):
        data = read_model(name)
        self.ours = _tinyml.Model(data)
        self.ref = runtime.Interpreter.from_bytes(data)

    def ours_frame(self, x):
        view = self.ours.input(0)
        raw = np.ascontiguousarray(x, dtype="<i2").tobytes()
        assert len(view) == len(raw)
        view[:] = raw
        self.ours.invoke()
        return bytes(self.ours.output(0))

    def ref_frame(self, x):
        self.ref.set_input(np.asarray(x, dtype=np.int16).reshape(1, WINDOW), 0)
        self.ref.invoke()
        return np.ascontiguousarray(self.ref.get_output(0)).tobytes()


def assert_frames_equal(front, frames, what):
    for k, x in enumerate(frames):
        ref = front.ref_frame(x)
        got = front.ours_frame(x)
        assert got == ref, f"{what}: frame {k} differs from TFLM's"


@pytest.mark.parametrize("model", PREPROCESSORS)
@pytest.mark.parametrize("clip", CLIPS)
def test_clip_features_equal_tflm(model, clip):
    """Every 30 ms window of the 1 s clip, state carried, gives TFLM's bytes."""
    audio = wav_int16(f"{clip}_1000ms")
    frames = windows(audio)
    assert len(frames) == 49
    assert_frames_equal(Front(model), frames, f"{model} on {clip}_1000ms.wav")


@pytest.mark.parametrize("model", PREPROCESSORS)
def test_loud_and_random_audio_equals_tflm(model):
    """Full-scale noise, clipped square waves, int16 extremes and near-silence keep
    every stage (auto-scale, RFFT rounding, 64-bit sums, PCAN) identical."""
    rng = np.random.default_rng(7)
    t = np.arange(WINDOW)
    frames = []
    for k in range(60):
        kind = k % 6
        if kind == 0:
            x = rng.integers(-32768, 32767, WINDOW, endpoint=True)
        elif kind == 1:
            x = np.where(np.sin(2 * np.pi * (k + 3) * t / WINDOW) >= 0, 32767, -32768)
        elif kind == 2:
            x = np.full(WINDOW, -32768 if k % 4 else 32767)
        elif kind == 3:
            x = rng.integers(-3, 3, WINDOW, endpoint=True)
        elif kind == 4:
            x = 20000 * np.sin(2 * np.pi * (50 + 97 * k) * t / 16000)
        else:
            x = np.zeros(WINDOW)
        frames.append(np.asarray(x).astype(np.int16))
    assert_frames_equal(Front(model), frames, f"{model} on synthetic audio")


def test_state_carries_and_a_new_model_starts_afresh():
    """The noise estimate is per-model state: the same window gives different features
    after other audio, and a new model repeats the first run exactly."""
    data = read_model("audio_preprocessor_int8")
    frames = windows(wav_int16("yes_1000ms"))

    def run(m):
        out = []
        for x in frames:
            m.input(0)[:] = x.astype("<i2").tobytes()
            m.invoke()
            out.append(bytes(m.output(0)))
        return out

    m = _tinyml.Model(data)
    first = run(m)
    again = run(m)  # same model, state carried over from the first pass
    assert again != first
    assert run(_tinyml.Model(data)) == first


@pytest.mark.parametrize("clip", ("yes_30ms", "no_30ms"))
def test_single_window_clips(clip):
    """The one-window sample clips give TFLM's 40 features from a fresh state."""
    audio = wav_int16(clip)
    assert len(audio) == WINDOW
    front = Front("audio_preprocessor_int8")
    ref = front.ref_frame(audio)
    assert front.ours_frame(audio) == ref
    assert len(ref) == 40


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        ("SignalRfft", "SignalRfft: output must be int16"),
        ("SignalEnergy", "SignalEnergy: output must be uint32"),
        ("SignalFilterBank", "SignalFilterBank: output must be uint64"),
    ],
)
def test_output_of_another_type_is_a_bad_model(custom, message):
    """An op's output retyped to one its kernel does not write (float32) is refused at load,
    naming the type the op writes."""
    from tensorflow.lite.tools import flatbuffer_utils

    m = flatbuffer_utils.convert_bytearray_to_object(read_model("audio_preprocessor_int8"))
    sg = m.subgraphs[0]
    codes = [c.customCode for c in m.operatorCodes]
    op = next(o for o in sg.operators if codes[o.opcodeIndex] in (custom, custom.encode()))
    sg.tensors[op.outputs[0]].type = 0  # FLOAT32
    with pytest.raises(ValueError, match=message):
        _tinyml.Model(bytes(flatbuffer_utils.convert_object_to_bytearray(m)))
