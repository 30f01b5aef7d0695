"""`tinyml firmware build --ops-from`: a firmware with only the ops its models use runs them as
the full engine does, and names an op it left out, with the way to add it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from device_runner import DEVICE_SCRIPTS, run_on_cpython, run_on_device
from tinyml import cli, firmware
from tinyml.device import Device
from tinyml.emulator import Emulator
from tinyml.errors import DeviceError
from tinyml.paths import Paths

sys.path.insert(0, str(Path(__file__).parent / "engine"))

PERSON_OPS = ["CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "SOFTMAX"]


def _boot_m7(models: Path, extra: list[str], tmp_path_factory) -> Iterator[Device]:
    """The emulated Cortex-M7 booted on a firmware built for person_detect's ops alone, with the
    build options ``extra``."""
    person = models / "tflite-micro" / "person_detect.tflite"
    build = ["firmware", "build", "--board", "qemu-m7", "--ops-from", str(person), *extra]
    assert cli.main(build) == 0
    fast = "--no-fast-kernels" not in extra
    elf = firmware.firmware_path("qemu-m7", Paths.default(), ops_only=True, fast_kernels=fast)
    state = tmp_path_factory.mktemp("emulator")
    paths = Paths(Paths.default().root, {**Paths.default().env, "TINYML_EMULATOR_DIR": str(state)})
    emulator = Emulator("qemu-m7", paths, firmware=elf)
    emulator.start(die_with_parent=True)
    device = Device("emulator:qemu-m7", paths=paths)
    yield device
    device.close()
    emulator.stop()


@pytest.fixture(scope="module")
def person_only(models: Path, tmp_path_factory) -> Iterator[Device]:
    """The emulated Cortex-M7 booted on a firmware built for person_detect's ops alone."""
    yield from _boot_m7(models, [], tmp_path_factory)


@pytest.fixture(scope="module")
def person_reference(models: Path, tmp_path_factory) -> Iterator[Device]:
    """The same, as the smallest firmware for person_detect (README.md, "Flash and RAM per
    board"): no op names, no fast kernels."""
    yield from _boot_m7(models, ["--no-op-names", "--no-fast-kernels"], tmp_path_factory)


@pytest.fixture(scope="module")
def depthwise_models(tmp_path_factory) -> dict[str, Path]:
    """Single DEPTHWISE_CONV_2D layers converted by TensorFlow (test_depthwise_conv_2d's cases):
    a depth multiplier of 2, which no fast path takes (int8, and float32), and 7 channels, which
    take the depthwise tail only."""
    from test_depthwise_conv_2d import CASES, depthwise_model

    out = tmp_path_factory.mktemp("depthwise")
    models = {}
    for name, case, mode in (
        ("multiplier2", "k3_valid_s2_dm2", "int8"),
        ("multiplier2_f32", "k3_valid_s2_dm2", "f32"),
        ("channels7", "k3_no_bias", "int8"),
    ):
        shape, kwargs, batch = CASES[case]
        models[name] = out / f"{name}.tflite"
        models[name].write_bytes(depthwise_model(shape, kwargs, mode, batch))
    return models


def test_header_lists_the_models_ops(models: Path, paths: Paths) -> None:
    """The op list is person_detect's ops, each once, as lines of tml_ops_list.h."""
    header = firmware.ops_header([models / "tflite-micro" / "person_detect.tflite"], paths)
    entries = firmware.op_entries(paths)
    assert sorted(header.splitlines()[1:]) == sorted(entries[op] for op in PERSON_OPS)
    # A CUSTOM op is found by its custom code.
    assert entries["SignalRfft"] == "TML_OP_ENTRY(signal_rfft, CUSTOM)"


def test_kernel_types_follow_the_models_tensors(models: Path, paths: Paths) -> None:
    """person_detect has no float32 or int16 tensor, so its build leaves those kernels out;
    adding the micro_speech LSTM (float32 and int16 tensors) keeps both, in the make command."""
    person = models / "tflite-micro" / "person_detect.tflite"
    lstm = models / "tflite-micro" / "micro_speech_lstm.tflite"
    off = {"TML_KERNELS_F32": False, "TML_KERNELS_S16": False}
    assert firmware.kernel_type_switches([person]) == off
    assert firmware.kernel_type_switches([person, lstm]) == {k: True for k in off}
    cmd = firmware.make_command("qemu-m7", paths, 1, ops_from=[person])
    assert "TINYML_KERNELS_F32=0" in cmd and "TINYML_KERNELS_S16=0" in cmd
    cmd = firmware.make_command("qemu-m7", paths, 1, ops_from=[person, lstm])
    assert not [c for c in cmd if c.startswith("TINYML_KERNELS_")]


