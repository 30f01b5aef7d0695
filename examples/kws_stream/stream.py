# Keyword spotting on a continuous 10 s audio stream with an LSTM model, a 20 ms frame at a
# time, printing each detection with its time in the stream.
#
# The stream is ten 1 s clips of TFLite Micro's micro_speech samples back to back (see
# CLIPS). Each 20 ms hop, the spectrum model (TFLite Micro's front end cut after its FFT:
# front_end.py) turns the last 30 ms of audio into 257 frequency bins, whose magnitudes,
# as int8 features, go into a ring buffer of the last 49 frames (about 1 s). Every HOP
# frames the ring, oldest frame first, is the input of micro_speech_lstm.tflite (TFLite
# Micro's LSTM keyword model: 49 frames x 257 bins -> yes, no, unknown); reset() before
# each window starts its LSTM state from zero, as the model was trained. Windows whose
# loudest bin is below GATE are silence and not scored; a keyword is reported when two
# windows in a row score it at least THRESHOLD, then not again for a second.
#
# TFLite Micro publishes no front end for this model; the features here (magnitude of a
# 512-point FFT of 30 ms windows, 20 ms apart, 4 FFT units per feature step) are what makes
# its own yes and no clips score yes and no, and noise unknown.
#
# Everything the loop needs is allocated before it starts: audio is read from the clips (in
# memory: a file's readinto may allocate on the board) straight into the spectrum model's
# input, the ring is a bytearray, and the arithmetic stays in small integers, so the
# loop runs under micropython.heap_lock() on the board (only printing a detection unlocks).
# The same script runs on CPython with the host engine and prints the same lines.
#
# Files it reads from the current folder: spectrum.tflite (front_end.py writes it) and these:
# tinyml-file: micro_speech_lstm.tflite = tflite-micro/micro_speech_lstm.tflite
# tinyml-file: yes_1000ms.wav = tflite-micro/yes_1000ms.wav
# tinyml-file: no_1000ms.wav = tflite-micro/no_1000ms.wav
# tinyml-file: noise_1000ms.wav = tflite-micro/noise_1000ms.wav
# tinyml-file: silence_1000ms.wav = tflite-micro/silence_1000ms.wav
import array
import io

import tinyml

try:
    from micropython import heap_lock, heap_unlock
except ImportError:  # CPython

    def heap_lock():
        pass

    def heap_unlock():
        pass


CLIPS = ("silence", "yes", "noise", "no", "silence", "yes", "noise", "no", "silence", "yes")
LABELS = ("yes", "no", "unknown")
RATE, WINDOW, STEP = 16000, 480, 320  # 30 ms of audio per frame, 20 ms apart
CLIP = RATE  # samples per clip: a frame starts 320 * k samples into one, so it reaches at
# most WINDOW - STEP samples into the next
FRAMES, BINS = 49, 257  # the LSTM's input: about 1 s of frames
HOP = 8  # frames between two windows (160 ms)
GATE = 300  # loudest bin of a window below this (in FFT units): silence
THRESHOLD = 102  # int8 score of a keyword (probability 0.9)
REFRACTORY = 50  # frames (1 s) before the same keyword is reported again
WAV_HEADER = 44  # the clips are plain 16 kHz mono int16 PCM


def magnitude(b, i):
    # |re + i im| of the int16 pair at byte i of b (the tensors are byte views on both
    # faces), within 4 %, in small integers: max + 3/8 min, less near the diagonal.
    re = b[i] | b[i + 1] << 8
    im = b[i + 2] | b[i + 3] << 8
    re = 65536 - re if re & 0x8000 else re
    im = 65536 - im if im & 0x8000 else im
    hi = max(re, im)
    lo = re + im - hi
    if lo * 4 < hi * 3:
        return hi + ((3 * lo) >> 3)
    return ((7 * hi) >> 3) + (lo >> 1) + (lo >> 3)


def load(path):
    with open(path, "rb") as f:
        return f.read()


def read_frame(files, frame, audio, head, tail):
    """Samples [STEP * frame, STEP * frame + WINDOW) of the stream into audio; False at its
    end. The clips stand in for a microphone."""
    start = STEP * frame
    clip, at = start // CLIP, start % CLIP
    if clip >= len(CLIPS) or (at + WINDOW > CLIP and clip + 1 >= len(CLIPS)):
        return False
    f = files[CLIPS[clip]]
    f.seek(WAV_HEADER + 2 * at)
    if at + WINDOW <= CLIP:
        return f.readinto(audio) == 2 * WINDOW
    f.readinto(head)  # the clip's last STEP samples, then the next clip's first ones
    nxt = files[CLIPS[clip + 1]]
    nxt.seek(WAV_HEADER)
    return nxt.readinto(tail) == 2 * (WINDOW - STEP)


def run():
    spectrum = tinyml.Model("spectrum.tflite")
    kws = tinyml.Model("micro_speech_lstm.tflite")
    audio, bins, shift = spectrum.input(0), spectrum.output(0), spectrum.output(1)
    head, tail = audio[: 2 * STEP], audio[2 * STEP :]
    files = {name: io.BytesIO(load(name + "_1000ms.wav")) for name in set(CLIPS)}
    features, scores = kws.input(0), kws.output(0)
    ring = bytearray(FRAMES * BINS)  # int8 features, as bytes
    peaks = array.array("H", bytes(2 * FRAMES))  # loudest bin of each frame in the ring
    last_report = [-REFRACTORY] * len(LABELS)
    hits = [0] * len(LABELS)  # windows in a row that scored the keyword
    frames = 0
    heap_lock()
    try:
        while read_frame(files, frames, audio, head, tail):
            spectrum.invoke()
            # Bins at the input's own scale: the FFT ran on audio scaled up by 2^shift.
            s = shift[0]  # 0..15: the low byte of an int32
            slot = frames % FRAMES
            base = slot * BINS
            peak = 0
            for k in range(BINS):
                mag = magnitude(bins, 4 * k) >> s
                peak = max(peak, mag)
                mag >>= 2
                ring[base + k] = min(mag, 255) ^ 0x80  # mag - 128 as a byte
            peaks[slot] = peak
            frames += 1
            if frames < FRAMES or (frames - FRAMES) % HOP:
                continue
            loudest = 0
            for f in range(FRAMES):
                loudest = max(loudest, peaks[f])
            if loudest < GATE:
                hits[0] = hits[1] = 0
                continue
            i = 0
            for f in range(frames, frames + FRAMES):  # oldest frame first
                base = (f % FRAMES) * BINS
                for k in range(base, base + BINS):
                    features[i] = ring[k]
                    i += 1
            kws.reset()
            kws.invoke()
            for c in range(2):  # yes, no; "unknown" is no detection
                score = (scores[c] ^ 0x80) - 128  # the int8 score, from its byte
                hits[c] = hits[c] + 1 if score >= THRESHOLD else 0
                if hits[c] >= 2 and frames - last_report[c] >= REFRACTORY:
                    last_report[c] = frames
                    heap_unlock()
                    ms = (frames * STEP + WINDOW - STEP) * 1000 // RATE
                    print(f"DETECT {ms // 1000}.{ms % 1000 // 10:02d} s {LABELS[c]} {score}")
                    heap_lock()
    finally:
        heap_unlock()
    print("FRAMES", frames)


run()
