"""The CPython face's memory rules: tensor views keep their model alive, and a model buffer
is read in place when aligned (a misaligned one is copied once, as on the device)."""

import gc
import os

import pytest

MODELS = os.environ.get("TINYML_MODELS") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "models"
)
HELLO = os.path.join(MODELS, "tflite-micro", "hello_world_int8.tflite")


def test_tensor_views_outlive_the_model_object():
    """input()/output() views stay valid (and writable) after the last reference to the
    model goes: they hold the model, so its arena is not freed under them."""
    import tinyml

    m = tinyml.Model(HELLO)
    x, y = m.input(0), m.output(0)
    m.predict([1.0])
    expected = bytes(y)
    del m
    gc.collect()
    # A new model of the same size would likely reuse a freed arena block: writing through
    # it must not change what the old views see.
    other = tinyml.Model(HELLO)
    other.predict([-1.0])
    x[0] = x[0]
    assert bytes(y) == expected
    assert bytes(other.output(0)) != expected


def test_misaligned_model_buffer_is_copied_once():
    """A model buffer that is not 4-byte aligned (a file in an image built by a tool that does
    not align files) runs from an aligned copy, with the same outputs; an aligned one is read
    in place."""
    import tinyml

    with open(HELLO, "rb") as f:
        good = f.read()
    aligned = tinyml.Model(memoryview(bytearray(4) + good)[4:])
    assert aligned.in_place
    for shift in (1, 2, 3):
        moved = tinyml.Model(memoryview(bytearray(shift) + good)[shift:])
        assert not moved.in_place
        for x in (-1.0, 0.5, 3.0):
            assert bytes(moved.predict([x])) == bytes(aligned.predict([x]))
    assert not tinyml.Model(HELLO).in_place  # a path is read into memory


AD = os.path.join(MODELS, "mlcommons-tiny", "ad01_int8.tflite")


class _Clears:
    """A number whose conversion empties the list being converted."""

    def __init__(self, owner):
        self.owner = owner

    def __float__(self):
        self.owner.clear()
        return 0.0


def test_input_list_changed_during_conversion_is_read_as_it_was():
    """An element's __float__ that clears the list does not free the elements still to be
    read (once a use-after-free): the list is converted as it was when predict began."""
    import tinyml

    m = tinyml.Model(AD)
    expected = bytes(m.predict([0.0] * 640))
    x = [0.0] * 640
    x[5] = _Clears(x)
    assert bytes(m.predict(x)) == expected
    nested = [[0.0] * 640]
    nested[0][600] = _Clears(nested[0])
    assert bytes(m.predict(nested)) == expected


def test_predict_from_an_input_conversion_is_refused():
    """predict on the same model from inside an input's __float__ (same thread) cannot wait
    for itself: RuntimeError, and the model works afterwards."""
    import tinyml

    m = tinyml.Model(AD)

    class Reenters:
        def __float__(self):
            m.predict([0.0] * 640)
            return 0.0

    with pytest.raises(RuntimeError, match="model is already running in this thread"):
        m.predict([Reenters()] + [0.0] * 639)
    assert len(m.predict([0.0] * 640)) == 640


def test_shared_model_gives_each_thread_its_own_result():
    """Threads sharing one model, with inputs whose conversion lets other threads run, each
    get the result of their own input (once most results were another thread's)."""
    import threading
    import time

    import tinyml

    m = tinyml.Model(AD)

    class Yields:
        def __init__(self, v):
            self.v = v

        def __float__(self):
            time.sleep(0)
            return self.v

    inputs = [[((i * 7 + t * 13) % 50) / 10.0 for i in range(640)] for t in range(6)]
    expected = [bytes(m.predict(x)) for x in inputs]
    assert len(set(expected)) == len(expected)
    wrong = []

    def worker(t):
        for _ in range(5):
            x = [Yields(v) for v in inputs[t]]
            if bytes(m.predict(x)) != expected[t]:
                wrong.append(t)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(len(inputs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert wrong == []


def test_shape_changed_after_loading_is_refused():
    """A shape changed in a bytearray model after loading (an input dim 49 -> 2000 once made
    predict write 20 KB into a 490-byte tensor) raises ValueError before anything is written;
    changed weights are accepted; the restored shape works again."""
    import struct

    import tinyml

    with open(os.path.join(MODELS, "mlcommons-tiny", "kws_ref_model.tflite"), "rb") as f:
        kws = bytearray(f.read())
    m = tinyml.Model(kws)
    expected = bytes(m.predict(bytes(490)))
    at = kws.find(struct.pack("<4i", 1, 49, 10, 1)) + 4
    kws[at : at + 4] = struct.pack("<i", 2000)
    message = "model buffer changed after loading: load the model again"
    for call in (lambda: m.predict(bytes(490)), m.invoke, m.input, m.output):
        with pytest.raises(ValueError, match=message):
            call()
    kws[at : at + 4] = struct.pack("<i", 49)
    assert bytes(m.predict(bytes(490))) == expected


def test_strided_numpy_input_and_read_only_out():
    """A strided numpy array is read as its values (once a BufferError); out=bytes is a
    TypeError naming what out must be."""
    import numpy as np
    import tinyml

    m = tinyml.Model(AD)
    x = (np.arange(1280, dtype=np.float32) % 17) / 4
    assert bytes(m.predict(x[::2])) == bytes(m.predict(np.ascontiguousarray(x[::2])))
    with pytest.raises(TypeError, match=r"out must be an array\('f'\)"):
        m.predict(x[::2], out=bytes(4 * 640))


def test_builtin_names_are_the_headers_and_the_packed_table_is_fresh():
    """BUILTIN_NAMES (every builtin's name, decoded from tml_builtins.c's packed table) names
    each code as tml_builtins.h does, and the table is what scripts/gen_builtin_names.py
    writes from that header; op_supported finds an op by that name."""
    import subprocess
    import sys

    from tinyml import _tinyml

    root = os.path.join(os.path.dirname(__file__), "..", "..")
    script = os.path.join(root, "scripts", "gen_builtin_names.py")
    subprocess.run([sys.executable, script, "--check"], check=True)
    sys.path.insert(0, os.path.dirname(script))
    try:
        import gen_builtin_names
    finally:
        sys.path.pop(0)
    assert list(_tinyml.BUILTIN_NAMES) == gen_builtin_names.names()
    assert _tinyml.op_supported("CONV_2D") and _tinyml.op_supported("SignalRfft")
    assert not _tinyml.op_supported("GATHER") and not _tinyml.op_supported("UNKNOWN")
    assert not _tinyml.op_supported("CONV_2D", 99)
