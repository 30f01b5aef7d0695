"""Every reference model in ../shared/models, run by the engine and by TFLite Micro.

Claims:
- int8 models (int8 arithmetic inside, whatever the I/O type) give the same output bytes
  as TFLite Micro's reference interpreter on many random inputs and on the real sample
  inputs that SOURCES.md names (person.bmp, no_person.bmp, the AD .bin windows, the
  micro_speech WAV clips through TFLM's own audio front end, OpenMV's test photos);
- float32 models agree within 1e-5 of each output's range;
- models with state (SVDF, LSTM) stay bit-exact invoke after invoke, layer by layer, and
  reset() restarts them as a fresh TFLite Micro interpreter; the MNIST LSTM gives TFLM's
  digits for sample0..9.png;
- the hybrid KWS model fails to load with an error that names what is missing;
- every .tflite in the directory is in one of these lists.

The models live outside the repository: ../shared/models beside the checkout, or
$TINYML_MODELS. Tests are skipped when that directory, TensorFlow Lite Micro or the
engine face is missing; a model the engine cannot yet run fails, it is never skipped.
"""

import os
import re
import struct
import wave

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.environ.get("TINYML_MODELS") or os.path.join(ROOT, "..", "shared", "models")

# int8 arithmetic inside: outputs must be identical, byte for byte.
# name: number of random inputs (fewer for the large models, which take ~1 s per invoke).
BIT_EXACT = {
    "mlcommons-tiny/ad01_int8": 50,
    "mlcommons-tiny/kws_ref_model": 50,
    "mlcommons-tiny/pretrainedResnet_quant": 30,
    "mlcommons-tiny/vww_96_int8": 20,
    # TFLM's audio front end (Signal custom ops, stateful): integer arithmetic throughout,
    # the float model only scales the last step, so both are byte for byte.
    "tflite-micro/audio_preprocessor_float": 50,
    "tflite-micro/audio_preprocessor_int8": 50,
    "openmv/face_landmarks_192": 6,
    "openmv/force_int_quant": 50,
    "openmv/hand_landmarks_full_224": 3,
    "openmv/movenet_singlepose_192": 3,
    "openmv/palm_detection_full_192": 3,
    "tflite-micro/hello_world_int8": 50,
    # UNIDIRECTIONAL_SEQUENCE_LSTM (int16 cell state); the hidden and cell state carry over
    # from each random input to the next in both interpreters.
    "tflite-micro/dtln_noise_suppression": 50,
    "tflite-micro/micro_speech_lstm": 20,
    "tflite-micro/trained_lstm_int8": 50,
    # Seven SVDFs with int8 state: each random input continues the stream of the ones
    # before it, in both interpreters.
    "tflite-micro/keyword_scrambled_8bit": 50,
    "tflite-micro/micro_speech_quantized": 50,
    "tflite-micro/person_detect": 20,
    "tflite-micro/simple_add_model": 20,
}

# float32 all through: within FLOAT_RTOL of the output's range.
FLOAT = {
    "mlcommons-tiny/ad01_fp32": 30,
    "mlcommons-tiny/pretrainedResnet": 20,
    "mlcommons-tiny/vww_96_float": 10,
    "tflite-micro/hello_world_float": 50,
}
FLOAT_RTOL = 1e-5

# Dynamic-range (hybrid) model: int8 CONV_2D weights with float32 activations.
# TFLite Micro refuses it too.
HYBRID = {"mlcommons-tiny/kws_ref_model_float32": r"CONV_2D: .*(hybrid|float32 input)"}

# What the engine raises for an unsupported model (README "Errors").
REFUSED = NotImplementedError


def model_path(name):
    return os.path.join(MODELS, name + ".tflite")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def need_models():
    if not os.path.isdir(MODELS):
        pytest.skip(f"reference models not found at {MODELS} (set TINYML_MODELS)")


def tflm():
    return pytest.importorskip("tflite_micro.python.tflite_micro.runtime")


