# Gesture recognition on the board: a (fake) accelerometer streams samples into the pipeline the
# model was trained with; each full window is classified.
#
# Copy gesture.tflite and gestures.py next to this script (the test and README show how), then
#     tinyml exec examples/gesture/main.py --device emulator
# On a real board, replace FakeAccelerometer with your driver: read() -> (x, y, z) in g, 50 Hz.
import tinyml

try:
    from tinyml import pipeline
except ImportError:  # firmware without the frozen pipeline module
    import tinyml_pipeline as pipeline  # type: ignore[import-not-found,no-redef]

from gestures import LABELS, FakeAccelerometer

model = tinyml.Model("gesture.tflite")
features = pipeline.load(model)  # config from the model file; features go into model.input()
accel = FakeAccelerometer([LABELS[i % 4] for i in range(8)], seed=42)

right = 0
for _ in range(8 * 64):
    x = features.push(accel.read())
    if x is not None:
        label, score = model.classify(x)[0]
        right += label == accel.played[-1]
        print("GESTURE", accel.played[-1], "->", label, f"{score:.2f}")
print("CORRECT", right, "of 8")
