"""Activations that write over their dying input (TML_OP_INPLACE) give TFLite Micro's results:
a chain of element-wise ops in the middle of a graph shares one buffer, and int8 outputs stay
bit-exact (float32 within 1e-5, as the float kernels always are)."""

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tflite_micro")

import numpy as np
import reference
from tinyml import _tinyml


def chain(x):
    import tensorflow as tf

    y = tf.sigmoid(x * 3.0 - 1.0)  # MUL, SUB: the sigmoid's input dies at LOGISTIC
    y = tf.tanh(y * 2.0 - 1.0)
    return y * 0.5 + 0.25


@pytest.mark.parametrize("int8", [True, False])
def test_in_place_chain_matches_tflm(int8):
    model = reference.convert_fn("in_place_chain", chain, [[1, 16, 16, 8]], int8)
    ops = reference.op_names(model)
    assert "LOGISTIC" in ops and "TANH" in ops
    # The activations' outputs share their inputs' memory: no buffer of their own.
    plan = _tinyml.plan(model, *_tinyml.TARGET)
    shared = [b for b in plan["buffers"][: plan["tensors"]] if b[4] >= 0]
    assert len(shared) >= 2
    if int8:
        reference.assert_same_as_tflm(model, runs=3)
        return
    xs = reference.random_inputs(model)
    (want,) = reference.tflm_run(model, xs)
    (got,) = reference.engine_run(model, xs)
    assert np.allclose(np.frombuffer(got, np.float32), want.reshape(-1), atol=1e-5)
