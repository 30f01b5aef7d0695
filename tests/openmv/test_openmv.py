"""tinyml inside OpenMV's own firmware, on OpenMV's emulated board (QEMU mps2-an500).

The firmware is OpenMV's (``../shared/openmv-qemu``), not rebuilt: the armv7emdp ``.mpy`` and
the ``tinyml`` package reach it the way they reach a camera, as files (in a ROMFS image here,
on the camera's drive there), and run next to OpenMV's ``image``, ``sensor``, ``ulab`` and
``ml``. Scores are checked against the host engine on the same input bytes, against OpenMV's
own ``ml`` (TensorFlow Lite Micro with CMSIS-NN) on the same model and image, and against
TensorFlow Lite Micro's published person-detection scores.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import tinyml
from device_runner import declared_files, expected_output
from tinyml import openmv_emulator, romfs
from tinyml.demo import read_bmp_gray

ROOT = Path(__file__).resolve().parents[2]
DEVICE_SCRIPTS = ROOT / "tests" / "device"

# The install commands of examples/person_detect/README.md ("On an OpenMV Cam"), as written.
README_COMMANDS = """\
make -C native_module/micropython ARCH=armv7emdp
mkdir -p build/camera/lib
cp -r build/natmod/armv7emdp/_tinyml.mpy device/tinyml build/camera/lib/
cp ../shared/models/tflite-micro/person_detect.tflite examples/person_detect/openmv_main.py build/camera/
cp examples/person_detect/labels.txt build/camera/person_detect.txt
.venv/bin/tinyml push --romfs build/romfs.img build/camera
"""

# Scripts run from /rom, as a camera's main.py runs from its drive.
PREAMBLE = "import os\nos.chdir('/rom')\n"


def _readme_commands_are_in_readme() -> None:
    readme = (ROOT / "examples" / "person_detect" / "README.md").read_text()
    for line in README_COMMANDS.splitlines():
        assert line in readme, f"README no longer shows: {line}"


@pytest.fixture(scope="module")
def camera(models: Path) -> Path:
    """The camera folder and ROMFS image the README's commands make (build/camera)."""
    _readme_commands_are_in_readme()
    shutil.rmtree(ROOT / "build" / "camera", ignore_errors=True)
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", README_COMMANDS],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return ROOT / "build" / "camera"


def _image_of(folder: Path, extra: dict[str, Path], out: Path) -> Path:
    """An aligned ROMFS image of ``folder`` plus ``extra`` files ({name in image: path})."""
    tree = out.with_suffix(".d")
    shutil.copytree(folder, tree)
    for name, src in extra.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, tree / name)
    out.write_bytes(romfs.build(tree))
    return out


def _hex_lines(out: str, tag: str) -> list[bytes]:
    return [bytes.fromhex(line.split()[1]) for line in out.splitlines() if line.startswith(tag)]


def _scores(out: str, tag: str) -> list[list[int]]:
    """Printed scores as the int8 outputs they dequantize (scale 1/256, zero point -128 for
    every model here): the board prints floats to 7 digits, the integers are exact."""
    return [
        [_q(float(v)) for v in line.split()[1:]]
        for line in out.splitlines()
        if line.startswith(tag + " ")
    ]


def _q(score: float) -> int:
    return round(score * 256) - 128


def _host(model, x: bytes) -> list[int]:
    return [_q(v) for v in model.predict(x)]


def test_readme_install_runs_the_camera_script(camera: Path) -> None:
    """With the files the README installs, openmv_main.py runs unchanged on OpenMV's firmware:
    frames from sensor.snapshot() are classified with the labels from person_detect.txt."""
    script = PREAMBLE + (camera / "openmv_main.py").read_text()
    with openmv_emulator.Board(ROOT / "build" / "romfs.img") as board:
        lines = board.lines(script, 3, timeout=120)
    for line in lines:
        assert re.fullmatch(r"(person|no_person) +[01]\.\d\d  \d+\.\d fps", line), line


CAMERA_FRAMES = (
    PREAMBLE
    + """\
import sensor, ml, tinyml
from tinyml.openmv import image_input
m = tinyml.Model("person_detect.tflite")
print("IN_PLACE", m.in_place)
reference = ml.Model("/rom/person_detect.tflite")
sensor.reset()
for fmt in (sensor.GRAYSCALE, sensor.RGB565):
    sensor.set_pixformat(fmt)
    sensor.set_framesize(sensor.QVGA)
    for _ in range(2):
        img = sensor.snapshot()
        x = image_input(m, img)
        print("INPUT", bytes(x).hex())
        print("TINYML", *m.predict(x))
        print("ML", *reference.predict([img])[0][0])
"""
)


