"""Build and run the libFuzzer targets; ``test_fuzz.py`` and the long campaigns (README.md)
both go through here.

    .venv/bin/python tests/fuzz/fuzz.py TARGET [--seconds N] [--merge]

Targets:

- ``model``: ``fuzz_model.c`` over models up to 64 KB (the small real models, generated Keras
  models, mutants in ``corpus/model``), with the structure-aware field mutator.
- ``model_big``: the same harness seeded with the real models from 64 KB to 1.2 MB
  (person_detect, the VWW models, ad01, face_landmarks...), read from the shared models folder
  at run time: they are too big for the repository.
- ``dsp``: ``fuzz_dsp.c``, every function of the ``dsp`` module through the glue both faces
  call, built for 32-bit x86 (``-m32``) when the toolchain has it, so that ``size_t`` is 32
  bits wide as on the boards and a size product that wraps there wraps here.
- ``face``: ``fuzz_face.py``, Python objects of every kind through the CPython face (input
  conversion, out, labels, metadata, indices, arenas), run by atheris (the ``atheris`` wheel).

The fuzzer writes what it finds into ``build/fuzz/corpus-TARGET``; the repository's minimized
corpus (``corpus/TARGET``) and the seeds are read from beside it. ``--merge`` merges the build
corpus into the repository's with ``-merge=1``, keeping inputs up to 4 KB. A finding lands in
``build/fuzz/artifacts/`` and the exit status is libFuzzer's.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from engine_sources import engine_sources

ENGINE = os.path.join(ROOT, "native_module", "engine")
DSP = os.path.join(ROOT, "native_module", "dsp")
OUT = os.path.join(ROOT, "build", "fuzz")
MODELS = os.environ.get("TINYML_MODELS") or os.path.join(ROOT, "..", "shared", "models")
REGRESSIONS = os.path.join(HERE, "regressions")
CORPUS_FILE_MAX = 4096

# Signed overflow is left out: a corrupt scale or zero point overflows the int32
# accumulators of every kernel (TFLite Micro's too). That gives garbage outputs, not
# memory errors, which ASan would still catch. Shifts, casts and bounds stay checked.
SANITIZE = [
    "-fsanitize=address,undefined",
    "-fno-sanitize=signed-integer-overflow",
    "-fno-sanitize-recover=all",
]


def model_sources() -> list[str]:
    return [os.path.join(HERE, "fuzz_model.c"), os.path.join(HERE, "model_fields.c"),
            *engine_sources()]  # fmt: skip


def dsp_sources() -> list[str]:
    return [os.path.join(HERE, "fuzz_dsp.c"), *sorted(glob.glob(os.path.join(DSP, "*.c"))),
            os.path.join(ENGINE, "tml_math.c")]  # fmt: skip


# name: (harness, sources, include dirs, -max_len, 32-bit when possible, model sizes seeded)
TARGETS = {
    "model": ("fuzz_model", model_sources, [ENGINE], 65536, False, (0, 65536)),
    "model_big": ("fuzz_model", model_sources, [ENGINE], 1_200_000, False, (65536, 1_200_000)),
    "dsp": ("fuzz_dsp", dsp_sources, [DSP, ENGINE], 4096, True, None),
    # Python, run by atheris: no build.
    "face": ("fuzz_face.py", None, None, 16384, False, None),
}


def build(harness: str, cc: str, fuzzer: bool, exe: str, m32: bool = False) -> tuple[bool, str]:
    """Compiles a harness with the sanitizers: with libFuzzer, or with -DFUZZ_MAIN (a main()
    that runs each file named on its command line once and prints how it ended)."""
    sources = {t[0]: t[1] for t in TARGETS.values() if t[1]}[harness]()
    includes = {t[0]: t[2] for t in TARGETS.values() if t[1]}[harness]
    flags = [*SANITIZE, "-fsanitize=fuzzer" if fuzzer else "-DFUZZ_MAIN"]
    cmd = [cc, "-std=c99", "-g", "-O1", *(["-m32"] if m32 else []), *flags,
           *[f"-I{d}" for d in includes], *sources, "-lm", "-o", exe]  # fmt: skip
    run = subprocess.run(cmd, check=False, capture_output=True, text=True)
    return run.returncode == 0, run.stderr


def up_to_date(exe: str, harness: str) -> bool:
    """Whether exe is newer than its sources and every header beside them."""
    if not os.path.exists(exe):
        return False
    sources = {t[0]: t[1] for t in TARGETS.values() if t[1]}[harness]()
    headers = glob.glob(os.path.join(HERE, "*.h"))
    for folder in (ENGINE, DSP):
        headers += glob.glob(os.path.join(folder, "**", "*.h"), recursive=True)
    newest = max(os.path.getmtime(p) for p in [*sources, *headers, __file__])
    return os.path.getmtime(exe) > newest


def build_target(target: str) -> tuple[list[str], bool]:
    """The command of a target: its libFuzzer binary in build/fuzz (32-bit when asked for and
    the toolchain has it), built again when a source changed, or this Python running the
    atheris harness; returns (command, is 32-bit). Raises RuntimeError when it cannot build."""
    harness, sources, _, _, m32, _ = TARGETS[target]
    if sources is None:
        return [sys.executable, os.path.join(HERE, harness)], False
    exe, m32 = build_binary(harness, m32)
    return [exe], m32


def build_binary(harness: str, m32: bool) -> tuple[str, bool]:
    os.makedirs(OUT, exist_ok=True)
    if m32:
        exe = os.path.join(OUT, harness + "32")
        if up_to_date(exe, harness) or build(harness, "clang", True, exe, m32=True)[0]:
            return exe, True
    exe = os.path.join(OUT, harness)
    if up_to_date(exe, harness):
        return exe, False
    ok, err = build(harness, "clang", True, exe)
    if not ok:
        raise RuntimeError(err)
    return exe, False


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


def compressed_variants(name: str, data: bytes) -> dict[str, bytes]:
    """The model with 2- and 4-bit TFLM_DECODE weights (tinyml's compressor), so the fuzzer
    starts from valid lookup-table headers; none where the model has no weights to compress
    or TensorFlow (which the compressor's flatbuffer schema comes from) is missing."""
    try:
        from tinyml import compress as cz
        from tinyml.errors import TinymlError
    except ImportError:
        return {}
    out = {}
    for bits, per in ((4, "auto"), (2, "channel")):
        try:
            out[f"compressed{bits}-{name}"] = cz.compress(data, cz.Spec(bits, per)).data
        except (TinymlError, ValueError):  # nothing to compress, or an odd model
            pass
    return out


def seed_models(lo: int, hi: int) -> list[str]:
    """Real models (and generated Keras models) from lo to hi bytes."""
    paths = glob.glob(os.path.join(MODELS, "**", "*.tflite"), recursive=True)
    paths += glob.glob(os.path.join(ROOT, "build", "testmodels", "*.tflite"))
    return sorted(p for p in paths if lo < os.path.getsize(p) <= hi)


def write_seeds(target: str, seeds: str) -> int:
    """Writes the run-time seeds of a target (real models and their external-buffer and
    compressed variants, the regressions) into a folder; returns how many."""
    os.makedirs(seeds, exist_ok=True)
    _, _, _, max_len, _, sizes = TARGETS[target]
    paths = seed_models(*sizes) if sizes else []
    suffix = {"dsp": ".dsp", "face": ".face"}.get(target, ".tflite")
    paths += glob.glob(os.path.join(REGRESSIONS, "*" + suffix))
    for path in paths:
        name = os.path.basename(os.path.dirname(path)) + "-" + os.path.basename(path)
        with open(path, "rb") as f:
            data = f.read()
        variants = {name: data}
        if sizes and path.startswith(MODELS) and len(data) <= 65536:
            variants["external-" + name] = external_buffers(data)
            variants.update(compressed_variants(name, data))
        for seed_name, seed in variants.items():
            if len(seed) <= max_len:
                with open(os.path.join(seeds, seed_name), "wb") as f:
                    f.write(seed)
    return len(os.listdir(seeds))


def sanitizer_env() -> dict[str, str]:
    return dict(
        os.environ,
        ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:quarantine_size_mb=64",
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1",
    )


def run(target: str, seconds: int, fixed_seed: bool = True, log: str | None = None):
    """Fuzzes a target for `seconds` from the repository corpus and the seeds. Returns
    (libFuzzer's exit status, the log's text, stats {"execs", "exec_per_sec", "cov", "ft"})."""
    exe, m32 = build_target(target)
    corpus = os.path.join(OUT, "corpus-" + target)
    artifacts = os.path.join(OUT, "artifacts") + os.sep
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    repo_corpus = os.path.join(HERE, "corpus", target)
    with tempfile.TemporaryDirectory(prefix="tinyml-seeds-") as seeds:
        write_seeds(target, seeds)
        dirs = [corpus, seeds] + ([repo_corpus] if os.path.isdir(repo_corpus) else [])
        cmd = [*exe, f"-max_total_time={seconds}", "-timeout=30", "-rss_limit_mb=2048",
               f"-max_len={TARGETS[target][3]}", f"-artifact_prefix={artifacts}",
               "-print_final_stats=1", *dirs]  # fmt: skip
        if fixed_seed:
            # The brief runs explore the same inputs each time, so a red run reproduces.
            cmd.insert(len(exe), "-seed=1")
        log = log or os.path.join(OUT, f"fuzz-{target}.log")
        with open(log, "w") as f:
            proc = subprocess.run(
                cmd, check=False, stdout=f, stderr=subprocess.STDOUT, env=sanitizer_env(),
                timeout=seconds + 600,
            )  # fmt: skip
    with open(log) as f:
        text = f.read()
    return proc.returncode, text, stats(text) | {"m32": m32}


def stats(text: str) -> dict[str, float]:
    """Executions, executions per second and coverage from a libFuzzer log."""
    found = {}
    for key, pattern in (
        ("execs", r"stat::number_of_executed_units:\s+(\d+)"),
        ("exec_per_sec", r"stat::average_exec_per_sec:\s+(\d+)"),
        ("cov", r"cov: (\d+) ft: \d+"),
        ("ft", r"cov: \d+ ft: (\d+)"),
    ):
        values = re.findall(pattern, text)
        found[key] = int(values[-1]) if values else 0
    return found


def merge(target: str) -> int:
    """Merges the build corpus and the seeds into corpus/TARGET (-merge=1 keeps the inputs
    that add coverage), dropping inputs over CORPUS_FILE_MAX bytes; returns the file count."""
    exe, _ = build_target(target)
    repo_corpus = os.path.join(HERE, "corpus", target)
    os.makedirs(repo_corpus, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tinyml-merge-") as tmp:
        new, seeds = os.path.join(tmp, "new"), os.path.join(tmp, "seeds")
        os.makedirs(new)
        write_seeds(target, seeds)
        sources = [repo_corpus, os.path.join(OUT, "corpus-" + target), seeds]
        subprocess.run(
            [*exe, "-merge=1", f"-max_len={TARGETS[target][3]}", "-timeout=30", new,
             *[s for s in sources if os.path.isdir(s)]],
            check=True, env=sanitizer_env(), capture_output=True,
        )  # fmt: skip
        shutil.rmtree(repo_corpus)
        os.makedirs(repo_corpus)
        for name in os.listdir(new):
            path = os.path.join(new, name)
            if os.path.getsize(path) <= CORPUS_FILE_MAX:
                shutil.copy(path, repo_corpus)
    return len(os.listdir(repo_corpus))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--merge", action="store_true", help="merge into corpus/TARGET after")
    args = parser.parse_args()
    log = os.path.join(OUT, f"campaign-{args.target}.log")
    code, text, found = run(args.target, args.seconds, fixed_seed=False, log=log)
    print(f"{args.target}{' (32-bit)' if found['m32'] else ''}: {found['execs']} executions, "
          f"{found['exec_per_sec']}/s, coverage {found['cov']} edges, {found['ft']} features, "
          f"exit {code}")  # fmt: skip
    if code != 0:
        print(text[-4000:])
        return code
    if args.merge:
        print(f"corpus/{args.target}: {merge(args.target)} inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
