"""The engine survives corrupt models and the DSP library any arguments: the libFuzzer targets
of fuzz.py under AddressSanitizer and UndefinedBehaviorSanitizer.

- Every input in tests/fuzz/regressions/ (each once crashed or hung a target) now ends with
  exactly the status and message in its .expected twin. This needs only a C compiler with the
  sanitizers, not libFuzzer.
- A short libFuzzer run of each target (``model`` for TINYML_FUZZ_SECONDS, default 60;
  ``model_big``, ``dsp`` and ``face`` for a quarter of that) from the repository corpus and the
  seeds finds no crash, hang, sanitizer report or undocumented exception. The corpus grows in build/fuzz/corpus-TARGET across runs;
  findings land in build/fuzz/artifacts/. See README.md for the long campaigns.
"""

import glob
import os
import shutil
import subprocess

import fuzz
import pytest

REGRESSIONS = sorted(glob.glob(os.path.join(fuzz.REGRESSIONS, "*.tflite")))
REGRESSIONS += sorted(glob.glob(os.path.join(fuzz.REGRESSIONS, "*.dsp")))
SECONDS = int(os.environ.get("TINYML_FUZZ_SECONDS", "60"))
HARNESS = {".tflite": "fuzz_model", ".dsp": "fuzz_dsp"}


@pytest.fixture(scope="module")
def harnesses(tmp_path_factory):
    """The FUZZ_MAIN builds of both harnesses: {harness: executable}."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip(f"needs a C compiler ({cc})")
    out = tmp_path_factory.mktemp("fuzz-main")
    exes = {}
    for harness in sorted(set(HARNESS.values())):
        exe = str(out / harness)
        ok, err = fuzz.build(harness, cc, False, exe)
        if not ok and "sanitize" in err:
            pytest.skip(f"{cc} has no ASan/UBSan: {err.strip()[:200]}")
        assert ok, err
        exes[harness] = exe
    return exes


def test_every_regression_has_its_expected_result():
    expected = sorted(glob.glob(os.path.join(fuzz.REGRESSIONS, "*.expected")))
    assert sorted(p + ".expected" for p in REGRESSIONS) == expected


@pytest.mark.parametrize("path", REGRESSIONS, ids=os.path.basename)
def test_regression_gives_its_expected_status(path, harnesses):
    """An input that once crashed a target now fails (or runs) exactly as its .expected says:
    which step refused it, with which status and message."""
    harness = HARNESS[os.path.splitext(path)[1]]
    run = subprocess.run(
        [harnesses[harness], path], check=False, capture_output=True, text=True,
        env=fuzz.sanitizer_env(), timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, f"{os.path.basename(path)}:\n{run.stderr[-3000:]}"
    with open(path + ".expected") as f:
        assert run.stdout == f.read()


@pytest.mark.skipif(shutil.which("clang") is None, reason="needs clang with libFuzzer")
@pytest.mark.parametrize(
    ("target", "seconds"),
    [
        ("model", SECONDS),
        ("model_big", SECONDS // 4),
        ("dsp", SECONDS // 4),
        ("face", SECONDS // 4),
    ],
)
def test_short_fuzz_run_finds_nothing(target, seconds):
    """A few seconds of libFuzzer: no sanitizer report, no crash, no input slower than 30 s,
    tml_init agrees with tml_arena_size on every model it accepts, no DSP error message is
    empty, and the CPython face raises only the errors it documents."""
    if target == "model_big" and not fuzz.seed_models(*fuzz.TARGETS[target][5]):
        pytest.skip(f"no real models over 64 KB in {fuzz.MODELS}")
    try:
        code, text, found = fuzz.run(target, max(seconds, 5))
    except RuntimeError as e:
        if "libclang_rt" in str(e) or "fuzzer" in str(e):
            pytest.skip(f"clang has no libFuzzer (Debian: libclang-rt-14-dev): {str(e)[:300]}")
        raise
    assert code == 0, (
        f"libFuzzer found a problem in {target} (exit {code}); the input is in "
        f"{fuzz.OUT}/artifacts/, add it to tests/fuzz/regressions/ with the fix and its "
        f".expected:\n{text[-4000:]}"
    )
    assert found["execs"] > 0, text[-2000:]