def test_camera_frames_match_host_and_openmv_ml(camera: Path) -> None:
    """Grayscale and RGB565 QVGA frames from sensor.snapshot() go into the 96x96 input in place
    (scaled, centre-cropped, pixel - 128); tinyml's scores equal OpenMV ml's on the same frame
    and the host engine's on the same input bytes; the model is read in place from ROMFS."""
    out = openmv_emulator.run(ROOT / "build" / "romfs.img", CAMERA_FRAMES, timeout=300)
    assert "IN_PLACE True" in out
    inputs, ours, ml = _hex_lines(out, "INPUT"), _scores(out, "TINYML"), _scores(out, "ML")
    assert len(inputs) == len(ours) == len(ml) == 4
    host = tinyml.Model(str(camera / "person_detect.tflite"))
    assert len({bytes(x) for x in inputs}) > 1  # the fake camera's frames differ
    for x, got, ref in zip(inputs, ours, ml):
        assert len(x) == 96 * 96
        assert got == ref
        assert got == _host(host, x)


PHOTOS = (
    PREAMBLE
    + """\
import image, ml, tinyml
from tinyml.openmv import image_input
person = tinyml.Model("person_detect.tflite")
vww = tinyml.Model("vww.tflite")
for name in ("person.bmp", "no_person.bmp", "openmv_person.bmp"):
    img = image.Image(name)
    print("FORMAT", name, img.format() == image.RGB565, img.width(), img.height())
    for model, path in ((person, "person_detect.tflite"), (vww, "vww.tflite")):
        x = image_input(model, img)
        print("INPUT", bytes(x).hex())
        print("TINYML", *model.predict(x))
        print("ML", *ml.Model(path).predict([img])[0][0])
    if img.width() == 96:  # TFLite Micro's own test feeds the photo's bytes as they are
        print("RAW", *person.predict(img.bytearray()))
        print("RAWINPUT", bytes(img.bytearray()).hex())
"""
)


def test_sample_photos_loaded_with_image(camera: Path, models: Path, tmp_path: Path) -> None:
    """TFLite Micro's two 96x96 grayscale photos and OpenMV's 400x400 RGB565 person photo,
    loaded with image.Image, through person_detect (1 channel) and MLPerf Tiny VWW (3
    channels): tinyml equals OpenMV's ml and the host engine on the same bytes, and the raw
    photo bytes give TensorFlow Lite Micro's published scores (person [-113, 113], no_person
    [57, -57])."""
    extra = {
        "person.bmp": models / "tflite-micro" / "person.bmp",
        "no_person.bmp": models / "tflite-micro" / "no_person.bmp",
        "openmv_person.bmp": models / "openmv" / "person.bmp",
        "vww.tflite": models / "mlcommons-tiny" / "vww_96_int8.tflite",
    }
    image = _image_of(camera, extra, tmp_path / "photos.img")
    out = openmv_emulator.run(image, PHOTOS, timeout=300)
    formats = [line.split()[1:] for line in out.splitlines() if line.startswith("FORMAT")]
    assert formats == [
        ["person.bmp", "False", "96", "96"],
        ["no_person.bmp", "False", "96", "96"],
        ["openmv_person.bmp", "True", "400", "400"],
    ]
    inputs, ours, ml = _hex_lines(out, "INPUT"), _scores(out, "TINYML"), _scores(out, "ML")
    assert len(inputs) == len(ours) == len(ml) == 6
    hosts = [
        tinyml.Model(str(camera / "person_detect.tflite")),
        tinyml.Model(str(extra["vww.tflite"])),
    ]
    for i, (x, got, ref) in enumerate(zip(inputs, ours, ml)):
        host = hosts[i % 2]
        assert len(x) == (96 * 96 if i % 2 == 0 else 96 * 96 * 3)
        assert got == ref
        assert got == _host(host, x)
    raw = _hex_lines(out, "RAWINPUT")
    assert _scores(out, "RAW") == [_host(hosts[0], x) for x in raw] == [[-113, 113], [57, -57]]


IN_PLACE = (
    PREAMBLE
    + """\
import gc, tinyml
data = open("person.bin", "rb").read()
for load in (
    lambda: tinyml.Model("person_detect.tflite"),
    lambda: tinyml.Model(memoryview(open("person_detect.tflite", "rb"))),
    lambda: tinyml.Model(open("person_detect.tflite", "rb").read()),
):
    m = load()
    print("LOADED", m.in_place, *m.predict(data))
    m = None
    gc.collect()
"""
)


