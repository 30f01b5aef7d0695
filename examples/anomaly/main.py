# Anomaly detection on the board: the MLPerf Tiny autoencoder (ad01_int8) scores windows of
# 5 log-mel frames x 128 bins by reconstruction error, and a Mahalanobis scorer fitted on the
# board from the first 100 normal windows scores 8 band energies of each window.
# The sample is ToyADMOS (car, normal, id_01): 200 frames x 128 float32. An "anomalous" copy is
# made by adding a hum (+6 to log-mel bins 32..47), to show that both scores react.
#
# Files next to this script: ad01_int8.tflite, normal_id_01_00000000_hist_librosa.bin (see
# README.md).
from array import array

import tinyml

try:
    from tinyml import pipeline, pipeline_anomaly
except ImportError:
    # firmware without the frozen modules
    import tinyml_pipeline as pipeline  # type: ignore[import-not-found,no-redef]
    import tinyml_pipeline_anomaly as pipeline_anomaly  # type: ignore[import-not-found,no-redef]

BINS, FRAMES, WIN = 128, 200, 5

model = tinyml.Model("ad01_int8.tflite")
windows = pipeline.load(
    {"channels": BINS, "window": {"length": WIN, "hop": 1}, "features": [{"type": "raw"}]},
    model=model,
)
with open("normal_id_01_00000000_hist_librosa.bin", "rb") as f:
    spec = array("f", f.read())
assert len(spec) == FRAMES * BINS


def bands(w):
    # Mean of each block of 16 mel bins over the window's frames: 8 values.
    out = [0.0] * 8
    for t in range(WIN):
        for b in range(BINS):
            out[b >> 4] += w[t * BINS + b]
    return [v / (WIN * 16) for v in out]


def run(hum):
    """(window index, reconstruction MSE, band features) for every window."""
    windows.window.reset()
    frame = array("f", [0.0] * BINS)
    out = []
    for i in range(FRAMES):
        for b in range(BINS):
            frame[b] = spec[i * BINS + b] + (6.0 if hum and 32 <= b < 48 else 0.0)
        x = windows.push(frame)
        if x is None:
            continue
        y = model.predict(x)
        w = windows.window.out  # the float window the model input was quantized from
        mse = sum((y[k] - w[k]) ** 2 for k in range(len(w))) / len(w)
        out.append((i, mse, bands(w)))
    return out


normal = run(False)
hum = run(True)
print("WINDOWS", len(normal))
ae_normal = sum(s for _, s, _ in normal) / len(normal)
ae_hum = sum(s for _, s, _ in hum) / len(hum)
print(f"AE mean MSE normal {ae_normal:.4f} hum {ae_hum:.4f}")

scorer = pipeline_anomaly.Mahalanobis(8)
for _, _, f in normal[:100]:
    scorer.add(f)
scorer.fit()
m_normal = [scorer.score(f) for _, _, f in normal[100:]]
m_hum = [scorer.score(f) for _, _, f in hum[100:]]
mn, mh = sum(m_normal) / len(m_normal), sum(m_hum) / len(m_hum)
print(f"MAHALANOBIS mean normal {mn:.2f} hum {mh:.2f}")
print("DETECTED", sum(1 for s in m_hum if s > max(m_normal)), "of", len(m_hum))
