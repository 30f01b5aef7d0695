# tinyml on an OpenMV Cam: camera images into a model's input, the way OpenMV's ml feeds them.
# ruff: noqa: UP031 (%-formatting works on every MicroPython build; f-strings may be off)
#
#     import sensor, tinyml
#     from tinyml.openmv import image_input
#     model = tinyml.Model("/rom/person_detect.tflite")   # in place from ROMFS
#     print(model.classify(image_input(model, sensor.snapshot())))
#
# image_input() runs OpenMV's own ml.Normalization straight into model.input(): the image
# (grayscale or RGB565, any size) is drawn into the input tensor's memory with bilinear
# scaling, centred, aspect kept by cropping (SCALE_ASPECT_EXPAND), then converted there in place
# to the tensor's type: pixel - 128 for int8, the pixel for uint8, scale/mean/stdev for float32.
# The frame is read where it lies, never copied, and a model gives the scores ml gives it.
# Needs OpenMV firmware (image, ml); on other boards use model.input() and predict() directly.

_TYPECODES = {"int8": "b", "uint8": "B", "float32": "f"}


def image_input(model, img, roi=None, normalization=None):
    """Writes image ``img`` (``roi``: (x, y, w, h) of it) into ``model.input()`` as OpenMV's
    ``ml`` does and returns that view, ready for ``model.predict()``/``classify()``.

    ``normalization``: an ``ml.Normalization`` for other scale/mean/stdev (float inputs)."""
    dtype = model.input_dtype
    if dtype not in _TYPECODES:
        raise ValueError("image input needs an int8, uint8 or float32 tensor, not " + dtype)
    shape = model.input_shape
    if len(shape) != 4 or shape[0] != 1 or shape[3] not in (1, 3):
        raise ValueError("image input needs a (1, h, w, 1 or 3) tensor, not %r" % (shape,))
    if normalization is None:
        import ml

        normalization = ml.Normalization()
    if roi is not None:
        normalization.roi = roi
    buf = model.input()
    normalization(img)(buf, shape, ord(_TYPECODES[dtype]))
    return buf