def test_models_in_place_from_aligned_and_standard_images(
    camera: Path, models: Path, tmp_path: Path
) -> None:
    """From tinyml's aligned image a ROMFS model is read in place (path or memoryview); from
    ``mpremote romfs build``'s image, where the model lands unaligned, it runs from one heap
    copy; bytes the script read itself are used where they are. Every way gives TensorFlow Lite
    Micro's scores."""
    photo = read_bmp_gray(models / "tflite-micro" / "person.bmp")
    (tmp_path / "person.bin").write_bytes(photo)
    aligned = _image_of(camera, {"person.bin": tmp_path / "person.bin"}, tmp_path / "a.img")
    offsets = romfs.files(aligned.read_bytes())
    assert offsets["person_detect.tflite"][0] % romfs.ALIGN == 0
    tree = aligned.with_suffix(".d")
    standard = tmp_path / "standard.img"
    subprocess.run(
        [str(ROOT / ".venv/bin/mpremote"), "romfs", "-o", str(standard), "build", str(tree)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert romfs.files(standard.read_bytes())["person_detect.tflite"][0] % 4 != 0
    host = _host(tinyml.Model(str(camera / "person_detect.tflite")), photo)
    assert host == [-113, 113]  # TensorFlow Lite Micro's published scores for person.bmp
    for image, in_place in ((aligned, ["True"] * 3), (standard, ["False", "False", "True"])):
        out = openmv_emulator.run(image, IN_PLACE, timeout=120)
        loaded = [line.split()[1] for line in out.splitlines() if line.startswith("LOADED")]
        assert loaded == in_place
        scores = [[_q(float(v)) for v in line.split()[2:]] for line in out.splitlines()]
        assert scores == [host] * 3


# Device scripts that only read files: run unchanged on OpenMV's firmware from ROMFS.
READ_ONLY_SCRIPTS = ["inputs_ulab", "inputs_types", "model_person_detect", "errors_alignment"]


@pytest.mark.parametrize("name", READ_ONLY_SCRIPTS)
def test_device_script_on_openmv(camera: Path, tmp_path: Path, name: str) -> None:
    """tests/device/<name>.py prints on OpenMV's firmware what it prints under CPython; for
    inputs_ulab that is ulab arrays (OpenMV's ulab) going into models like numpy arrays."""
    script = DEVICE_SCRIPTS / f"{name}.py"
    tree = tmp_path / "rom"
    shutil.copytree(camera / "lib", tree / "lib")
    for remote, local in declared_files(script).items():
        shutil.copyfile(local, tree / remote)
    image = tmp_path / "rom.img"
    image.write_bytes(romfs.build(tree))
    out = openmv_emulator.run(image, PREAMBLE + script.read_text(), timeout=300)
    assert out.strip() != "SKIP"
    assert out == expected_output(script)


def test_benchmark_against_openmv_ml(camera: Path) -> None:
    """benchmarks/openmv_ml.py runs person_detect and MLPerf Tiny KWS, VWW, IC and AD through
    OpenMV's ml and through tinyml on the same inputs: the int8 outputs are identical."""
    proc = subprocess.run(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "benchmarks/openmv_ml.py"), "--json"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["model"] for r in rows] == ["person_detect", "kws", "vww", "ic", "ad"]
    for r in rows:
        assert r["outputs_identical"], r["model"]
        assert r["ml_instructions"] > 0 and r["tinyml_instructions"] > 0


FOMO = (
    PREAMBLE
    + """\
import image, ml, tinyml
from ml.postprocessing.edgeimpulse import Fomo
from tinyml.openmv import detect, image_input
img = image.Image(160, 120, image.GRAYSCALE)
for square in SQUARES:
    img.draw_rectangle(square, color=(255, 255, 255), fill=True)
m = tinyml.Model("fomo.tflite")
print("INPUT", bytes(image_input(m, img)).hex())
m.invoke()
print("OUTPUT", bytes(m.output()).hex())
print("TINYML", repr(detect(m, img, Fomo())))
print("ML", repr(ml.Model("/rom/fomo.tflite", postprocess=Fomo()).predict([img])))
"""
)


def test_fomo_detector_output_to_boxes(camera: Path, tmp_path: Path) -> None:
    """A FOMO-style detector (a 12x12 grid of background/object scores; bright cells are
    objects) on a 160x120 frame with two white squares: tinyml.openmv.detect() hands the output
    to OpenMV's own FOMO postprocessor and gets ml's boxes exactly; every box lies on a square;
    the raw output equals the host engine's on the same input bytes."""
    from fomo_model import fomo_bright

    model = fomo_bright()
    squares = [(30, 20, 30, 30), (100, 60, 30, 30)]
    image = _image_of(camera, {"fomo.tflite": model}, tmp_path / "fomo.img")
    out = openmv_emulator.run(image, PREAMBLE + f"SQUARES = {squares!r}\n" + FOMO[len(PREAMBLE) :])
    (x,), (y,) = _hex_lines(out, "INPUT"), _hex_lines(out, "OUTPUT")
    host = tinyml.Model(str(model))
    host.predict(x)
    assert bytes(host.output(0)) == y
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in out.splitlines()}
    assert lines["TINYML"] == lines["ML"]
    background, objects = ast.literal_eval(lines["TINYML"])  # [[], [((x, y, w, h), score), ...]]
    assert background == [] and len(objects) >= 2
    for (bx, by, bw, bh), score in objects:
        cx, cy = bx + bw / 2, by + bh / 2
        assert score > 0.9
        assert any(sx <= cx <= sx + sw and sy <= cy <= sy + sh for sx, sy, sw, sh in squares)
    for sx, sy, sw, sh in squares:  # each square found
        assert any(sx <= bx + bw / 2 <= sx + sw for (bx, by, bw, bh), _ in objects)


