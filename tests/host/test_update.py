"""Model updates in the field: ``tinyml publish`` on the host, ``tinyml.update`` on the unix port.

Each test gets a fresh unix-port device (its filesystem is a private directory) and a web
server on 127.0.0.1 that this test runs in a thread and that stops by itself. The device first
installs model 1 (hello_world) from the server; then an update to model 2 (the MLPerf Tiny KWS
model with labels and pipeline settings) succeeds, is refused for a named reason, or is killed
(SIGKILL, no clean-up) at one step. Afterwards a fresh process loads the active model, checks
its files against its manifest, reruns its self-test and says which model it is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shlex
import shutil
import socket
import subprocess
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from tinyml import cli, push
from tinyml.device import Device
from tinyml.errors import DeviceError, ModelError, TinymlError
from tinyml.inspect import engine
from tinyml.paths import Paths, repo_root
from tinyml.publish import MANIFEST, publish

MODEL_1 = "tflite-micro/hello_world_int8.tflite"
MODEL_2 = "mlcommons-tiny/kws_ref_model.tflite"
LABELS_2 = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "silence", "?"]
SERVER_LIFETIME_S = 120.0
# MFCC features of the KWS model's input, (49, 10): tinyml.pipeline's audio config.
KWS_PIPELINE = {"type": "audio", "rate": 16000, "frame_length": 640, "hop": 320,
                "n_fft": 1024, "n_mels": 40, "n_mfcc": 10, "frames": 49}  # fmt: skip

# The steps of tinyml.update.update(), in order, and the version active after a kill there.
STEPS = [
    ("manifest", "1"),
    ("slot_cleared", "1"),
    ("downloading", "1"),
    ("downloaded", "1"),
    ("verified", "1"),
    ("self_tested", "1"),
    ("record_written", "1"),
    ("old_record_removed", "2"),
    ("switched", "2"),
]

UPDATE = """\
import tinyml.update as u
try:
    a = u.update({url!r})
    print('updated', a.slot, a.version)
except u.UpdateError as e:
    print('refused', e.step, e.reason)
"""

# A kill that runs no clean-up: the shell's parent is this MicroPython process.
KILLED_AT = """\
import os
import tinyml.update as u

def hook(step):
    if step == {step!r}:
        print('killed at', step)
        os.system('kill -KILL $PPID')
        while True:
            pass