def engine():
    return pytest.importorskip("tinyml._tinyml")


class Pair:
    """One model loaded in TFLite Micro and in the engine, run on the same inputs."""

    def __init__(self, data):
        # The Python runtime's default arena (10x the model) is too small for
        # simple_add_model's 32 KB activations; TFLM's own arena use is reported apart.
        self.ref = tflm().Interpreter.from_bytes(data, arena_size=max(10 * len(data), 8 << 20))
        self.ins = self._details(self.ref.get_input_details)
        self.outs = self._details(self.ref.get_output_details)
        self.eng = engine().Model(data)

    @staticmethod
    def _details(get):
        out = []
        while True:
            try:
                d = get(len(out))
            except (IndexError, RuntimeError, ValueError):
                return out
            if not d:
                return out
            out.append((tuple(int(n) for n in d["shape"]), np.dtype(d["dtype"])))

    def random_inputs(self, rng):
        xs = []
        for shape, dtype in self.ins:
            if dtype.kind == "f":
                xs.append(rng.uniform(-1.0, 1.0, shape).astype(dtype))
            else:
                info = np.iinfo(dtype)
                xs.append(rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype))
        return xs

    def run_ref(self, xs):
        for i, x in enumerate(xs):
            self.ref.set_input(np.ascontiguousarray(x).reshape(self.ins[i][0]), i)
        self.ref.invoke()
        return [np.array(self.ref.get_output(i)) for i in range(len(self.outs))]

    def run_engine(self, xs):
        for i, x in enumerate(xs):
            raw = np.ascontiguousarray(x, dtype=self.ins[i][1]).tobytes()
            view = self.eng.input(i)
            assert len(view) == len(raw), (
                f"input {i}: engine has {len(view)} bytes, TFLM {len(raw)}"
            )
            view[:] = raw
        self.eng.invoke()
        got = []
        for i, (shape, dtype) in enumerate(self.outs):
            raw = bytes(self.eng.output(i))
            want = int(np.prod(shape)) * dtype.itemsize
            assert len(raw) == want, f"output {i}: engine has {len(raw)} bytes, TFLM {want}"
            got.append(np.frombuffer(raw, dtype=dtype).reshape(shape))
        return got

    def run_both(self, xs):
        return self.run_ref(xs), self.run_engine(xs)


_pairs = {}


def pair(name):
    """The model's Pair, built once per test session (TFLM set-up is not free)."""
    need_models()
    if name not in _pairs:
        _pairs[name] = Pair(read(model_path(name)))
    return _pairs[name]


def assert_identical(ref, got, what):
    for i, (r, g) in enumerate(zip(ref, got)):
        if r.tobytes() != g.tobytes():
            diff = np.flatnonzero(r.view(np.uint8) != g.view(np.uint8)) // r.itemsize
            k = int(diff[0])
            delta = np.abs(r.astype(np.float64) - g.astype(np.float64))
            pytest.fail(
                f"{what}: output {i}: {np.count_nonzero(delta)} of {r.size} values differ "
                f"(max {delta.max():g}); first at flat index {k}: engine {g.flat[k]}, "
                f"TFLM {r.flat[k]}"
            )


# ---- int8 models ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BIT_EXACT))
def test_int8_model_is_bit_exact_on_random_inputs(name):
    """Output bytes equal TFLite Micro's for every random input (ints over the full range,
    floats in [-1, 1))."""
    p = pair(name)
    rng = np.random.default_rng(1234)
    for k in range(BIT_EXACT[name]):
        xs = p.random_inputs(rng)
        ref, got = p.run_both(xs)
        assert_identical(ref, got, f"{name} random input {k}")