def test_firmware_abi_is_the_boards_mpy_arch(camera: Path, paths) -> None:
    """OpenMV's firmware reports .mpy 6.3 for armv7emdp, the architecture boards/openmv-m7 and
    openmv-h7 name and the one the README builds."""
    out = openmv_emulator.run(
        ROOT / "build" / "romfs.img", "import sys\nprint(sys.implementation._mpy)"
    )
    mpy = int(out)
    archs = [None, "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp"]
    assert (mpy & 0xFF, (mpy >> 8) & 3) == (6, 3)
    for board in ("openmv-m7", "openmv-h7"):
        info = json.loads((paths.boards / board / "board.json").read_text())
        assert archs[(mpy >> 10) & 0xF] == info["mpy_arch"] == "armv7emdp"


NORMALIZED = (
    PREAMBLE
    + """\
import image, ml, tinyml
from tinyml.openmv import image_input
img = image.Image("photo.bmp")
for path, norm in CASES:
    m = tinyml.Model(path)
    print("PLAIN", bytes(image_input(m, img)).hex())
    norm = ml.Normalization(scale=norm[0], mean=norm[1], stdev=norm[2])
    print("SCALED", bytes(image_input(m, img, normalization=norm)).hex())
    print("QUANT", m.input_scale, m.input_zero_point)
    m = None
"""
)


def test_normalization_through_the_input_quantization(
    camera: Path, models: Path, tmp_path: Path
) -> None:
    """Given an ml.Normalization, an int8 input gets its scale, mean and stdev through the
    model's quantization: each byte is the pixel p's real value (lo + p (hi - lo) / 255 - mean)
    / stdev quantized with the input's scale and zero point (within rounding), per channel for
    RGB (VWW) and with OpenMV's luma weights for grayscale (person_detect)."""
    import numpy as np

    cases = [
        ("person_detect.tflite", ((-1.0, 1.0), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))),
        ("vww.tflite", ((0.0, 1.0), (0.485, 0.456, 0.406), (0.5, 0.6, 0.7))),
    ]
    extra = {
        "photo.bmp": models / "openmv" / "person.bmp",
        "vww.tflite": models / "mlcommons-tiny" / "vww_96_int8.tflite",
    }
    image = _image_of(camera, extra, tmp_path / "norm.img")
    out = openmv_emulator.run(
        image, PREAMBLE + f"CASES = {cases!r}\n" + NORMALIZED[len(PREAMBLE) :]
    )
    plain, scaled = _hex_lines(out, "PLAIN"), _hex_lines(out, "SCALED")
    quant = [line.split()[1:] for line in out.splitlines() if line.startswith("QUANT")]
    for (_, (scale, mean, stdev)), p, q, (s, zp) in zip(cases, plain, scaled, quant):
        s, zp = float(s), int(zp)
        pixels = np.frombuffer(p, np.int8).astype(np.float64) + 128  # OpenMV's p - 128
        got = np.frombuffer(q, np.int8).astype(np.float64)
        channels = 1 if len(p) == 96 * 96 else 3
        mean, stdev = np.array(mean), np.array(stdev)
        if channels == 1:
            luma = np.array([0.299, 0.587, 0.114])
            mean, stdev = np.array([mean @ luma]), np.array([stdev @ luma])
        real = scale[0] + pixels.reshape(-1, channels) * (scale[1] - scale[0]) / 255 - mean
        want = np.clip(real / stdev / s + zp, -128, 127).reshape(-1)
        assert np.abs(got - want).max() <= 0.5 + 1e-3
        assert len(set(p)) > 50 and not np.array_equal(got, pixels - 128)


