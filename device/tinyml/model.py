# tinyml.Model: a .tflite model, its labels and classify(), on MicroPython and CPython alike.
# ruff: noqa: UP031 (%-formatting works on every MicroPython build; f-strings may be off)
#
# The C engine face (_tinyml.Model on MicroPython, tinyml._tinyml.Model on CPython) loads a
# buffer, plans the arena and runs: predict, input/output views, invoke, profile, reset and
# the tensor properties. What needs no C lives here, once for both faces: reading a model
# from a path, labels (a list, a file, <model>.txt beside the model, the model's metadata),
# classify()'s top-k and the repr.
#
# Errors (docs/errors.md): ValueError for a corrupt model, a bad input or a full arena;
# NotImplementedError for an op or type the engine lacks; TypeError for an argument of the
# wrong kind; OSError for a file that cannot be read.

try:
    from _tinyml import Model as _Engine  # MicroPython: built in, or _tinyml.mpy
except ImportError:
    try:
        from tinyml._tinyml import Model as _Engine  # CPython: the extension
    except ImportError:  # the host tools without the extension: labels only
        _Engine = None

LABELS = "tinyml_labels"  # the metadata entry holding the labels, one per line


def parse_labels(text):
    """Labels from text, one per line: each stripped, blank lines dropped."""
    lines = text.replace("\r", "\n").split("\n")
    return [s for s in (line.strip() for line in lines) if s]


def read_labels(path):
    """Labels from a UTF-8 text file, one per line (OSError when it cannot be read)."""
    with open(path, "rb") as f:
        return parse_labels(str(f.read(), "utf-8"))


def _fspath(src):
    # A path as str (a str, or on CPython an os.PathLike), else None for a buffer.
    if isinstance(src, str):
        return src
    fspath = getattr(src, "__fspath__", None)
    return None if fspath is None else fspath()


def _read_model(path):
    # (buffer, in place): a file the filesystem maps into memory (ROMFS, as OpenMV's ml reads
    # /rom models) is used where it lies; any other file is read into RAM once.
    f = open(path, "rb")  # noqa: SIM115 (a mapped file stays open: the model lies in it)
    try:
        memoryview(f)
        return f, True
    except TypeError:
        pass
    try:
        return f.read(), False
    finally:
        f.close()


def _labels_beside(path):
    # OpenMV's convention: labels in <model>.txt beside a model loaded from a path.
    base = max(path.rfind("/"), path.rfind("\\")) + 1
    dot = path.rfind(".")
    stem = path[:dot] if dot > base and path[base:dot].strip(".") else path
    try:
        return read_labels(stem + ".txt")
    except OSError:
        return None


def _resolve_labels(engine, labels, path):
    if labels is not None:
        if _fspath(labels) is not None:
            return read_labels(_fspath(labels))
        if not isinstance(labels, (list, tuple)):
            raise TypeError("labels must be a list of str or a path")
        for label in labels:
            if not isinstance(label, str):
                raise TypeError("labels must be str")
        return list(labels)
    if path is not None:
        found = _labels_beside(path)
        if found is not None:
            return found
    data = engine.metadata(LABELS)
    return None if data is None else parse_labels(str(data, "utf-8"))


def top_k(scores, k):
    """Indices of the ``k`` highest scores, best first; ties keep the lower index first."""
    n = len(scores)
    k = max(0, min(k, n))
    picked = []
    for _ in range(k):
        best = -1
        for i in range(n):
            if i not in picked and (best < 0 or scores[i] > scores[best]):
                best = i
        picked.append(best)
    return picked


def _engine_property(name, doc):
    return property(lambda self: getattr(self._engine, name), None, None, doc)


