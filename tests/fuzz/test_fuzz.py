"""The engine survives corrupt models: fuzz_model.c under AddressSanitizer and
UndefinedBehaviorSanitizer.

- Every input in tests/fuzz/regressions/ (each once crashed the engine) now runs clean.
  This needs only a C compiler with the sanitizers, not libFuzzer.
- A short libFuzzer run (TINYML_FUZZ_SECONDS, default 60) from the real models, the
  generated Keras models and the regressions finds no crash, hang or leak of memory
  bounds. The corpus grows in build/fuzz/corpus across runs; crashes land in
  build/fuzz/artifacts/. See README.md for the longer run.
"""

import glob
import os
import shutil
import subprocess

import pytest
from engine_sources import engine_sources

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ENGINE = os.path.join(ROOT, "native_module", "engine")
OUT = os.path.join(ROOT, "build", "fuzz")
MODELS = os.environ.get("TINYML_MODELS") or os.path.join(ROOT, "..", "shared", "models")
REGRESSIONS = sorted(glob.glob(os.path.join(HERE, "regressions", "*")))

# Signed overflow is left out: a corrupt scale or zero point overflows the int32
# accumulators of every kernel (TFLite Micro's too). That gives garbage outputs, not
# memory errors, which ASan would still catch. Shifts, casts and bounds stay checked.
SANITIZE = [
    "-fsanitize=address,undefined",
    "-fno-sanitize=signed-integer-overflow",
    "-fno-sanitize-recover=all",
]
MAX_LEN = 65536
SECONDS = int(os.environ.get("TINYML_FUZZ_SECONDS", "60"))


def build(cc, flags, exe):
    cmd = [cc, "-std=c99", "-g", "-O1", *flags, "-I", ENGINE,
           os.path.join(HERE, "fuzz_model.c"), os.path.join(HERE, "model_fields.c"),
           *engine_sources(), "-o", exe]  # fmt: skip
    run = subprocess.run(cmd, check=False, capture_output=True, text=True)
    return run.returncode == 0, run.stderr


def sanitizer_env():
    return dict(
        os.environ,
        ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1",
    )


@pytest.mark.skipif(not REGRESSIONS, reason="no regression inputs")
def test_regression_inputs_run_clean(tmp_path):
    """Each input that once crashed the engine now loads, runs or fails cleanly."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip(f"needs a C compiler ({cc})")
    exe = str(tmp_path / "fuzz_model_main")
    ok, err = build(cc, [*SANITIZE, "-DFUZZ_MAIN"], exe)
    if not ok and "sanitize" in err:
        pytest.skip(f"{cc} has no ASan/UBSan: {err.strip()[:200]}")
    assert ok, err
    for path in REGRESSIONS:
        run = subprocess.run(
            [exe, path], check=False, capture_output=True, text=True, env=sanitizer_env(),
            timeout=60,
        )  # fmt: skip
        assert run.returncode == 0, f"{os.path.basename(path)}:\n{run.stderr[-3000:]}"


# What each regression input must give, besides running clean under the sanitizers: the
# engine's refusal at load (README "Errors": ValueError for a corrupt model) with this
# message, or None for a model that loads and runs. A new regression input needs its line.
EXPECTED = {
    "act_range_tiny_scale.tflite": "tensor 7 has an invalid quantization scale",
    "fc_output_scale_tiny.tflite": None,
    "mean_negative_scale.tflite": "tensor 20 has an invalid quantization scale",
    "resize_nearest_empty_input.tflite": "op 4 RESIZE_NEAREST_NEIGHBOR: empty input image",
    "signal_filter_bank_table_in_arena.tflite": (
        "op 9 SignalFilterBank: filter bank tables must be constant int16"
    ),
}


def test_regression_inputs_give_their_expected_status():
    """Each regression input is refused with its own message (or runs), on the CPython face
    of the same engine: a fix that turned a crash into a different failure shows here."""
    _tinyml = pytest.importorskip("tinyml._tinyml")
    assert sorted(EXPECTED) == [os.path.basename(p) for p in REGRESSIONS]
    for path in REGRESSIONS:
        with open(path, "rb") as f:
            data = f.read()
        message = EXPECTED[os.path.basename(path)]
        if message is None:
            _tinyml.Model(data).invoke()
            continue
        with pytest.raises(ValueError) as e:
            _tinyml.Model(data)
        assert str(e.value) == message, os.path.basename(path)


def external_buffers(data: bytes) -> bytes:
    """The same model with each constant's bytes after the flatbuffer, found through the
    buffer's 64-bit offset and size fields (the layout of models over 2 GB), so that the
    field mutations reach the code that reads them."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    blobs = []
    for buffer in model.buffers:
        if buffer.data is not None and len(buffer.data) > 0:
            blobs.append((buffer, bytes(bytearray(buffer.data))))
            buffer.data = None
            buffer.offset = buffer.size = 1  # placeholders of the final width

    def pack() -> bytes:
        builder = flatbuffers.Builder(1024)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())

    start = (len(pack()) + 15) & ~15
    tail = b""
    for buffer, blob in blobs:
        buffer.offset, buffer.size = start + len(tail), len(blob)
        tail += blob + bytes(-len(blob) % 16)
    head = pack()
    return head + bytes(start - len(head)) + tail