u.update({url!r}, hook=hook)
"""

LOAD_ACTIVE = """\
import tinyml.update as u
from tinyml import pipeline
a = u.load_active(verify=True)
u.self_test(a.model, a.manifest)
labels = a.model.labels[:3] if a.model.labels else None
p = type(pipeline.load(a.pipeline, a.model)).__name__ if a.pipeline else None
print('active', a.slot, a.version, labels, p)
"""


class _Handler(SimpleHTTPRequestHandler):
    """Static files, plus faults by path: ``faults[path] = "drop"`` sends the headers and half
    the body, then closes the connection and stops the server (a server gone mid-transfer);
    ``"corrupt"`` flips one byte of the body."""

    faults: ClassVar[dict[str, str]] = {}
    timeout = 10

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        fault = self.faults.get(self.path)
        if fault is None:
            return super().do_GET()
        data = bytearray(Path(self.translate_path(self.path)).read_bytes())
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if fault == "corrupt":
            data[len(data) // 2] ^= 0x40
            self.wfile.write(data)
        elif fault == "drop":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            threading.Thread(target=self.server.shutdown, daemon=True).start()


class Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.faults: dict[str, str] = {}
        handler = type("Handler", (_Handler,), {"faults": self.faults})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        # Stops by itself even if the test never gets to its teardown.
        self.timer = threading.Timer(SERVER_LIFETIME_S, self.httpd.shutdown)
        self.timer.daemon = True
        self.timer.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path}"

    def stop(self) -> None:
        self.timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)


@pytest.fixture
def site(tmp_path: Path, models: Path) -> Path:
    """www/1 and www/2: published models 1 and 2."""
    www = tmp_path / "www"
    publish(models / MODEL_1, www / "1", version="1")
    labels = tmp_path / "labels.txt"
    labels.write_text("\n".join(LABELS_2) + "\n")
    pipeline = tmp_path / "pipeline.json"
    pipeline.write_text(json.dumps(KWS_PIPELINE))
    publish(models / MODEL_2, www / "2", labels=labels, pipeline=pipeline, version="2")
    return www


@pytest.fixture
def server(site: Path):
    s = Server(site)
    yield s
    s.stop()


@pytest.fixture
def fresh_paths(tmp_path: Path, monkeypatch) -> Paths:
    """Paths whose unix device starts with an empty filesystem (it persists otherwise)."""
    monkeypatch.setenv("TINYML_UNIX_FS", str(tmp_path / "unix-fs"))
    return Paths.default()


@pytest.fixture
def unix(fresh_paths: Paths) -> Device:
    with Device("unix", paths=fresh_paths) as dev:
        yield dev


def _update(dev: Device, url: str) -> str:
    return dev.exec(UPDATE.format(url=url), timeout=60).strip()


def _active(dev: Device) -> str:
    return dev.exec(LOAD_ACTIVE, timeout=60).strip()


ACTIVE_1 = "active a 1 None None"
ACTIVE_2 = "active b 2 ['yes', 'no', 'up'] AudioPipeline"


def _installed_1(dev: Device, server: Server) -> None:
    assert _update(dev, server.url("1/manifest.json")) == "updated a 1"
    assert _active(dev) == ACTIVE_1


def test_publish_writes_files_hashes_and_the_engines_self_test(site: Path, models: Path) -> None:
    """The manifest's sizes and SHA-256 are the files'; its expected outputs are what the
    host engine computes for its inputs."""
    m = json.loads((site / "2" / MANIFEST).read_text())
    assert m["format"] == 1 and m["version"] == "2"
    assert sorted(m["files"]) == ["labels", "model", "pipeline"]
    for f in m["files"].values():
        data = (site / "2" / f["name"]).read_bytes()
        assert (f["size"], f["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert (site / "2" / "kws_ref_model.tflite").read_bytes() == (models / MODEL_2).read_bytes()
    model = engine().Model((models / MODEL_2).read_bytes())
    x = base64.b64decode(m["self_test"]["inputs"][0])
    assert len(x) == 490 and len(set(x)) > 100  # a spread of values, not zeros
    model.input(0)[:] = x
    model.invoke()
    assert base64.b64decode(m["self_test"]["outputs"][0]) == bytes(model.output(0))


def test_publish_refuses_what_the_engine_cannot_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\0" * 64)
    with pytest.raises(ModelError, match="bad.tflite: not a TFLite model"):
        publish(bad, tmp_path / "out")
    assert cli.main(["publish", str(tmp_path / "none.tflite"), "--out", str(tmp_path)]) == 2


def test_publish_refuses_a_pipeline_the_board_would_refuse(tmp_path: Path, models: Path) -> None:
    bad = tmp_path / "pipeline.json"
    bad.write_text(json.dumps({**KWS_PIPELINE, "frames": 48}))
    with pytest.raises(TinymlError, match="makes 480 features, model input .* holds 490"):
        publish(models / MODEL_2, tmp_path / "out", pipeline=bad)
    bad.write_text("{frames: 49}")
    with pytest.raises(TinymlError, match="pipeline.json: not valid JSON"):
        publish(models / MODEL_2, tmp_path / "out", pipeline=bad)
    assert not (tmp_path / "out").exists()


def test_publish_cli(tmp_path: Path, models: Path, capsys) -> None:
    assert cli.main(["publish", str(models / MODEL_1), "--out", str(tmp_path / "s"),
                     "--version", "7"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "model: hello_world_int8.tflite (2,704 bytes" in out
    assert f"wrote {tmp_path / 's' / MANIFEST} (version 7)" in out


def test_publish_self_test_from_a_real_sample(tmp_path: Path, models: Path, unix: Device) -> None:
    """--self-test x.npy: the manifest holds x quantized and the engine's outputs for x;
    TFLite Micro and the engine given that quantized input compute those outputs; the device
    passes that self-test too."""
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime
    from tinyml import run as host_run

    x = np.random.default_rng(5).normal(0.0, 20.0, (1, 490)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "site"
    args = ["publish", str(models / MODEL_2), "--out", str(out), "--self-test"]
    assert cli.main([*args, str(tmp_path / "x.npy")]) == 0
    m = json.loads((out / MANIFEST).read_text())
    sent = base64.b64decode(m["self_test"]["inputs"][0])
    expected = base64.b64decode(m["self_test"]["outputs"][0])
    tflm = runtime.Interpreter.from_file(str(models / MODEL_2))
    tflm.set_input(np.frombuffer(sent, np.int8).reshape(1, 49, 10, 1), 0)
    tflm.invoke()
    assert np.array(tflm.get_output(0)).tobytes() == expected
    loaded = host_run.load_model(models / MODEL_2)
    assert host_run.run_batch(loaded, x).raw[0].tobytes() == expected
    as_sent = host_run.run_batch(loaded, np.frombuffer(sent, np.int8).reshape(1, 490))
    assert as_sent.raw[0].tobytes() == expected
    assert push.push_update(unix, out).version == m["version"]
    np.save(tmp_path / "two.npy", np.zeros((2, 490), np.float32))
    assert cli.main([*args, str(tmp_path / "two.npy")]) == 2


def test_good_updates_alternate_slots(unix: Device, server: Server) -> None:
    """1 into slot a, 2 into slot b (labels and pipeline with it), then 1 again into a."""
    _installed_1(unix, server)
    assert _update(unix, server.url("2/manifest.json")) == "updated b 2"
    assert _active(unix) == ACTIVE_2
    assert _update(unix, server.url("1/manifest.json")) == "updated a 1"
    assert _active(unix) == ACTIVE_1


def test_check_is_current_when_the_version_is_the_same(unix: Device, server: Server) -> None:
    _installed_1(unix, server)
    code = "import tinyml.update as u\nprint(u.check({url!r}))\n"
    out = unix.exec(code.format(url=server.url("1/manifest.json")), timeout=60)
    assert out.startswith("('current', <model 1 in slot a:")
    out = unix.exec(code.format(url=server.url("2/manifest.json")), timeout=60)
    assert out.startswith("('updated', <model 2 in slot b:")


def test_agent_switches_once_and_reports_refusals(unix: Device, server: Server) -> None:
    """The agent updates to a new version, leaves a current one alone, and prints a refusal."""
    _installed_1(unix, server)
    code = (
        "import tinyml.update as u\n"
        "u.agent({url!r}, interval_s=0, checks=2, on_change=lambda a: print('now', a.version))\n"
    )
    assert unix.exec(code.format(url=server.url("2/manifest.json")), timeout=60) == "now 2\n"
    out = unix.exec(code.format(url=server.url("3/manifest.json")), timeout=60).splitlines()
    refusal = "tinyml.update: kept the active model: manifest: {}: server answered 404"
    assert out == [refusal.format(server.url("3/manifest.json"))] * 2
    assert _active(unix) == ACTIVE_2


def _edit_manifest(site: Path, edit) -> None:
    path = site / "2" / MANIFEST
    m = json.loads(path.read_text())
    edit(m)
    path.write_text(json.dumps(m))


def _wrong_hash(site: Path, server: Server) -> None:
    _edit_manifest(site, lambda m: m["files"]["model"].update(sha256="0" * 64))


def _truncated(site: Path, server: Server) -> None:
    model = site / "2" / "kws_ref_model.tflite"
    model.write_bytes(model.read_bytes()[:1000])


def _corrupt(site: Path, server: Server) -> None:
    server.faults["/2/kws_ref_model.tflite"] = "corrupt"


def _server_gone(site: Path, server: Server) -> None:
    server.faults["/2/kws_ref_model.tflite"] = "drop"


def _self_test_mismatch(site: Path, server: Server) -> None:
    def edit(m: dict) -> None:
        out = bytearray(base64.b64decode(m["self_test"]["outputs"][0]))
        out[3] ^= 1
        m["self_test"]["outputs"][0] = base64.b64encode(out).decode()

    _edit_manifest(site, edit)


def _labels_missing(site: Path, server: Server) -> None:
    (site / "2" / "labels.txt").unlink()


def _not_json(site: Path, server: Server) -> None:
    (site / "2" / MANIFEST).write_text("<html>captive portal</html>")


def _not_a_model(site: Path, server: Server) -> None:
    # Files and hashes agree, but the model does not load: the manifest was published for it.
    model = site / "2" / "kws_ref_model.tflite"
    data = b"\0" * 4096
    model.write_bytes(data)
    _edit_manifest(site, lambda m: m["files"]["model"].update(
        size=len(data), sha256=hashlib.sha256(data).hexdigest()))  # fmt: skip


REFUSALS = {
    "wrong_hash": (
        _wrong_hash,
        (
            "verify kws_ref_model.tflite: sha256 aeea43680070..., manifest says 000000000000... "
            "(corrupt download?)"
        ),
    ),
    "corrupt_download": (_corrupt, "verify kws_ref_model.tflite: sha256 "),
    "truncated_file": (
        _truncated,
        "download {url}/2/kws_ref_model.tflite: server sends 1000 bytes, manifest says 53936",
    ),
    "server_gone_mid_transfer": (
        _server_gone,
        (
            "download {url}/2/kws_ref_model.tflite: truncated: got 26968 of 53936 bytes "
            "(connection closed)"
        ),
    ),
    "self_test_mismatch": (
        _self_test_mismatch,
        "self_test self-test output 0 differs from the manifest's at byte 3 of 12",
    ),
    "labels_missing": (_labels_missing, "download {url}/2/labels.txt: server answered 404"),
    "manifest_not_json": (_not_json, "manifest manifest is not valid JSON"),
    "model_does_not_load": (
        _not_a_model,
        "self_test models/slot_b/kws_ref_model.tflite does not load: ",
    ),
}


@pytest.mark.parametrize("fault", list(REFUSALS))
def test_refused_update_keeps_the_active_model(
    fault: str, unix: Device, server: Server, site: Path
) -> None:
    """The update is refused with its reason; model 1 stays active and valid; once the server
    is fixed, the same update goes through."""
    _installed_1(unix, server)
    pristine = site.parent / "pristine"
    shutil.copytree(site / "2", pristine)
    break_it, reason = REFUSALS[fault]
    break_it(site, server)
    out = _update(unix, server.url("2/manifest.json"))
    base = server.url("").rstrip("/")
    assert out.startswith("refused " + reason.format(url=base)), out
    assert _active(unix) == ACTIVE_1
    if fault == "server_gone_mid_transfer":
        server = Server(site)  # the old one stopped itself
    server.faults.clear()
    shutil.rmtree(site / "2")
    shutil.copytree(pristine, site / "2")
    try:
        assert _update(unix, server.url("2/manifest.json")) == "updated b 2"
    finally:
        if fault == "server_gone_mid_transfer":
            server.stop()
    assert _active(unix) == ACTIVE_2


def test_unwritable_slot_is_refused(unix: Device, server: Server) -> None:
    """A slot that cannot be written (here a file where its folder belongs) is a refusal with
    the OS's reason, not a traceback; model 1 stays."""
    _installed_1(unix, server)
    unix.exec("open('models/slot_b', 'w').close()\n")
    # MicroPython's errno has no name for ENOTDIR.
    assert _update(unix, server.url("2/manifest.json")) == (
        "refused download cannot write slot b: errno 20 (is the filesystem full?)"
    )
    assert _active(unix) == ACTIVE_1


