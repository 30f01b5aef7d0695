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
# Given a Normalization, an int8 or uint8 input gets its scale/mean/stdev too, through the
# model's input quantization (ml ignores them there): pixel p becomes the real value
# (lo + p * (hi - lo) / 255 - mean) / stdev, quantized with the input's scale and zero point.
#
# detect() then hands the raw outputs to one of OpenMV's postprocessors (FOMO, YOLO, ...), as
# ml.Model(path, postprocess=...) does, so a detector's boxes come out as ml gives them:
#
#     from ml.postprocessing.edgeimpulse import Fomo
#     for cls, boxes in enumerate(detect(model, sensor.snapshot(), Fomo())): ...
#
# Needs OpenMV firmware (image, ml, ulab); on other boards use model.input() and predict().

_TYPECODES = {"int8": "b", "uint8": "B", "float32": "f"}


def _draw(model, img, roi, normalization):
    # OpenMV's Normalization for this image, after it has filled model.input().
    quantize = normalization is not None
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
    per_image = normalization(img)
    per_image(model.input(), shape, ord(_TYPECODES[dtype]))
    if quantize and dtype != "float32":
        _quantize(model, per_image)
    return per_image


def _luma(v):
    return v[0] * 0.299 + v[1] * 0.587 + v[2] * 0.114  # as OpenMV's float path weighs them


def _quantize(model, norm):
    # Rewrites the pixels OpenMV wrote (p - 128 or p) through one 256-entry table per channel,
    # in place (a ulab view of the tensor).
    from ulab import numpy as np

    channels = model.input_shape[3]
    signed = model.input_dtype == "int8"
    lo, hi = norm.scale
    mean, stdev = norm.mean, norm.stdev
    if channels == 1:
        mean, stdev = [_luma(mean)], [_luma(stdev)]
    s, zp = model.input_scale, model.input_zero_point
    qmin, qmax = (-128, 127) if signed else (0, 255)
    view = np.frombuffer(model.input(), dtype=np.uint8)
    for c in range(channels):
        table = bytearray(256)
        for p in range(256):
            q = round(((lo + p * (hi - lo) / 255.0) - mean[c]) / stdev[c] / s) + zp
            table[p ^ 0x80 if signed else p] = min(max(q, qmin), qmax) & 0xFF
        view[c::channels] = np.take(np.frombuffer(table, dtype=np.uint8), view[c::channels])


def image_input(model, img, roi=None, normalization=None):
    """Writes image ``img`` (``roi``: (x, y, w, h) of it) into ``model.input()`` as OpenMV's
    ``ml`` does and returns that view, ready for ``model.predict()``/``classify()``.

    ``normalization``: an ``ml.Normalization(scale, mean, stdev)``; for an int8 or uint8
    input it is applied through the input's quantization (OpenMV's ml ignores it there)."""
    _draw(model, img, roi, normalization)
    return model.input()


class _MLModelView:
    # The attributes OpenMV's postprocessors read from an ml.Model (one entry per tensor; this
    # view has tensor 0 only, so postprocessors of several outputs are not supported).

    def __init__(self, model):
        self.input_shape = (model.input_shape,)
        self.output_shape = (model.output_shape,)
        self.input_dtype = (_TYPECODES[model.input_dtype],)
        self.output_dtype = (_TYPECODES[model.output_dtype],)
        self.input_scale = (model.input_scale,)
        self.output_scale = (model.output_scale,)
        self.input_zero_point = (model.input_zero_point,)
        self.output_zero_point = (model.output_zero_point,)


def detect(model, img, postprocess, roi=None, normalization=None):
    """Runs ``model`` on image ``img`` and returns ``postprocess(model, inputs, outputs)`` of
    OpenMV's ``ml`` (e.g. ``ml.postprocessing.edgeimpulse.Fomo()``): the raw output tensor
    as a ulab array, as ml gives it, so boxes are ml's for the same scores."""
    from ulab import numpy as np

    if model.num_outputs != 1 or model.output_dtype not in _TYPECODES:
        raise ValueError("detect() needs one int8, uint8 or float32 output tensor")
    per_image = _draw(model, img, roi, normalization)
    model.invoke()
    dtype = {"int8": np.int8, "uint8": np.uint8, "float32": np.float}[model.output_dtype]
    out = np.frombuffer(model.output(), dtype=dtype).reshape(model.output_shape)
    return postprocess(_MLModelView(model), [per_image], [out])
