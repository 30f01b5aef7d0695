"""The engine on an emulated Xtensa core (QEMU, lx106) gives the host engine's exact outputs.

The host engine (tinyml._tinyml) is bit-exact with TFLite Micro (tests/models), so equal bytes
here mean the Xtensa build computes what TFLite Micro computes. The Xtensa build differs from
the host's where C leaves room: plain char is unsigned, long and pointers are 4 bytes, the
call0 ABI, no FPU (GCC's soft float), and a different compiler; the first test proves it.

QEMU's lx106 does not trap on unaligned word access as the chip does, so alignment is proved
twice elsewhere: both builds use -Wcast-align=strict -Werror, and the same runner runs the same
models on the host under the alignment sanitizer, which is shown to catch a misaligned read.

Instruction counts per inference (QEMU -icount) are printed for the README: they are LX106
instructions, not ESP32-S3 (LX7) ones. Models come from ../shared/models (or TINYML_MODELS).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "xtensa"))
import lx106

MODELS = Path(os.environ.get("TINYML_MODELS") or lx106.ROOT.parent / "shared" / "models")

# name: random inputs to run. Int8 models (hello_world, micro_speech, KWS, person_detect, VWW),
# float models, and the largest model here (MoveNet, 2.8 MB, 180 M instructions).
CASES = {
    "tflite-micro/hello_world_int8": 3,
    "tflite-micro/micro_speech_quantized": 2,
    "mlcommons-tiny/kws_ref_model": 2,
    "tflite-micro/person_detect": 2,
    "mlcommons-tiny/vww_96_int8": 1,
    "tflite-micro/hello_world_float": 3,
    "mlcommons-tiny/ad01_fp32": 2,
    "openmv/movenet_singlepose_192": 1,
}


def engine():
    return pytest.importorskip("tinyml._tinyml")


@pytest.fixture(scope="module")
def runner() -> Path:
    missing = lx106.missing_tools()
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `make setup` (scripts/setup.sh)")
    return lx106.build_runner()


@pytest.fixture(scope="module")
def models() -> Path:
    if not MODELS.is_dir():
        pytest.skip(f"reference models not found at {MODELS} (set TINYML_MODELS)")
    return MODELS


def random_inputs(model, rng) -> bytes:
    """Every input tensor's bytes, back to back: ints over their range; floats mostly in
    [-1, 1), one in eight any finite float32 (subnormals, huge values). Not NaN: IEEE 754
    leaves its payload open, and x86 and GCC's soft float pass on different ones."""
    assert model.num_inputs == 1, "input types of a model with several inputs are not known"
    n = len(model.input(0))
    if model.input_dtype != "float32":
        return rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    x = rng.uniform(-1, 1, n // 4).astype(np.float32)
    bits = rng.integers(0, 1 << 32, n // 4, dtype=np.uint64).astype(np.uint32).view(np.float32)
    wild = (rng.integers(0, 8, n // 4) == 0) & np.isfinite(bits)
    x[wild] = bits[wild]
    return x.tobytes()


def host_outputs(model, data: bytes) -> list[bytes]:
    offset = 0
    for i in range(model.num_inputs):
        view = model.input(i)
        view[:] = data[offset : offset + len(view)]
        offset += len(view)
    model.invoke()
    return [bytes(model.output(i)) for i in range(model.num_outputs)]


def test_emulated_core_is_not_the_host(runner: Path, models: Path, tmp_path: Path) -> None:
    """The run is a 32-bit Xtensa one: unsigned char, 4-byte long and pointers; its CCOUNT
    counts 25 instructions a tick under -icount (a loop of known length, to within the tick
    and the few instructions around the loop)."""
    inputs = tmp_path / "x.bin"
    inputs.write_bytes(bytes([7]))
    r = lx106.run(runner, models / "tflite-micro/hello_world_int8.tflite", inputs)
    assert r.returncode == 0, r.text
    assert r.abi == {"char": "unsigned", "long": "4", "pointer": "4"}, r.text
    ticks, instructions = r.calibration
    assert abs(ticks * lx106.INSTRUCTIONS_PER_TICK - instructions) <= 50, r.text


def test_cpu_exception_ends_the_run(runner: Path, tmp_path: Path) -> None:
    """A fault on the core (here an illegal instruction) ends QEMU with status 3 and the
    exception's cause and address, through start.S's vectors: never a hang."""
    probe = tmp_path / "fault.c"
    probe.write_text(
        "int runner_main(int argc, char **argv) {\n"
        "    (void)argc;\n    (void)argv;\n"
        '    __asm__ volatile ("ill");\n    return 0;\n}\n'
    )
    elf = lx106.build_elf([probe], tmp_path / "fault.elf")
    r = lx106.run(elf, Path("/dev/null"), Path("/dev/null"), timeout=60)
    assert r.returncode == 3, r.text
    assert r.text.startswith("exception cause=00 pc=0x5"), r.text  # IllegalInstructionCause


@pytest.mark.parametrize("name", sorted(CASES))
def test_model_on_lx106_equals_host_engine(
    runner: Path, models: Path, tmp_path: Path, name: str
) -> None:
    """Output bytes on the emulated core equal the host engine's for each random input.
    (Arena sizes differ: the interpreter's tables hold 4-byte pointers there.)"""
    path = models / f"{name}.tflite"
    model = engine().Model(path.read_bytes())
    rng = np.random.default_rng(2026)
    counts = []
    for k in range(CASES[name]):
        data = random_inputs(model, rng)
        inputs = tmp_path / f"in{k}.bin"
        inputs.write_bytes(data)
        r = lx106.run(runner, path, inputs)
        assert r.returncode == 0, f"{name}: runner failed:\n{r.text}"
        want = host_outputs(model, data)
        assert len(r.outputs) == len(want)
        for i, (got, ref) in enumerate(zip(r.outputs, want)):
            if got != ref:
                diff = sum(a != b for a, b in zip(got, ref))
                pytest.fail(f"{name} input {k}: output {i}: {diff} of {len(ref)} bytes differ")
        counts.append(r.instructions)
    print(
        f"{name}: {min(counts):,} LX106 instructions per inference (QEMU -icount), "
        f"arena {r.arena:,} bytes"
    )


def corruptions(data: bytes) -> dict[str, bytes]:
    """Ways a model file goes wrong: cut short, a wrong identifier, an offset out of range."""
    root = int.from_bytes(data[:4], "little")
    bad_root = (len(data) + 64).to_bytes(4, "little")
    return {
        "truncated": data[: len(data) // 2],
        "identifier": data[:4] + b"XXXX" + data[8:],
        "root_offset": bad_root + data[4:],
        "empty": b"",
        "vtable": data[:root] + (0x7FFFFFF0).to_bytes(4, "little") + data[root + 4 :],
    }


@pytest.mark.parametrize(
    "what", ["truncated", "identifier", "root_offset", "empty", "vtable", "unsupported_op"]
)
def test_bad_model_gives_host_engine_error(
    runner: Path, models: Path, tmp_path: Path, what: str
) -> None:
    """A corrupt or unsupported model is refused on the core with the host engine's message."""
    if what == "unsupported_op":
        data = (models / "tflite-micro/trained_lstm_int8.tflite").read_bytes()
    else:
        data = corruptions((models / "mlcommons-tiny/kws_ref_model.tflite").read_bytes())[what]
    path = tmp_path / "bad.tflite"
    path.write_bytes(data)
    with pytest.raises((ValueError, NotImplementedError)) as host:
        engine().Model(data)
    inputs = tmp_path / "x.bin"
    inputs.write_bytes(b"")
    r = lx106.run(runner, path, inputs)
    assert r.returncode == 1, r.text
    status, _, message = r.error.partition(": ")
    assert message == str(host.value), r.text
    assert status == ("unsupported" if what == "unsupported_op" else "bad model"), r.text


# ---- alignment on the host ------------------------------------------------------------------

ALIGNMENT = ["-fsanitize=alignment,address,undefined", "-fno-sanitize-recover=all"]


@pytest.fixture(scope="module")
def host_runner(tmp_path_factory) -> Path:
    cc = shutil.which("clang") or shutil.which("cc")
    if cc is None:
        pytest.fail("no host C compiler: run `make setup`")
    out = tmp_path_factory.mktemp("host-runner")
    probe = out / "probe.c"
    probe.write_text(
        "#include <stdint.h>\n#include <string.h>\n"
        "int main(int argc, char **argv) { (void)argv; uint8_t b[16]; memset(b, argc, 16);\n"
        "  return (int)*(const int32_t *)(const void *)(b + argc); }\n"
    )
    subprocess.run([cc, *ALIGNMENT, str(probe), "-o", str(out / "probe")], check=True)
    caught = subprocess.run([str(out / "probe")], check=False, capture_output=True, text=True)
    assert caught.returncode != 0 and "misaligned" in caught.stderr, (
        f"{cc} {' '.join(ALIGNMENT)} does not catch a misaligned read"
    )
    return lx106.build_host_runner(out, cc, ALIGNMENT)


@pytest.mark.parametrize("name", sorted(set(CASES) - {"openmv/movenet_singlepose_192"}))
def test_model_under_alignment_sanitizer(
    host_runner: Path, models: Path, tmp_path: Path, name: str
) -> None:
    """The same runner on the host, built with the alignment (and address, undefined)
    sanitizer, runs each model without a report and with the host engine's outputs."""
    path = models / f"{name}.tflite"
    model = engine().Model(path.read_bytes())
    data = random_inputs(model, np.random.default_rng(7))
    inputs = tmp_path / "in.bin"
    inputs.write_bytes(data)
    r = lx106.run_host(host_runner, path, inputs)
    assert r.returncode == 0, f"{name}:\n{r.text[-3000:]}"
    assert r.outputs == host_outputs(model, data)