def test_kernel_variants_follow_the_models_layers(models: Path, paths: Paths) -> None:
    """The fast paths the engine's dispatchers take for each layer decide the variant switches:
    person_detect's convolutions are all 1x1 and its first depthwise layer has a depth multiplier
    of 8, so its build keeps the depthwise broadcast and leaves out im2col; KWS's first
    convolution is 10x4 and its depthwise layers channel for channel: the other way round;
    neither has a depthwise layer on channels that are not a multiple of 4."""
    person = models / "tflite-micro" / "person_detect.tflite"
    kws = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    assert firmware.kernel_variants([person]) == {
        ("CONV_2D", "1x1"),
        ("DEPTHWISE_CONV_2D", "channelwise"),
        ("DEPTHWISE_CONV_2D", "broadcast"),
    }
    assert firmware.kernel_variant_switches([person]) == {
        "TML_KERNEL_DW_BROADCAST": True,
        "TML_KERNEL_DW_TAIL": False,
        "TML_KERNEL_CONV_IM2COL": False,
        "TML_KERNEL_REFERENCE_CONV": False,
    }
    assert firmware.kernel_variant_switches([kws]) == {
        "TML_KERNEL_DW_BROADCAST": False,
        "TML_KERNEL_DW_TAIL": False,
        "TML_KERNEL_CONV_IM2COL": True,
        "TML_KERNEL_REFERENCE_CONV": False,
    }
    assert firmware.kernel_variant_switches([person, kws]) == {
        "TML_KERNEL_DW_BROADCAST": True,
        "TML_KERNEL_DW_TAIL": False,
        "TML_KERNEL_CONV_IM2COL": True,
        "TML_KERNEL_REFERENCE_CONV": False,
    }
    cmd = firmware.make_command("qemu-m7", paths, 1, ops_from=[person])
    assert "TINYML_KERNEL_CONV_IM2COL=0" in cmd and "TINYML_KERNEL_DW_TAIL=0" in cmd
    assert "TINYML_KERNEL_REFERENCE_CONV=0" in cmd
    assert not [c for c in cmd if c.startswith("TINYML_KERNEL_DW_BROADCAST")]


def test_reference_kernels_follow_the_models_layers(
    models: Path, paths: Paths, depthwise_models: dict[str, Path]
) -> None:
    """Every int8 convolution of person_detect takes a fast path, so its build leaves the
    reference kernels out; a depthwise layer with a depth multiplier of 2 takes none, so a build
    naming it keeps them, but not for float32 (its kernels are TML_KERNELS_F32's); 7 channels
    take the depthwise tail, which then stays in."""
    person = models / "tflite-micro" / "person_detect.tflite"
    switch = "TML_KERNEL_REFERENCE_CONV"
    assert firmware.kernel_variants([depthwise_models["multiplier2"]]) == set()
    assert firmware.kernel_variant_switches([depthwise_models["multiplier2"]])[switch]
    assert firmware.kernel_variant_switches([person, depthwise_models["multiplier2"]])[switch]
    assert not firmware.kernel_variant_switches([depthwise_models["multiplier2_f32"]])[switch]
    seven = firmware.kernel_variant_switches([depthwise_models["channels7"]])
    assert seven["TML_KERNEL_DW_TAIL"] and not seven[switch]
    cmd = firmware.make_command(
        "qemu-m7", paths, 1, ops_from=[person, depthwise_models["multiplier2"]]
    )
    assert not [c for c in cmd if c.startswith("TINYML_KERNEL_REFERENCE_CONV")]