# Models with variable tensors (state carried from one invoke to the next), and whether
# that state shows in the outputs: keyword_scrambled_8bit's random weights saturate every
# SVDF output, so its history is invisible there (tests/engine/test_svdf.py shows it).
STATEFUL = {
    "tflite-micro/keyword_scrambled_8bit": False,
    "tflite-micro/dtln_noise_suppression": True,
    "tflite-micro/micro_speech_lstm": True,
    "tflite-micro/trained_lstm_int8": True,
}


def with_every_op_output(data):
    """The model with the output of every op added to the graph outputs, so a comparison
    sees each layer (keyword_scrambled_8bit's own output saturates on its random weights)."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    m = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    g = m.subgraphs[0]
    outs = [int(t) for t in g.outputs]
    for op in g.operators:
        outs += [int(t) for t in op.outputs if int(t) not in outs]
    g.outputs = outs
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_stateful_model_is_bit_exact_layer_by_layer(name):
    """With every op's output exposed, a stream of random inputs gives TFLite Micro's bytes
    at every layer, invoke after invoke."""
    need_models()
    p = Pair(with_every_op_output(read(model_path(name))))
    rng = np.random.default_rng(7)
    for k in range(10):
        ref, got = p.run_both(p.random_inputs(rng))
        assert_identical(ref, got, f"{name} (every layer) input {k}")


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_stateful_model_reset_replays_like_a_fresh_tflm(name):
    """After reset() the engine gives a fresh TFLite Micro interpreter's outputs for the same
    stream of inputs, and (where the state shows) without it the history changes them."""
    need_models()
    data = with_every_op_output(read(model_path(name)))
    fresh = Pair(data)
    eng = engine().Model(data)
    rng = np.random.default_rng(99)
    stream = [fresh.random_inputs(rng) for _ in range(8)]
    fresh.eng = eng
    first = [fresh.run_engine(xs) for xs in stream]
    eng.reset()
    ref = [fresh.run_ref(xs) for xs in stream]
    again = [fresh.run_engine(xs) for xs in stream]
    for k, (r, g) in enumerate(zip(ref, again)):
        assert_identical(r, g, f"{name} after reset, input {k}")
    flat = [[o.tobytes() for o in outs] for outs in first]
    assert flat == [[o.tobytes() for o in outs] for outs in again]
    if STATEFUL[name]:
        # The same stream once more without reset starts from another state.
        more = [[o.tobytes() for o in outs] for outs in (fresh.run_engine(xs) for xs in stream)]
        assert more != flat


def png_gray(path):
    """Pixels of an 8-bit grayscale, non-interlaced PNG (the MNIST samples), row by row."""
    import zlib

    data = read(path)
    w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    assert (depth, color, interlace) == (8, 0, 0), "only 8-bit grayscale PNGs"
    idat, at = b"", 8
    while at < len(data):
        (n,) = struct.unpack_from(">I", data, at)
        if data[at + 4 : at + 8] == b"IDAT":
            idat += data[at + 8 : at + 8 + n]
        at += 12 + n
    raw = zlib.decompress(idat)
    rows, prev = [], bytes(w)
    for y in range(h):
        kind, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1 : (y + 1) * (w + 1)])
        for x in range(w):
            a = line[x - 1] if x else 0
            b, c = prev[x], prev[x - 1] if x else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return np.frombuffer(b"".join(rows), np.uint8).reshape(h, w)


# trained_lstm_int8 on sample0..9.png from a fresh state. SOURCES.md reports a 3 for
# sample9: that is what one interpreter says after the other nine samples, whose state it
# carries over (checked below).
MNIST_DIGITS = list(range(10))
MNIST_DIGITS_CARRIED = [0, 1, 2, 3, 4, 5, 6, 7, 8, 3]


def test_mnist_lstm_sample_digits():
    """Each sampleN.png, quantized as pixel - 128 (scale 1/255, zero point -128), gives
    TFLM's digit on a fresh state (reset() between samples) with TFLM's exact scores; run
    back to back without reset, the scores still equal TFLM's as the state carries over
    (and the 9 then reads as a 3)."""
    need_models()
    data = read(model_path("tflite-micro/trained_lstm_int8"))
    samples = [
        (png_gray(os.path.join(MODELS, "tflite-micro", f"sample{n}.png")).astype(np.int16) - 128)
        .astype(np.int8)
        .reshape(1, 28, 28)
        for n in range(10)
    ]
    eng = engine().Model(data)
    digits = []
    for n, x in enumerate(samples):
        fresh = Pair(data)
        fresh.eng = eng
        eng.reset()
        ref, got = fresh.run_both([x])
        assert_identical(ref, got, f"sample{n}.png")
        digits.append(int(np.argmax(got[0])))
    assert digits == MNIST_DIGITS
    # Back to back, one interpreter each: the state carried from sample to sample.
    p = Pair(data)
    carried = [p.run_both([x]) for x in samples]
    for n, (ref, got) in enumerate(carried):
        assert_identical(ref, got, f"sample{n}.png after sample{n - 1}.png")
    assert [int(np.argmax(got[0])) for _, got in carried] == MNIST_DIGITS_CARRIED


def bmp_gray(path):
    """Pixels of an 8-bit palette BMP, top row first, as TFLM's person test reads them."""
    data = read(path)
    (off,) = struct.unpack_from("<I", data, 10)
    w, h = struct.unpack_from("<ii", data, 18)
    (bpp,) = struct.unpack_from("<H", data, 28)
    assert bpp == 8
    stride = (w + 3) & ~3
    rows = np.frombuffer(data, np.uint8, stride * abs(h), off).reshape(abs(h), stride)[:, :w]
    return rows[::-1] if h > 0 else rows