# Where a script's memory comes from on OpenMV's firmware: what boards/openmv-m7 and openmv-h7
# say in their notes and what tinyml inspect counts, checked on the firmware itself.
FRAME_BUFFER_MEMORY = """\
import gc, image, ml, sensor, uctypes
try:
    sensor.alloc_extra_fb(96, 96, sensor.GRAYSCALE)
except OSError as e:
    print("EXTRA_FB", e)
gc.collect()
free = gc.mem_free()
m = ml.Model("/rom/person_detect.tflite")
gc.collect()
print("ML_ARENA", m.ram, free - gc.mem_free())
sensor.reset()
sensor.set_pixformat(sensor.GRAYSCALE)
sensor.set_framesize(sensor.QVGA)
frame = uctypes.addressof(sensor.snapshot().bytearray())
img = image.Image(96, 96, image.GRAYSCALE, copy_to_fb=True)
print("COPY_TO_FB", uctypes.addressof(img.bytearray()) == frame)
try:
    sensor.snapshot()
except RuntimeError as e:
    print("SNAPSHOT", e)
"""


def test_scripts_get_no_frame_buffer_memory(camera: Path) -> None:
    """OpenMV's current firmware gives a script no memory beside the camera's frame buffer:
    sensor.alloc_extra_fb raises 'deprecated', an image made with copy_to_fb=True is the
    camera's frame buffer (the next snapshot fails), and OpenMV's own ml takes its arena from
    the heap. So tinyml's arena, like ml's, lives on the heap (boards/openmv_*/board.json)."""
    out = openmv_emulator.run(ROOT / "build" / "romfs.img", FRAME_BUFFER_MEMORY)
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in out.splitlines()}
    assert "deprecated" in lines["EXTRA_FB"]
    ram, heap_taken = map(int, lines["ML_ARENA"].split())
    assert ram > 80_000 and heap_taken >= ram  # person_detect's arena, on the heap
    assert lines["COPY_TO_FB"] == "True"
    assert "SNAPSHOT" in lines


MODULE_HEAP = """\
import gc
gc.collect()
before = gc.mem_alloc()
import tinyml, tinyml.openmv
gc.collect()
print("MODULE_HEAP", gc.mem_alloc() - before)
"""


def _module_heap(image: Path) -> int:
    """The heap ``import tinyml`` takes on OpenMV's firmware with the ``lib/`` of ``image``."""
    return int(openmv_emulator.run(image, MODULE_HEAP).split()[1])


def test_module_heap_is_the_boards(camera: Path, paths) -> None:
    """Importing tinyml on OpenMV's firmware loads the .mpy's machine code into the heap; the
    boards' tinyml_heap_bytes (which tinyml inspect counts) is that, within 8 KB above."""
    measured = _module_heap(ROOT / "build" / "romfs.img")
    print(f"OpenMV firmware: import tinyml takes {measured} B of heap (full module)")
    for board in ("openmv-m7", "openmv-h7"):
        stated = json.loads((paths.boards / board / "board.json").read_text())
        stated = stated["tinyml_heap_bytes"]
        assert measured <= stated <= measured + 8192, (
            f"importing tinyml takes {measured} bytes of heap on OpenMV's firmware: set "
            f"boards/{board}/board.json tinyml_heap_bytes to about {measured}"
        )


# A real camera's heap, on the emulated board's 1 MiB heap: the GC keeps the same share for
# its tables, and what the firmware and this script's code hold at the start is held there
# too, so a script starts with heap * usable / EMULATED_HEAP - at_start free (a real camera,
# which also serves the IDE, has less). The rest of the emulated heap is eaten first.
CAMERA_HEAPS = """\
import gc
gc.collect()
usable, at_start = gc.mem_free() + gc.mem_alloc(), gc.mem_alloc()
import ml
EMULATED_HEAP = 1 << 20  # _heap_end - _heap_start in OpenMV's ELF
def leave_free(target):
    hog = []
    size = 1 << 16
    while size >= 16:
        try:
            while gc.mem_free() - size - 32 >= target:
                hog.append(bytearray(size))
        except MemoryError:
            pass
        size >>= 1
    return hog
def fill_with(x):
    def fill(buf, shape, dtype):
        buf[:] = x
    return fill
def ml_output(m, x):
    out = m.predict([fill_with(x)])[0].flatten()
    s, z = m.output_scale[0], m.output_zero_point[0]
    return bytes((round(v / s) + z) & 0xFF for v in out)
# Inputs stand for camera frames, which a camera keeps in its frame buffer: they are
# allocated before the heap is eaten, so they do not count against it.
INPUTS = {p: bytes((i * 73 + 41) & 0xFF for i in range(n)) for p, n in SIZES.items()}
for board, heap, paths in LEVELS:
    free = heap * usable // EMULATED_HEAP - at_start
    hog = leave_free(free)
    gc.collect()
    print("HEAP", board, free, gc.mem_free())
    try:
        import tinyml
    except MemoryError:
        print("RESULT", board, "import", "MemoryError")
    for path in paths:
        for engine in ("tinyml", "ml"):
            gc.collect()
            try:
                if engine == "ml":
                    m = ml.Model("/rom/" + path)
                    out = ml_output(m, INPUTS[path])
                else:
                    m = tinyml.Model(path)
                    m.predict(INPUTS[path])
                    out = bytes(m.output())
                print("RESULT", board, path, engine, "ran", out.hex())
            except (MemoryError, ValueError, NameError, NotImplementedError) as e:
                print("RESULT", board, path, engine, type(e).__name__)
                print("ERROR", board, path, engine, e)
            m = None
    hog = None
    gc.collect()
"""


