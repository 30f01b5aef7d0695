# reset() clears the state a recurrent model carries from one predict to the next (the MNIST
# LSTM's hidden and cell state): after reset() an input scores as on a fresh model, and after
# another input it scores otherwise.
# tinyml-file: lstm.tflite = tflite-micro/trained_lstm_int8.tflite
import tinyml

x = bytes((i * 37 + 11) & 0xFF for i in range(784))
y = bytes((i * 53 + 5) & 0xFF for i in range(784))


def scores(m, inp):
    # Output scale 1/256: the dequantized scores times 256 are whole numbers.
    return [int(v * 256 + 0.5) for v in m.predict(inp)]


fresh = scores(tinyml.Model("lstm.tflite"), x)
print("fresh", fresh)

m = tinyml.Model("lstm.tflite")
scores(m, y)
after_y = scores(m, x)
print("after another input", after_y, after_y != fresh)
m.reset()
print("after reset", scores(m, x) == fresh)
m.reset()
m.reset()
print("reset twice", scores(m, x) == fresh)