class Model:
    """A .tflite model, planned into one arena and ready to run."""

    def __init__(self, src, *, arena=None, labels=None):
        """Load a model from a path or a buffer. A buffer, or a file the filesystem maps into
        memory (ROMFS), is used in place when it is 4-byte aligned; anything else is copied
        to RAM once (``in_place`` tells which).

        ``arena``: None for exactly what the model needs, an int for that many bytes, or a
        writable buffer to use. ``labels``: a list of str or a path to a text file (one per
        line); by default ``<model>.txt`` beside a model loaded from a path, else the labels
        stored in the model (``tinyml_labels``), else None.

        ValueError for a corrupt model or an arena too small (the message gives the bytes
        needed); NotImplementedError for an op or type the engine lacks; TypeError for an
        argument of the wrong kind; OSError for a file that cannot be read."""
        path = _fspath(src)
        in_place = True
        if path is not None:
            src, in_place = _read_model(path)
        self._engine = _Engine(src, arena=arena)
        self.in_place = in_place and self._engine.in_place
        self.labels = _resolve_labels(self._engine, labels, path)

    def predict(self, x, out=None):
        """Fill the inputs from ``x`` (a tuple of inputs for a model with several), run, and
        return the dequantized outputs as array('f') (a tuple of them for several outputs).
        With ``out`` (array('f') of the output's length, or a tuple of them) the values go
        there, ``out`` is returned and nothing is allocated.

        ValueError for a wrong number of values or bytes ("expected 640 values, got 639");
        NotImplementedError for an input tensor type predict cannot fill; TypeError for an
        input of the wrong kind."""
        return self._engine.predict(x, out)

    def input(self, i=0):
        """A writable view of input tensor ``i``'s bytes in the arena, for pipelines that
        write features in place before ``invoke()``. IndexError if there is no such input."""
        return self._engine.input(i)

    def output(self, i=0):
        """A view of output tensor ``i``'s bytes (raw, quantized) after ``invoke()``."""
        return self._engine.output(i)

    def invoke(self):
        """Run the model on what the input tensors hold. Allocates nothing."""
        self._engine.invoke()

    def reset(self):
        """Clear the state recurrent ops (SVDF, LSTM) carry from one invoke to the next, as
        loading left it: start a new stream."""
        self._engine.reset()

    def profile(self):
        """``(op name, microseconds)`` for each op of the last invoke, in order.
        RuntimeError before the first invoke."""
        return self._engine.profile()

    def metadata(self, name):
        """The model's metadata entry ``name`` (e.g. ``tinyml_pipeline``) as bytes, or None."""
        return self._engine.metadata(name)

    input_shape = _engine_property("input_shape", "Shape of input 0.")
    output_shape = _engine_property("output_shape", "Shape of output 0.")
    input_dtype = _engine_property("input_dtype", "Element type of input 0.")
    output_dtype = _engine_property("output_dtype", "Element type of output 0.")
    input_scale = _engine_property("input_scale", "Quantization scale of input 0.")
    input_zero_point = _engine_property("input_zero_point", "Zero point of input 0.")
    output_scale = _engine_property("output_scale", "Quantization scale of output 0.")
    output_zero_point = _engine_property("output_zero_point", "Zero point of output 0.")
    num_inputs = _engine_property("num_inputs", "Number of input tensors.")
    num_outputs = _engine_property("num_outputs", "Number of output tensors.")
    arena_size = _engine_property("arena_size", "Exact arena bytes the model needs.")
    ops = _engine_property("ops", "Op names in execution order.")

    def classify(self, x, k=1):
        """``predict(x)`` on output 0, as the ``k`` best ``(label, score)`` pairs, best first
        (ties: lower index first). Labels are the model's, or the index as str."""
        scores = self._engine.predict(x)  # the engine's, as a subclass may time predict()
        if isinstance(scores, tuple):
            scores = scores[0]
        labels = self.labels or ()
        return [(labels[i] if i < len(labels) else str(i), scores[i]) for i in top_k(scores, k)]

    def __repr__(self):
        e = self._engine

        def tensors(kind, n, dtype, shape):
            more = " +%d more" % (n - 1) if n > 1 else ""
            return "%s%s %s %s%s" % (kind, "s" if n > 1 else "", dtype, shape, more)

        return "<Model %s, %s, arena %d bytes, %d ops>" % (
            tensors("input", e.num_inputs, e.input_dtype, e.input_shape),
            tensors("output", e.num_outputs, e.output_dtype, e.output_shape),
            e.arena_size,
            len(e.ops),
        )