def test_no_server_at_all(unix: Device, server: Server) -> None:
    """No server on the port, or https:// to a plain HTTP server: refused, model 1 stays."""
    _installed_1(unix, server)
    assert _update(unix, "http://127.0.0.1:1/2/manifest.json") == (
        "refused manifest http://127.0.0.1:1/2/manifest.json: ECONNREFUSED"
    )
    https = server.url("2/manifest.json").replace("http:", "https:")
    assert _update(unix, https) == (
        f"refused manifest {https}: TLS handshake failed: SSL - An invalid SSL record was "
        "received; is the server https?"
    )
    assert _active(unix) == ACTIVE_1


@pytest.mark.parametrize("step, version", STEPS, ids=[s for s, _ in STEPS])
def test_kill_at_every_step(step: str, version: str, unix: Device, server: Server) -> None:
    """A kill (SIGKILL, no clean-up) at each step of the update to 2 leaves exactly one valid
    model active: 1 until the old record is gone, 2 from then on. A new update then works."""
    _installed_1(unix, server)
    with pytest.raises(DeviceError) as e:
        unix.exec(KILLED_AT.format(step=step, url=server.url("2/manifest.json")), timeout=60)
    assert e.value.output.strip() == f"killed at {step}"
    if version == "1":
        assert _active(unix) == ACTIVE_1
        assert _update(unix, server.url("2/manifest.json")) == "updated b 2"
        assert _active(unix) == ACTIVE_2
    else:
        assert _active(unix) == ACTIVE_2
        assert _update(unix, server.url("1/manifest.json")) == "updated a 1"
        assert _active(unix) == ACTIVE_1