@pytest.mark.parametrize("image, expected", [("person", [-113, 113]), ("no_person", [57, -57])])
def test_person_detect_sample_images(image, expected):
    """The TFLM sample images (raw pixel bytes reinterpreted as int8) score as in TFLM's
    own test, bit for bit ([no_person, person])."""
    p = pair("tflite-micro/person_detect")
    px = bmp_gray(os.path.join(MODELS, "tflite-micro", image + ".bmp"))
    x = px.view(np.int8).reshape(p.ins[0][0])
    ref, got = p.run_both([x])
    assert ref[0].ravel().tolist() == expected, "TFLM itself disagrees: input convention?"
    assert_identical(ref, got, f"person_detect on {image}.bmp")


def bmp_rgb565(path):
    """An OpenMV test image (16-bit BI_BITFIELDS RGB565 BMP) as uint8 [h, w, 3], top row
    first."""
    data = read(path)
    (off,) = struct.unpack_from("<I", data, 10)
    w, h = struct.unpack_from("<ii", data, 18)
    bpp, comp = struct.unpack_from("<HI", data, 28)
    assert (bpp, comp) == (16, 3)
    stride = (2 * w + 3) & ~3
    raw = np.frombuffer(data, np.uint8, stride * abs(h), off).reshape(abs(h), stride)
    px = raw[:, : 2 * w].copy().view("<u2").astype(np.uint32)
    r, g, b = (px >> 11) & 31, (px >> 5) & 63, px & 31
    rgb = np.stack([(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)], -1)
    rgb = rgb.astype(np.uint8)
    return rgb[::-1] if h > 0 else rgb


