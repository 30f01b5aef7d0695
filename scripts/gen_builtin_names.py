"""Writes the packed table of TFLite's builtin op names into native_module/engine/tml_builtins.c
from the codes in tml_builtins.h (the one list of names), or checks that it is up to date.

    python scripts/gen_builtin_names.py [--check]

Each name is a run of 5-bit symbols ended by 0, packed low bits first: 1-26 are A-Z, 27 is
'_', 28 is '2', 29 says the next symbol is a digit, 30 and 31 stand for the two strings of
PIECES. The 2,647 bytes of names take 1.4 KB; tml_builtins.c decodes one only for a message.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ROOT / "native_module" / "engine" / "tml_builtins.h"
SOURCE = ROOT / "native_module" / "engine" / "tml_builtins.c"
BEGIN = "// BEGIN packed names (scripts/gen_builtin_names.py writes these lines)\n"
END = "// END packed names\n"
PIECES = ("STABLEHLO_", "DIRECTIONAL_SEQUENCE_")  # as tml_builtins.c's `pieces`
END_OF_NAME, UNDERSCORE, TWO, DIGIT, PIECE = 0, 27, 28, 29, 30


def names() -> list[str]:
    """Builtin names by code, from tml_builtins.h."""
    codes = {n: int(c) for n, c in re.findall(r"TML_BUILTIN_(\w+) = (\d+),", HEADER.read_text())}
    count = codes.pop("COUNT")
    by_code = {c: n for n, c in codes.items()}
    assert sorted(by_code) == list(range(count)), "tml_builtins.h: codes not 0..COUNT-1"
    return [by_code[c] for c in range(count)]


def symbols(name: str) -> list[int]:
    out = []
    i = 0
    while i < len(name):
        piece = next((k for k, p in enumerate(PIECES) if name.startswith(p, i)), None)
        if piece is not None:
            out.append(PIECE + piece)
            i += len(PIECES[piece])
            continue
        ch = name[i]
        if "A" <= ch <= "Z":
            out.append(ord(ch) - ord("A") + 1)
        elif ch == "_":
            out.append(UNDERSCORE)
        elif ch == "2":
            out.append(TWO)
        elif ch.isdigit():
            out += [DIGIT, int(ch)]
        else:
            raise ValueError(f"{name!r}: no symbol for {ch!r}")
        i += 1
    return out + [END_OF_NAME]


def packed(all_names: list[str]) -> bytes:
    bits = 0
    n = 0
    for name in all_names:
        for s in symbols(name):
            bits |= s << (5 * n)
            n += 1
    # One byte more than the symbols fill: the decoder reads two bytes at a time.
    return bits.to_bytes((5 * n + 7) // 8 + 1, "little")


def block(all_names: list[str]) -> str:
    data = packed(all_names)
    lines = [BEGIN, f"// {len(all_names)} names in {len(data)} bytes.\n"]
    lines.append("static const uint8_t packed_names[] = {\n")
    for i in range(0, len(data), 16):
        lines.append("    " + " ".join(f"0x{b:02x}," for b in data[i : i + 16]) + "\n")
    lines += ["};\n", END]
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="exit 1 when tml_builtins.c is stale")
    args = p.parse_args(argv)
    text = SOURCE.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + block(names()) + text[end:]
    if args.check:
        if new != text:
            print(f"{SOURCE} is stale: run python scripts/gen_builtin_names.py", file=sys.stderr)
            return 1
        return 0
    SOURCE.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