RECORDS = """\
import json
for n in ('active', 'active.tmp'):
    try:
        r = json.loads(open('models/' + n).read())
        print(n, r['slot'], r['version'])
    except OSError:
        print(n, 'missing')
"""


def test_next_update_first_settles_an_interrupted_switch(unix: Device, server: Server) -> None:
    """After a kill between removing ``active`` and renaming ``active.tmp``, the next update
    puts the record in place before it writes anything, so no later kill can leave none."""
    _installed_1(unix, server)
    with pytest.raises(DeviceError):
        unix.exec(KILLED_AT.format(step="old_record_removed", url=server.url("2/manifest.json")))
    assert unix.exec(RECORDS).splitlines() == [
        "active missing",
        "active.tmp b 2",
    ]
    with pytest.raises(DeviceError):
        unix.exec(KILLED_AT.format(step="slot_cleared", url=server.url("1/manifest.json")))
    assert unix.exec(RECORDS).splitlines() == [
        "active b 2",
        "active.tmp missing",
    ]
    assert _active(unix) == ACTIVE_2


def test_no_model_installed_says_how_to_install_one(unix: Device) -> None:
    with pytest.raises(DeviceError, match="NoModelError: no model installed in models: run "):
        _active(unix)
    unix.exec("import os\nos.mkdir('models')\nopen('models/active', 'w').write('{')\n")
    with pytest.raises(DeviceError, match="NoModelError: unreadable record models/active: run "):
        _active(unix)