def fit(img, size):
    """Centre square crop, nearest-neighbour resize to size x size."""
    h, w = img.shape[:2]
    n = min(h, w)
    img = img[(h - n) // 2 : (h - n) // 2 + n, (w - n) // 2 : (w - n) // 2 + n]
    idx = (np.arange(size) * n) // size
    return img[idx][:, idx]


# OpenMV's unit-test images through the models OpenMV runs them with.
OPENMV_SAMPLES = [
    ("openmv/face_landmarks_192", "faces"),
    ("openmv/hand_landmarks_full_224", "hand"),
    ("openmv/palm_detection_full_192", "hand"),
    ("openmv/movenet_singlepose_192", "person"),
    ("tflite-micro/person_detect", "person"),
]


@pytest.mark.parametrize("name, image", OPENMV_SAMPLES)
def test_openmv_sample_images(name, image):
    """A real photo (OpenMV's test images, cropped and resized; float inputs in [0, 1],
    uint8 as is, int8 as pixel - 128, grayscale for person_detect) gives TFLM's output
    bytes."""
    p = pair(name)
    shape, dtype = p.ins[0]
    img = fit(bmp_rgb565(os.path.join(MODELS, "openmv", image + ".bmp")), shape[1])
    if shape[-1] == 1:
        img = (img.astype(np.uint32) @ np.array([77, 150, 29]) >> 8)[..., None]
    if dtype == np.float32:
        x = img.astype(np.float32) / 255.0
    elif dtype == np.int8:
        x = (img.astype(np.int16) - 128).astype(np.int8)
    else:
        x = img.astype(dtype)
    ref, got = p.run_both([x.reshape(shape)])
    assert_identical(ref, got, f"{name} on {image}.bmp")


def ad_windows():
    raw = np.fromfile(
        os.path.join(MODELS, "mlcommons-tiny", "normal_id_01_00000000_hist_librosa.bin"), "<f4"
    )
    return [raw[i : i + 640] for i in range(0, raw.size - 640 + 1, 128)]


def test_ad01_int8_sample_windows():
    """All 196 AD windows of the real ToyADMOS clip are bit-exact, and the mean
    reconstruction error is TFLM's 10.2645 (SOURCES.md)."""
    p = pair("mlcommons-tiny/ad01_int8")
    rd = p.ref.get_input_details(0)["quantization_parameters"]
    od = p.ref.get_output_details(0)["quantization_parameters"]
    s_in, z_in = float(rd["scales"][0]), int(rd["zero_points"][0])
    s_out, z_out = float(od["scales"][0]), int(od["zero_points"][0])
    windows = ad_windows()
    assert len(windows) == 196
    errors = []
    for k, w in enumerate(windows):
        q = np.clip(np.round(w / s_in) + z_in, -128, 127).astype(np.int8).reshape(1, 640)
        ref, got = p.run_both([q])
        assert_identical(ref, got, f"ad01_int8 window {k}")
        y = (got[0].astype(np.float32) - z_out) * s_out
        errors.append(float(np.mean((y.ravel() - w) ** 2)))
    assert abs(np.mean(errors) - 10.2645) < 1e-3


def test_ad01_fp32_sample_windows():
    """The float AD model agrees with TFLM on every real window."""
    p = pair("mlcommons-tiny/ad01_fp32")
    refs, gots = [], []
    for w in ad_windows():
        ref, got = p.run_both([w.reshape(1, 640)])
        refs.append(ref[0])
        gots.append(got[0])
    assert_close(np.stack(refs), np.stack(gots), "ad01_fp32 on the sample windows")


def test_force_int_quant_openmv_oracle():
    """OpenMV's regression input gives 53.78332, bit-exact with TFLM."""
    p = pair("openmv/force_int_quant")
    x = "-3 -1 -2 5 -2 10 -1 9 0 2 0 9 1 10 2 -1 3 5 3 9 3 9 6 2 6 7 5 10 6 -1 7 4 7 8 5 7"
    x = np.array(x.split(), np.float32).reshape(1, 36)
    ref, got = p.run_both([x])
    assert_identical(ref, got, "force_int_quant")
    assert abs(float(got[0].ravel()[0]) - 53.78332) < 1e-4


@pytest.mark.parametrize("x, expected", [(0, 4), (1, 104), (3, 18), (5, -112)])
def test_hello_world_int8_known_points(x, expected):
    """sin(x) through the int8 sine model: the values listed in SOURCES.md."""
    p = pair("tflite-micro/hello_world_int8")
    q = np.array([[round(x / 0.0244801) - 128]], np.int8)
    ref, got = p.run_both([q])
    assert_identical(ref, got, f"hello_world_int8 x={x}")
    assert int(got[0].ravel()[0]) == expected


def wav_int16(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2
        a = np.frombuffer(w.readframes(w.getnframes()), "<i2")
        return a.reshape(-1, w.getnchannels())[:, 0]


@pytest.mark.parametrize(
    "clip, expected",
    [
        ("yes", [-128, -128, 127, -128]),
        ("no", [-128, -114, -128, 114]),
        ("silence", [-42, -68, -68, -78]),
        ("noise", [120, -125, -126, -125]),
    ],
)
def test_micro_speech_sample_clips(clip, expected):
    """Features from TFLM's own audio front end (Signal ops, not ours) for each 1 s clip
    give the SOURCES.md scores on the engine, bit-exact with TFLM."""
    rt = tflm()
    need_models()
    pre = rt.Interpreter.from_bytes(
        read(os.path.join(MODELS, "tflite-micro", "audio_preprocessor_int8.tflite"))
    )
    audio = wav_int16(os.path.join(MODELS, "tflite-micro", f"{clip}_1000ms.wav"))
    feats = []
    for k in range(49):
        pre.set_input(audio[k * 320 : k * 320 + 480].reshape(1, 480), 0)
        pre.invoke()
        feats.append(np.array(pre.get_output(0)).ravel())
    x = np.concatenate(feats).astype(np.int8).reshape(1, 1960)
    p = pair("tflite-micro/micro_speech_quantized")
    ref, got = p.run_both([x])
    assert ref[0].ravel().tolist() == expected
    assert_identical(ref, got, f"micro_speech on {clip}_1000ms.wav")


# ---- float32 models ------------------------------------------------------------------------


def assert_close(ref, got, what):
    """got within FLOAT_RTOL of ref's range (over every run stacked in ref)."""
    ref = ref.astype(np.float64)
    span = float(ref.max() - ref.min())
    tol = FLOAT_RTOL * (span if span > 0 else max(float(np.abs(ref).max()), 1e-30))
    err = np.abs(ref - got)
    k = int(np.argmax(err))
    assert err.flat[k] <= tol, (
        f"{what}: max error {err.flat[k]:g} > {tol:g} (1e-5 of range {span:g}) at flat index "
        f"{k}: engine {got.flat[k]!r}, TFLM {ref.flat[k]!r}"
    )


@pytest.mark.parametrize("name", sorted(FLOAT))
def test_float32_model_matches_on_random_inputs(name):
    """Every output is within 1e-5 of its range (over all runs) of TFLM's."""
    p = pair(name)
    rng = np.random.default_rng(1234)
    runs = [p.run_both(p.random_inputs(rng)) for _ in range(FLOAT[name])]
    for i in range(len(p.outs)):
        ref = np.stack([r[i] for r, _ in runs])
        got = np.stack([g[i] for _, g in runs])
        assert_close(ref, got, f"{name} output {i}")


# ---- refused models --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HYBRID))
def test_hybrid_model_is_refused_clearly(name):
    """A dynamic-range model (int8 weights, float32 activations) is refused at load with
    a message naming the op and the hybrid types, as TFLM refuses it."""
    need_models()
    with pytest.raises(REFUSED) as e:
        engine().Model(read(model_path(name)))
    assert re.search(HYBRID[name], str(e.value)), str(e.value)


def test_every_model_is_classified():
    """Each .tflite under the models directory is in exactly one list above, so a new
    model is tested rather than silently ignored."""
    need_models()
    found = set()
    for d, _, files in os.walk(MODELS):
        for f in files:
            if f.endswith(".tflite"):
                found.add(os.path.relpath(os.path.join(d, f), MODELS)[: -len(".tflite")])
    lists = [BIT_EXACT, FLOAT, HYBRID]
    known = [n for lst in lists for n in lst]
    assert len(known) == len(set(known)), "a model is in two lists"
    assert found == set(known)