def _camera_heaps(
    image: Path, sizes: dict[str, int], levels: list
) -> tuple[dict[tuple, bytes], dict[tuple, str], dict[tuple, str]]:
    """CAMERA_HEAPS on OpenMV's firmware with ``image``: ({(board, model, engine): int8 output}
    where it ran, {(board, model or "import", engine): exception name} where it did not, and
    {(board, model, engine): the exception's message})."""
    script = PREAMBLE + f"SIZES = {sizes!r}\nLEVELS = {levels!r}\n" + CAMERA_HEAPS
    out = openmv_emulator.run(image, script, timeout=600)
    heaps = {
        f[1]: int(f[3]) for f in (line.split() for line in out.splitlines()) if f[0] == "HEAP"
    }
    if "openmv-m7" in heaps:  # what a real M7 script starts with, at most
        assert 45_000 < heaps["openmv-m7"] < 52 << 10
    ran, failed, messages = {}, {}, {}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "RESULT" and f[-2] == "ran":
            ran[tuple(f[1:4])] = bytes.fromhex(f[-1])
        elif f[0] == "RESULT":
            failed[tuple(f[1:-1])] = f[-1]
        elif f[0] == "ERROR":
            messages[tuple(f[1:4])] = line.split(" ", 4)[4]
    return ran, failed, messages


def test_models_on_the_heap_a_camera_script_gets(
    camera: Path, models: Path, tmp_path: Path
) -> None:
    """With the emulated heap eaten down to what a script gets on an OpenMV Cam M7 (52 KB,
    OMV_GC_BLOCK0_SIZE in OpenMV's boards/OPENMV3/board_config.h) tinyml does not even import
    (its machine code goes to the heap), and OpenMV's ml runs KWS but not person_detect or
    FOMO; with the H7's 264 KB block (boards/OPENMV4) tinyml runs person_detect, KWS and FOMO
    (module + arena: 240 KB since outputs lie over their inputs). Where a model ran, tinyml's
    int8 outputs equal ml's and the host engine's. tinyml inspect's RAM verdicts agree: it fits
    where it ran."""
    from fomo_model import fomo_mobilenetv2
    from tinyml import inspect

    files = {
        "person_detect.tflite": models / "tflite-micro" / "person_detect.tflite",
        "kws.tflite": models / "mlcommons-tiny" / "kws_ref_model.tflite",
        "fomo.tflite": fomo_mobilenetv2(),
    }
    sizes = {name: len(tinyml.Model(str(path)).input()) for name, path in files.items()}
    levels = [
        ("openmv-m7", 52 << 10, list(files)),
        ("openmv-h7", 264 << 10, list(files)),
        ("emulated", 1 << 20, ["fomo.tflite"]),
    ]
    image = _image_of(camera, {k: v for k, v in files.items() if k != "person_detect.tflite"},
                      tmp_path / "heaps.img")  # fmt: skip
    ran, failed, _ = _camera_heaps(image, sizes, levels)
    assert failed[("openmv-m7", "import")] == "MemoryError"
    assert {key for key in ran if key[2] == "tinyml"} == {
        ("openmv-h7", "person_detect.tflite", "tinyml"),
        ("openmv-h7", "kws.tflite", "tinyml"),
        ("openmv-h7", "fomo.tflite", "tinyml"),
        ("emulated", "fomo.tflite", "tinyml"),
    }, failed
    assert ("openmv-m7", "kws.tflite", "ml") in ran  # ml's code is in the firmware
    assert ("openmv-m7", "person_detect.tflite", "ml") in failed
    assert ("openmv-m7", "fomo.tflite", "ml") in failed
    assert ("openmv-h7", "person_detect.tflite", "ml") in ran
    for name, path in files.items():
        x = bytes((i * 73 + 41) & 0xFF for i in range(sizes[name]))
        host = tinyml.Model(str(path))
        host.predict(x)
        want = bytes(host.output(0))
        for key, got in ran.items():
            if key[1] == name:
                assert got == want, key
    for board in ("openmv-m7", "openmv-h7"):
        for name, path in files.items():
            in_flash = inspect.fit(inspect.analyze(path), board).placements[0]
            ram_fits = not any("bytes of RAM" in r or "heap" in r for r in in_flash.reasons)
            assert ram_fits == ((board, name, "tinyml") in ran), (board, name, in_flash.reasons)