def test_push_update_over_the_cable(unix: Device, site: Path, server: Server) -> None:
    """``tinyml push --update`` fills the spare slot over the cable and the device switches
    with the same checks; a self-test mismatch is refused the same way."""
    _installed_1(unix, server)
    r = push.push_update(unix, site / "2")
    assert (r.slot, r.version) == ("b", "2")
    assert [p.remote for p in r.pushed][-1] == "models/slot_b/manifest.json"
    assert _active(unix) == ACTIVE_2
    _self_test_mismatch(site, server)
    (site / "2" / MANIFEST).write_text((site / "2" / MANIFEST).read_text().replace('"2"', '"3"'))
    with pytest.raises(DeviceError, match="refused the update at self_test: self-test output 0"):
        push.push_update(unix, site / "2")
    assert _active(unix) == ACTIVE_2


def test_push_update_cli(site: Path, capsys) -> None:
    assert cli.main(["push", "--update", str(site / "1"), "--device", "unix"]) == 0
    assert "model 1 is active in slot a on unix" in capsys.readouterr().out
    assert cli.main(["push", "--update", str(site / "nothing"), "--device", "unix"]) == 2
    assert "manifest.json: No such file or directory" in capsys.readouterr().err


README_SECTION = "## Model updates"
README_COMMANDS = [
    "tinyml publish kws.tflite --labels labels.txt --version 2 --out site",
    "python3 -m http.server 8000 --bind 127.0.0.1 --directory site",
    "tinyml push --update site --device unix",
]


