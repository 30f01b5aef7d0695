# Keyword spotting on the board with TFLite Micro's micro_speech pipeline: TFLM's own audio
# front end (audio_preprocessor_int8.tflite, the Signal ops) turns each 30 ms window of a 1 s
# clip into 40 int8 features, 49 windows at a 20 ms stride fill the 49x40 input of
# micro_speech_quantized.tflite, which scores [silence, unknown, yes, no].
#
# tinyml-file: pre.tflite = tflite-micro/audio_preprocessor_int8.tflite
# tinyml-file: kws.tflite = tflite-micro/micro_speech_quantized.tflite
# tinyml-file: yes.wav = tflite-micro/yes_1000ms.wav
# tinyml-file: no.wav = tflite-micro/no_1000ms.wav
# tinyml-file: silence.wav = tflite-micro/silence_1000ms.wav
# tinyml-file: noise.wav = tflite-micro/noise_1000ms.wav
import tinyml

LABELS = ("silence", "unknown", "yes", "no")
CLIPS = ("yes", "no", "silence", "noise")
WINDOW, STRIDE, FRAMES, FEATURES = 480, 320, 49, 40
WAV_HEADER = 44  # the sample WAVs are plain 16 kHz mono int16 PCM


def load(path):
    with open(path, "rb") as f:
        return f.read()


pre_data = load("pre.tflite")
kws = tinyml.Model(load("kws.tflite"))
print("ARENA", kws.arena_size)

for clip in CLIPS:
    pcm = memoryview(load(clip + ".wav"))[WAV_HEADER:]
    # A new front end per clip: its noise estimate starts from zero, as in TFLM's test.
    pre = tinyml.Model(pre_data)
    pre_in, pre_out, kws_in = pre.input(0), pre.output(0), kws.input(0)
    for k in range(FRAMES):
        start = 2 * k * STRIDE
        pre_in[:] = pcm[start : start + 2 * WINDOW]
        pre.invoke()
        kws_in[k * FEATURES : (k + 1) * FEATURES] = pre_out
    kws.invoke()
    scores = [b - 256 if b > 127 else b for b in bytes(kws.output(0))]
    best = max(range(len(LABELS)), key=lambda i: scores[i])
    print("RESULT", clip, LABELS[best], " ".join(str(s) for s in scores))
    del pre  # its arena goes before the next clip's front end is made