def seed_corpus(corpus):
    """Writes the seeds (small real models and their external-buffer variants, generated
    Keras models, regressions) into the corpus directory; libFuzzer adds what it finds
    beside them."""
    os.makedirs(corpus, exist_ok=True)
    seeds = glob.glob(os.path.join(MODELS, "**", "*.tflite"), recursive=True)
    seeds += glob.glob(os.path.join(ROOT, "build", "testmodels", "*.tflite"))
    seeds += REGRESSIONS
    for path in seeds:
        if os.path.getsize(path) > MAX_LEN:
            continue
        name = os.path.basename(os.path.dirname(path)) + "-" + os.path.basename(path)
        with open(path, "rb") as f:
            data = f.read()
        variants = {name: data}
        if path.startswith(MODELS):
            variants["external-" + name] = external_buffers(data)
        for seed_name, seed in variants.items():
            if len(seed) <= MAX_LEN:
                with open(os.path.join(corpus, seed_name), "wb") as f:
                    f.write(seed)
    return len(os.listdir(corpus))


@pytest.mark.skipif(shutil.which("clang") is None, reason="needs clang with libFuzzer")
def test_short_fuzz_run_finds_nothing():
    """TINYML_FUZZ_SECONDS of libFuzzer over load, arena sizing, init and invoke: no
    sanitizer report, no crash, no input slower than 10 s, and tml_init agrees with
    tml_arena_size on every model it accepts."""
    os.makedirs(OUT, exist_ok=True)
    exe = os.path.join(OUT, "fuzz_model")
    ok, err = build("clang", ["-fsanitize=fuzzer", *SANITIZE], exe)
    if not ok and ("libclang_rt" in err or "fuzzer" in err):
        pytest.skip(f"clang has no libFuzzer (Debian: libclang-rt-14-dev): {err[:300]}")
    assert ok, err
    corpus = os.path.join(OUT, "corpus")
    artifacts = os.path.join(OUT, "artifacts") + os.sep
    os.makedirs(artifacts, exist_ok=True)
    seed_corpus(corpus)
    log = os.path.join(OUT, "fuzz.log")
    # A fixed seed makes the CI run explore the same inputs each time, so a red run is
    # reproducible; the longer runs in README.md use random seeds.
    cmd = [exe, "-seed=1", f"-max_total_time={SECONDS}", "-timeout=10", "-rss_limit_mb=2048",
           f"-max_len={MAX_LEN}", f"-artifact_prefix={artifacts}", "-print_final_stats=1",
           corpus]  # fmt: skip
    with open(log, "w") as f:
        run = subprocess.run(
            cmd, check=False, stdout=f, stderr=subprocess.STDOUT, env=sanitizer_env(),
            timeout=SECONDS + 300,
        )  # fmt: skip
    with open(log) as f:
        tail = f.read()[-4000:]
    assert run.returncode == 0, (
        f"libFuzzer found a problem (exit {run.returncode}); the input is in "
        f"{artifacts}, add it to tests/fuzz/regressions/ with the fix:\n{tail}"
    )