def test_fomo_in_flash_verdicts(capsys) -> None:
    """FOMO's architecture (MobileNetV2 0.35 on 96x96x1, cut after block_6_expand, 1x1 head,
    int8) as `tinyml inspect` sees it: a 12x12x2 grid out, MobileNetV2's ops with the residual
    ADDs of blocks 2, 4 and 5, a model that fits either camera's ROMFS partition, and an arena
    that patch-based execution brings under the M7's whole heap (its first layers run in bands).
    On the M7 tinyml's module alone does not fit; on the H7 it fits in flash (module and
    arena in the heap, as run on the emulated board in
    test_models_on_the_heap_a_camera_script_gets) and, patched, read into RAM too (before
    patching its 118 KB of activations did not); each verdict says why and hints."""
    from fomo_model import fomo_mobilenetv2
    from tinyml import cli, inspect

    model = fomo_mobilenetv2()
    report = inspect.analyze(model)
    assert report.inputs[0].shape == [1, 96, 96, 1] and report.inputs[0].dtype == "int8"
    assert report.outputs[0].shape == [1, 12, 12, 2] and report.outputs[0].dtype == "int8"
    ops = [layer.op for layer in report.layers]
    assert ops.count("ADD") == 3 and ops[-1] == "SOFTMAX" and not report.unsupported
    assert ops.count("DEPTHWISE_CONV_2D") == 6  # blocks 0-5; block 6 is cut before its own
    assert report.arena_bytes < 52 << 10 and report.file_bytes < 128 << 10
    assert cli.main(["inspect", str(model), "--board", "openmv-m7"]) == 1
    text = capsys.readouterr().out
    assert "board openmv-m7:  does NOT fit" in text and "tinyml's module alone takes" in text
    assert "bytes of flash for it" not in text  # the model itself fits the ROMFS partition
    assert "model in flash (ROMFS, used in place): does NOT fit" in text
    assert "hint: on OpenMV's firmware a .mpy's machine code is loaded into the heap" in text
    assert cli.main(["inspect", str(model), "--board", "openmv-h7"]) == 0
    text = capsys.readouterr().out
    assert "board openmv-h7:  fits" in text
    assert "model in flash (ROMFS, used in place): fits (RAM" in text
    assert "model read into RAM: fits (RAM" in text
    assert "tinyml module + arena + model)" in text
    assert "patched:      ops 0-5" in text


# README.md's commands ("Memory on a camera") for an OpenMV Cam M7: a module with only the ops
# of MLPerf Tiny AD, as written.
M7_COMMANDS = """\
.venv/bin/tinyml firmware build --board openmv-m7 --ops-from ../shared/models/mlcommons-tiny/ad01_int8.tflite
mkdir -p build/camera-m7
cp -r build/firmware/openmv-m7-ops/lib ../shared/models/mlcommons-tiny/ad01_int8.tflite build/camera-m7/
.venv/bin/tinyml push --romfs build/romfs-m7.img build/camera-m7
"""

# examples/person_detect/README.md's command for an H7 module with person_detect's ops alone.
H7_COMMAND = (
    ".venv/bin/tinyml firmware build --board openmv-h7 "
    "--ops-from ../shared/models/tflite-micro/person_detect.tflite"
)


def _run_commands(commands: str, readme: Path) -> None:
    """``commands`` as ``readme`` shows them, from the repository root."""
    text = readme.read_text()
    for line in commands.splitlines():
        assert line in text, f"{readme.name} no longer shows: {line}"
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _stated_kb(readme: Path, pattern: str) -> int:
    """The heap in KB ``readme`` states where ``pattern`` (its one group the number) matches."""
    found = re.search(pattern, " ".join(readme.read_text().split()))
    assert found, f"{readme.name} no longer says {pattern!r}"
    return int(found.group(1))


def _heap_is_size_plus_3_to_4_kb(heap: int, mpy: Path) -> None:
    """README.md's rule for judging a module's heap, which tinyml inspect does not know."""
    size = mpy.stat().st_size
    assert 3 << 10 <= heap - size <= 4 << 10, (mpy, size, heap)