def _readme_blocks(kind: str) -> list[str]:
    text = (repo_root() / "README.md").read_text()
    section = text.split("\n" + README_SECTION + "\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{kind}\n(.*?)```", section, re.DOTALL)


def _wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 15.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"the README's server exited: {proc.stderr.read().decode()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def test_readme_model_updates_section_runs_as_written(
    tmp_path: Path, models: Path, fresh_paths: Paths, monkeypatch, capsys
) -> None:
    """The section's shell commands, in order, in a folder holding kws.tflite and labels.txt;
    its board code on the unix port against the server the second command starts."""
    lines = [ln for b in _readme_blocks("sh") for ln in b.splitlines()]
    assert [ln for ln in lines if ln.strip() and not ln.startswith("#")] == README_COMMANDS
    (code,) = _readme_blocks("python")
    shutil.copyfile(models / MODEL_2, tmp_path / "kws.tflite")
    (tmp_path / "labels.txt").write_text("\n".join(LABELS_2) + "\n")
    monkeypatch.chdir(tmp_path)

    publish_cmd, serve_cmd, push_cmd = (shlex.split(c) for c in README_COMMANDS)
    assert cli.main(publish_cmd[1:]) == 0
    assert "wrote site/manifest.json (version 2)" in capsys.readouterr().out
    server = subprocess.Popen(serve_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for_port(8000, server)
        with Device("unix", paths=fresh_paths) as dev:
            out = dev.exec(code, timeout=60).splitlines()
            assert out == [
                "('updated', <model 2 in slot a: models/slot_a/kws.tflite>)",
                "2 a ['yes', 'no', 'up']",
            ]
            out = dev.exec(code, timeout=60).splitlines()
            assert out[0] == "('current', <model 2 in slot a: models/slot_a/kws.tflite>)"
    finally:
        server.terminate()
        server.wait(10)
        server.stderr.close()
    assert cli.main(push_cmd[1:]) == 0
    # The unix device keeps its files: model 2 is already in slot a, so the push fills b.
    assert "model 2 is active in slot b on unix" in capsys.readouterr().out


CLEAN_SLOTS = """\
import os
import tinyml.update as u
for d in (u.slot_dir('a'), u.slot_dir('b')):
    try:
        for n in os.listdir(d):
            os.remove(d + '/' + n)
        os.rmdir(d)
    except OSError:
        pass
for n in ('active', 'active.tmp'):
    try:
        os.remove(u.ROOT + '/' + n)
    except OSError:
        pass
print(u.ROOT)
"""


def test_push_update_on_each_device(device: Device, site: Path) -> None:
    """Over the cable the same slots work on the emulated board (no network there): 1 into
    slot a, 2 into slot b, and a fresh run loads 2 and passes its self-test again."""
    root = device.exec(CLEAN_SLOTS, timeout=60).strip()
    assert root == ("models" if device.target == "unix" else "/models")
    try:
        assert push.push_update(device, site / "1").slot == "a"
        r = push.push_update(device, site / "2")
        assert (r.slot, r.version) == ("b", "2")
        assert r.pushed[0].remote == f"{root}/slot_b/kws_ref_model.tflite"
        assert device.exec(LOAD_ACTIVE, timeout=120).strip() == ACTIVE_2
    finally:
        device.exec(CLEAN_SLOTS, timeout=60)
