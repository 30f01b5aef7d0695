"""tinyml demo gesture / anomaly / keyword_spotting: the examples' board scripts on the emulated board and the unix
port, with their right answers, timing, and the same output on CPython."""

from __future__ import annotations

import pytest
from device_runner import skip_unless_fits
from tinyml import cli, demo


def _demo(device, _devices, capsys, name: str) -> str:
    if device.exec("import tinyml\nprint(hasattr(tinyml, 'Model'))").strip() != "True":
        pytest.skip("firmware built without tinyml.Model; rebuild it")
    # The CLI opens its own connection: free the serial port the fixture holds.
    _devices.pop(device.target).close()
    assert cli.main(["demo", name, "--device", device.target]) == 0
    return capsys.readouterr().out


def test_demo_gesture(device, _devices, capsys) -> None:
    """All 8 synthetic gestures are recognised on the board, each with its inference time."""
    out = _demo(device, _devices, capsys, "gesture")
    assert "gesture on " in out
    rows = [ln.split() for ln in out.splitlines() if ln.startswith("  ") and " -> " in ln][1:]
    assert [r[0] for r in rows] == ["circle", "wing", "slope", "idle"] * 2
    assert all(r[0] == r[2] and r[-1] == "ms" for r in rows), out
    assert "8 of 8 gestures recognised" in out
    assert "CPython (same script, pipeline and engine): same output as the board" in out


def test_demo_anomaly(device, _devices, models, capsys) -> None:
    """The autoencoder's mean score on the normal sample is TFLite Micro's 10.2645; the hum
    scores higher on both scorers, and the board's Mahalanobis scorer flags it."""
    skip_unless_fits(device, [models / "mlcommons-tiny" / "ad01_int8.tflite"], "the anomaly demo")
    out = _demo(device, _devices, capsys, "anomaly")
    assert "  normal       10.2645           3.84" in out
    assert "  hum          12.3979           9.43" in out
    assert "TFLite Micro's mean MSE on the normal sound: 10.2645 (same)" in out
    assert "flags 94 of 96 hum windows" in out
    assert "model.predict " in out and " ms each" in out
    assert "same output as the board" in out


def test_demo_kws(device, _devices, capsys) -> None:
    """TFLite Micro's four micro_speech clips get TFLM's answers on the board (noise counts as
    silence, as in TFLM's own test), and CPython prints the same."""
    out = _demo(device, _devices, capsys, "keyword_spotting")
    rows = {ln.split()[0]: ln.split()[2] for ln in out.splitlines() if " -> " in ln}
    assert rows == {"yes": "yes", "no": "no", "silence": "silence", "noise": "silence"}, out
    assert "same output as the board" in out


def test_anomaly_demo_refuses_a_score_unlike_tflm() -> None:
    """A board whose mean MSE differs from TFLite Micro's is reported as different."""
    lines = [
        "WINDOWS 196",
        "AE mean MSE normal 10.2652 hum 12.3979",
        "MAHALANOBIS mean normal 3.84 hum 9.43",
        "DETECTED 94 of 96",
    ]
    preds, summary = demo._parse_anomaly(lines, [1000, 3000])
    assert [p.sample for p in preds] == ["normal", "hum"]
    assert preds[0].micros == 2000
    assert "(DIFFERENT)" in " ".join(summary)


def test_demo_old_name_still_works(capsys) -> None:
    """Each demo is named after its examples/ folder; the old `kws` still runs that demo,
    with a note giving the new name."""
    args = cli.build_parser().parse_args(["demo", "kws"])
    assert args.name == "keyword_spotting"
    assert "note: the demo `kws` is now `keyword_spotting`" in capsys.readouterr().err
    assert all((demo.Paths.default().root / "examples" / name).is_dir() for name in demo.DEMOS)


def test_demo_examples_listed(capsys) -> None:
    """`tinyml demo --help` offers every demo."""
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    out = capsys.readouterr().out
    for name in demo.DEMOS:
        assert name in out


def test_demo_fails_when_cpython_disagrees(monkeypatch) -> None:
    """A board line that CPython does not print makes the demo fail with exit status 1."""
    from tinyml.errors import VerifyMismatch

    ex = demo.prepare_gesture(demo.Paths.default())
    board = "ARENA 3192\nGESTURE wing -> wing 1.00\nCORRECT 1 of 1\nTIMES 400\n"
    monkeypatch.setattr(
        demo, "_host_run", lambda ex: ["GESTURE wing -> idle 0.90", "CORRECT 0 of 1"]
    )
    with pytest.raises(VerifyMismatch) as e:
        demo._example_result("gesture", "unix", "linux", ex, board, lambda _msg: None)
    assert e.value.exit_code == 1
    assert "'GESTURE wing -> wing 1.00' where CPython printed 'GESTURE wing -> idle 0.90'" in str(
        e.value
    )