def test_ops_module_runs_on_an_m7_heap(camera: Path, models: Path, tmp_path: Path) -> None:
    """A module built --ops-from MLPerf Tiny AD (README.md's commands) takes a fraction of the
    full module's heap (the README's figure, measured here) and, with the emulated heap cut to
    an OpenMV Cam M7's, imports and runs AD from ROMFS with the host engine's output bytes and
    OpenMV ml's; KWS, whose CONV_2D the module left out, is refused naming the op and the fix.
    The full module does not even import there (test_models_on_the_heap_a_camera_script_gets).
    A person_detect-only module for the H7 (examples/person_detect/README.md) is measured too."""
    readme = ROOT / "README.md"
    shutil.rmtree(ROOT / "build" / "camera-m7", ignore_errors=True)
    _run_commands(M7_COMMANDS, readme)
    linked = ROOT / "build" / "firmware" / "openmv-m7-ops" / "obj" / "_tinyml.gc.o"
    symbols = subprocess.run(["arm-none-eabi-nm", str(linked)], capture_output=True, text=True,
                             check=True).stdout.split()  # fmt: skip
    assert "tml_op_fully_connected" in symbols and "tml_ref_fully_connected_s8" in symbols
    assert "tml_op_conv_2d" not in symbols and "tml_conv_2d_s8" not in symbols
    heap = _module_heap(ROOT / "build" / "romfs-m7.img")
    # The full module beside the same compiled package.
    full_mpy = {"lib/_tinyml.mpy": camera / "lib" / "_tinyml.mpy"}
    full = _module_heap(_image_of(ROOT / "build" / "camera-m7", full_mpy, tmp_path / "full.img"))
    print(f"OpenMV firmware: import tinyml takes {heap} B of heap (AD's ops only; full {full})")
    assert heap < full // 2
    _heap_is_size_plus_3_to_4_kb(heap, ROOT / "build/firmware/openmv-m7-ops/_tinyml.mpy")
    _heap_is_size_plus_3_to_4_kb(full, camera / "lib" / "_tinyml.mpy")
    stated = _stated_kb(readme, r"AD's ops alone the module takes about (\d+) KB of heap")
    assert abs(stated - heap / 1024) <= 3, f"README.md: say about {heap // 1024} KB"
    stated = _stated_kb(readme, r"\(the full one about (\d+) KB, beside the same compiled package")
    assert abs(stated - full / 1024) <= 3, f"README.md: say about {full // 1024} KB"

    ad = models / "mlcommons-tiny" / "ad01_int8.tflite"
    kws = models / "mlcommons-tiny" / "kws_ref_model.tflite"
    files = {"ad01_int8.tflite": ad, "kws.tflite": kws}
    sizes = {name: len(tinyml.Model(str(path)).input()) for name, path in files.items()}
    image = _image_of(ROOT / "build" / "camera-m7", {"kws.tflite": kws}, tmp_path / "m7.img")
    # ml's code is in the firmware, but its arena does not fit beside tinyml's module on an
    # M7 heap: it is compared on the whole emulated heap.
    levels = [("openmv-m7", 52 << 10, list(sizes)), ("emulated", 1 << 20, ["ad01_int8.tflite"])]
    ran, failed, messages = _camera_heaps(image, sizes, levels)
    assert ("openmv-m7", "import") not in failed
    host = tinyml.Model(str(ad))
    host.predict(bytes((i * 73 + 41) & 0xFF for i in range(sizes["ad01_int8.tflite"])))
    want = bytes(host.output(0))
    assert ran[("openmv-m7", "ad01_int8.tflite", "tinyml")] == want
    assert ran[("emulated", "ad01_int8.tflite", "tinyml")] == want
    assert ran[("emulated", "ad01_int8.tflite", "ml")] == want
    print("OpenMV firmware, left-out op:", messages[("openmv-m7", "kws.tflite", "tinyml")])
    assert failed[("openmv-m7", "kws.tflite", "tinyml")] == "NotImplementedError"
    message = messages[("openmv-m7", "kws.tflite", "tinyml")]
    assert "unsupported op CONV_2D v" in message
    assert "not built in; rebuild with --ops-from naming this model" in message

    person_readme = ROOT / "examples" / "person_detect" / "README.md"
    _run_commands(H7_COMMAND, person_readme)
    tree = tmp_path / "h7"
    shutil.copytree(ROOT / "build/firmware/openmv-h7-ops/lib", tree / "lib")
    (tmp_path / "h7.img").write_bytes(romfs.build(tree))
    heap = _module_heap(tmp_path / "h7.img")
    print(f"OpenMV firmware: import tinyml takes {heap} B of heap (person_detect's ops only)")
    _heap_is_size_plus_3_to_4_kb(heap, ROOT / "build/firmware/openmv-h7-ops/_tinyml.mpy")
    stated = _stated_kb(
        person_readme, r"person_detect's ops alone the module takes about (\d+) KB"
    )
    assert abs(stated - heap / 1024) <= 3, f"{person_readme.name}: say about {heap // 1024} KB"
    stated = _stated_kb(person_readme, r"beside the same compiled package takes (\d+) KB")
    assert abs(stated - full / 1024) <= 3, f"{person_readme.name}: say {full // 1024} KB"
