# The Model API on one model: raw input()/output()/invoke() agree with predict(), classify()
# ranks with labels, profile() names every op, metadata() reads entries, op_supported(), repr.
# tinyml-file: ad.tflite = mlcommons-tiny/ad01_int8.tflite
# tinyml-file: kws.tflite = mlcommons-tiny/kws_ref_model.tflite
import binascii
from array import array

import tinyml

m = tinyml.Model("ad.tflite")
x = bytes((i * 13) & 0xFF for i in range(640))

# repr: inputs, outputs, arena and op count, the same on every face but the arena (its
# scratch depends on the kernels a core runs), which must be arena_size.
for model in (m, tinyml.Model("kws.tflite")):
    r = repr(model)
    arena = "arena " + str(model.arena_size) + " bytes"
    print(arena in r, r.replace(arena, "arena N bytes"))

# predict() with a fresh output, then with out=: the same values, and out is returned.
y = m.predict(x)
out = array("f", [0.0] * 640)
print(type(y) is array, len(y), m.predict(x, out=out) is out, bytes(out) == bytes(y))

# The raw path: bytes written into input(), invoke(), bytes read from output().
inp = m.input()
print(type(inp) is memoryview, len(inp), len(m.output(0)))
inp[:] = x
m.invoke()
raw = bytes(m.output())
m.predict(x)
print(raw == bytes(m.output()))
# input(0) is input(), and the view stays usable for streaming writes.
m.input(0)[0:4] = b"\x01\x02\x03\x04"
print(bytes(inp[0:4]))

# profile(): one (op name, microseconds) per op, in order.
prof = m.profile()
print([p[0] for p in prof] == list(m.ops), all(isinstance(p[1], int) and p[1] >= 0 for p in prof))

# metadata(): the converter's runtime version entry; None when absent.
print(m.metadata("min_runtime_version")[:5], m.metadata("no_such_entry"))

# classify(): (label, score) best first; labels by index when the model has none.
k = tinyml.Model("kws.tflite")
feat = bytes((i * 7) & 0xFF for i in range(490))
scores = k.predict(feat)
best = k.classify(feat, k=3)
print(k.labels, [b[0] for b in best], [b[1] == scores[int(b[0])] for b in best])
print(best[0][1] >= best[1][1] >= best[2][1], len(k.classify(feat, k=100)), k.classify(feat, k=0))
names = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "silence", "?"]
k = tinyml.Model("kws.tflite", labels=names)
print(k.labels == names, k.classify(feat)[0][0] == names[int(best[0][0])])
print(binascii.hexlify(bytes(scores)).decode())

print(tinyml.op_supported("CONV_2D"), tinyml.op_supported("CONV_2D", 99))
print(tinyml.op_supported("NO_SUCH_OP"), tinyml.op_supported("FULLY_CONNECTED", 1))
