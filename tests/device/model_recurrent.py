# Recurrent reference models (SVDF, LSTM; int8 with int16 state): a stream of fixed input
# patterns, fed one after another so the state carries over, gives the CPython face's bytes
# at every step; reset() then replays the first step.
# tinyml-file: kws_svdf.tflite = tflite-micro/keyword_scrambled_8bit.tflite
# tinyml-file: mnist_lstm.tflite = tflite-micro/trained_lstm_int8.tflite
# tinyml-file: speech_lstm.tflite = tflite-micro/micro_speech_lstm.tflite
# tinyml-file: dtln.tflite = tflite-micro/dtln_noise_suppression.tflite
import binascii

import tinyml


def pattern(n, seed):
    # Bytes over the whole int8 range without a random module.
    return bytes((i * 37 + (i >> 7) * seed + seed) & 0xFF for i in range(n))


for name, steps in (("kws_svdf", 4), ("mnist_lstm", 3), ("speech_lstm", 2), ("dtln", 4)):
    m = tinyml.Model(name + ".tflite")
    x = m.input()
    print(name, m.input_shape, m.output_shape, m.ops)
    first = None
    for k in range(steps):
        x[:] = pattern(len(x), 3 + 2 * k)
        m.invoke()
        raw = bytes(m.output())
        first = first or raw
        print(" step", k, f"crc {binascii.crc32(raw):08x}", binascii.hexlify(raw[:12]).decode())
    m.reset()
    x[:] = pattern(len(x), 3)
    m.invoke()
    print(" reset replays step 0", bytes(m.output()) == first)
