"""Writes spectrum.tflite: the first four ops of TFLite Micro's micro_speech front end
(audio_preprocessor_int8.tflite: window, FFT auto-scale, int16 real FFT), with the 257
complex bins and the auto-scale shift as outputs. The LSTM keyword model takes a magnitude
spectrogram of 257 bins per 20 ms frame, which these give.

    PYTHONPATH=host .venv/bin/python examples/kws_stream/front_end.py [SOURCE] [DEST]
"""

import sys
from pathlib import Path

import flatbuffers
from tensorflow.lite.python import schema_py_generated as schema

HERE = Path(__file__).resolve().parent
SOURCE = (
    HERE.parents[1]
    / ".."
    / "shared"
    / "models"
    / "tflite-micro"
    / "audio_preprocessor_int8.tflite"
)
KEEP = ("SignalWindow", "RESHAPE", "SignalFftAutoScale", "SignalRfft")


def op_name(model, op):
    code = model.operatorCodes[op.opcodeIndex]
    if code.customCode:
        return code.customCode.decode()
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    return next(k for k, v in vars(schema.BuiltinOperator).items() if v == builtin)


def cut(data: bytes) -> bytes:
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    graph = model.subgraphs[0]
    names = [op_name(model, op) for op in graph.operators[: len(KEEP)]]
    if tuple(names) != KEEP:
        raise SystemExit(f"front_end: unexpected front end ops {names}, expected {list(KEEP)}")
    graph.operators = graph.operators[: len(KEEP)]
    graph.outputs = [graph.operators[3].outputs[0], graph.operators[2].outputs[1]]
    builder = flatbuffers.Builder(len(data))
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    dest = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "spectrum.tflite"
    dest.write_bytes(cut(src.read_bytes()))
    print("wrote", dest)


if __name__ == "__main__":
    main()