def _symbols(elf: Path) -> list[str]:
    out = subprocess.run(
        ["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def _conv_2d_calls(elf: Path) -> set[str]:
    """The functions the int8 CONV_2D dispatcher calls or branches to."""
    disasm = subprocess.run(
        ["arm-none-eabi-objdump", "-d", "--disassemble=tml_conv_2d_s8", str(elf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(re.findall(r"\sb(?:l|\.w)?\s+[0-9a-f]+ <(\w+)>", disasm))


def test_left_out_variant_is_absent(person_only: Device, paths: Paths) -> None:
    """The person_detect firmware's CONV_2D dispatcher has no im2col: it calls the GEMM but
    neither memcpy nor memset, which unrolling a window into the scratch calls (as the same
    dispatcher built with im2col does); and no reference kernel: the firmware has neither int8
    convolution reference (a build with them links both, 1.3 KB on the M7)."""
    elf = firmware.firmware_path("qemu-m7", paths, ops_only=True)
    calls = _conv_2d_calls(elf)
    assert "tml_opt_mat_mult_s8" in calls
    assert not calls & {"memcpy", "memset", "tml_ref_conv_2d_s8"}, calls
    symbols = _symbols(elf)
    assert "tml_conv_2d_s8" in symbols and "tml_depthwise_conv_2d_s8" in symbols
    assert "tml_ref_conv_2d_s8" not in symbols
    assert "tml_ref_depthwise_conv_2d_s8" not in symbols


def test_person_detect_runs_bit_exact(person_only: Device) -> None:
    """The person_detect device script prints on the reduced firmware what CPython prints (the
    TFLite Micro values: [-113, 113] for person.bmp)."""
    script = DEVICE_SCRIPTS / "model_person_detect.py"
    out = run_on_device(person_only, script, timeout=600)
    assert out == run_on_cpython(script)
    assert "person.bmp (-113, 113)" in out


def test_left_out_op_is_named(person_only: Device, models: Path) -> None:
    """KWS needs FULLY_CONNECTED, which this firmware left out: the error says which op and how
    to build it in."""
    kws = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    with pytest.raises(DeviceError) as e:
        run_on_device(
            person_only, "import tinyml\ntinyml.Model('kws.tflite')", {"kws.tflite": kws}
        )
    assert "unsupported op FULLY_CONNECTED v" in str(e.value)
    assert "not built in; rebuild with --ops-from naming this model" in str(e.value)
    out = run_on_device(person_only, "import tinyml\nprint(tinyml.op_supported('SOFTMAX'))")
    assert out.strip() == "True"


def test_left_out_tensor_type_is_named(person_only: Device, models: Path) -> None:
    """The build has no float32 kernels (person_detect has no float32 tensor): a float32 model
    is refused when it loads, naming the type and how to build it in."""
    hello = models / "tflite-micro" / "hello_world_float.tflite"
    with pytest.raises(DeviceError) as e:
        run_on_device(
            person_only, "import tinyml\ntinyml.Model('hello.tflite')", {"hello.tflite": hello}
        )
    assert "tensor 0 is float32: kernels not built in" in str(e.value)
    assert "rebuild with --ops-from naming this model" in str(e.value)


def test_left_out_variable_tensors_are_named(person_only: Device, models: Path) -> None:
    """The build has neither SVDF nor UNIDIRECTIONAL_SEQUENCE_LSTM, the ops that keep state in
    variable tensors, so it has no code for them: KWS_SVDF is refused at its first variable
    tensor, naming the ops and how to build them in."""
    svdf = models / "tflite-micro" / "keyword_scrambled_8bit.tflite"
    with pytest.raises(DeviceError) as e:
        run_on_device(
            person_only, "import tinyml\ntinyml.Model('svdf.tflite')", {"svdf.tflite": svdf}
        )
    assert "tensor 4 is a variable: SVDF, LSTM not built in" in str(e.value)
    assert "not built in; rebuild with --ops-from naming this model" in str(e.value)


@pytest.mark.parametrize("name", ["multiplier2", "channels7"])
def test_left_out_reference_kernel_is_named(
    person_only: Device, depthwise_models: dict[str, Path], name: str
) -> None:
    """The build has no int8 convolution reference kernel: a depthwise layer with a depth
    multiplier of 2 (which no fast path takes), or on 7 channels (whose tail this build left
    out), is refused when it loads, naming the op and how to build it in, instead of running."""
    with pytest.raises(DeviceError) as e:
        run_on_device(
            person_only,
            "import tinyml\ntinyml.Model('dw.tflite')",
            {"dw.tflite": depthwise_models[name]},
        )
    assert (
        "op 0 DEPTHWISE_CONV_2D: this shape not built in; rebuild with --ops-from naming this model"
        in str(e.value)
    )


def test_no_fast_kernels_keeps_the_references(models: Path, paths: Paths) -> None:
    """--no-fast-kernels builds into <board>-ops-reference with TML_KERNELS_OPT=0 and none of the
    fast-path variant switches: in particular not the one leaving out the reference
    convolutions, which every layer then needs (person_detect's build with the fast kernels
    leaves them out)."""
    person = models / "tflite-micro" / "person_detect.tflite"
    cmd = firmware.make_command("qemu-m7", paths, 1, ops_from=[person], fast_kernels=False)
    assert "TINYML_KERNELS_OPT=0" in cmd
    assert not [c for c in cmd if c.startswith("TINYML_KERNEL_")], cmd
    assert "TINYML_KERNELS_F32=0" in cmd  # still only person_detect's tensor types
    assert f"BUILD={paths.firmware / 'qemu-m7-ops-reference' / 'obj'}" in cmd
    full = firmware.make_command("qemu-m7", paths, 1, fast_kernels=False)
    assert "TINYML_KERNELS_OPT=0" in full and not [c for c in full if c.startswith("TINYML_OPS=")]
    assert f"BUILD={paths.firmware / 'qemu-m7-reference' / 'obj'}" in full
    with pytest.raises(
        firmware.ToolchainError, match="--no-fast-kernels are not supported for rp2040"
    ):
        firmware.make_command("rp2040", paths, 1, fast_kernels=False)


def test_reference_build_has_no_fast_kernel(person_reference: Device, paths: Paths) -> None:
    """The firmware built without the fast kernels links neither fast kernel the fast build
    calls for person_detect (the GEMM and the depthwise), and its CONV_2D dispatcher calls the
    reference convolution."""
    elf = firmware.firmware_path("qemu-m7", paths, ops_only=True, fast_kernels=False)
    symbols = _symbols(elf)
    assert "tml_opt_mat_mult_s8" not in symbols and "tml_opt_depthwise_conv_2d_s8" not in symbols
    assert "tml_ref_conv_2d_s8" in symbols and "tml_ref_depthwise_conv_2d_s8" in symbols
    assert "tml_ref_conv_2d_s8" in _conv_2d_calls(elf)


def test_person_detect_runs_bit_exact_on_reference_kernels(person_reference: Device) -> None:
    """On the reference kernels alone the person_detect device script prints what CPython
    prints (the TFLite Micro values: [-113, 113] for person.bmp)."""
    script = DEVICE_SCRIPTS / "model_person_detect.py"
    out = run_on_device(person_reference, script, timeout=600)
    assert out == run_on_cpython(script)
    assert "person.bmp (-113, 113)" in out


def test_reference_build_runs_any_convolution_shape(
    person_reference: Device, depthwise_models: dict[str, Path]
) -> None:
    """The reference build leaves no convolution shape out: the depthwise layer with a depth
    multiplier of 2, which the fast build refuses, loads and runs, printing what CPython prints
    (the engine there is bit-exact with TFLite Micro)."""
    script = (
        "import binascii\n"
        "import tinyml\n"
        "m = tinyml.Model('dw.tflite')\n"
        "n = 1\n"
        "for d in m.input_shape:\n"
        "    n *= d\n"
        "m.predict(bytes((i * 37 + 11) & 0xFF for i in range(n)))\n"
        "print(binascii.hexlify(bytes(m.output())).decode())\n"
    )
    files = {"dw.tflite": depthwise_models["multiplier2"]}
    out = run_on_device(person_reference, script, files)
    assert out == run_on_cpython(script, files)
    assert len(out.strip()) > 2


def test_reference_build_arena_is_inspects(person_reference: Device, models: Path, capsys) -> None:
    """`tinyml inspect --board qemu-m7 --no-fast-kernels` reports the arena the reference build
    allocates, byte for byte: less than the fast build's, whose depthwise kernel asks for
    scratch; without --board the option is refused."""
    person = models / "tflite-micro" / "person_detect.tflite"
    out = run_on_device(
        person_reference,
        "import tinyml\nprint(tinyml.Model('p.tflite').arena_size)",
        {"p.tflite": person},
        timeout=600,
    )
    arenas = {}
    for extra in ([], ["--no-fast-kernels"]):
        assert cli.main(["inspect", str(person), "--board", "qemu-m7", "--json", *extra]) == 0
        arenas[bool(extra)] = json.loads(capsys.readouterr().out)["arena_bytes"]
    assert int(out) == arenas[True] < arenas[False]
    assert cli.main(["inspect", str(person), "--no-fast-kernels"]) == 2
    assert "add --board BOARD" in capsys.readouterr().err
