# A two-input model given the wrong number or sizes of inputs raises an error naming the
# problem. simple_add's float32 128 x 128 tensors need 192 KB of arena: this runs on the targets
# with more than a Pico's heap (the one-input errors are in errors_predict.py, on every target).
# tinyml-file: add.tflite = tflite-micro/simple_add_model.tflite
import tinyml


def attempt(name, fn):
    try:
        fn()
        print(name, "no error")
    except Exception as e:  # noqa: BLE001 (any exception is the result)
        print(name, type(e).__name__, e)


add = tinyml.Model("add.tflite")
a = bytes(128 * 128)
attempt("two inputs, one given", lambda: add.predict(a))
attempt("two inputs, tuple of one", lambda: add.predict((a,)))
attempt("two inputs, list of two", lambda: add.predict([a, a]))
attempt("two inputs, second short", lambda: add.predict((a, a[:-1])))
print("two inputs", len(add.predict((a, a))))
