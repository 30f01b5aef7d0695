#!/usr/bin/env bash
# Set-up for tinyml: system packages, MicroPython source, .venv, firmware.
#
#   scripts/setup.sh [all|demo|system|micropython|venv|rp2040|firmware [BOARD...]]
#
# `demo` is the least `make demo` needs: no RP2040 SDK, the venv without the dev extra (no
# TensorFlow: the demo's models are already converted) and only the emulated Cortex-M7's
# firmware, built while pip installs (the build needs only make, the compilers and the host
# package's pure-Python build code, run by the system Python).
#
# Idempotent: each step checks what is there and does nothing more (make rebuilds only what
# changed). MICROPY_DIR=/path/to/micropython uses that tree instead of the Debian source.
# Logs go to build/logs/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
LOGS="$BUILD/logs"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
MP_SOURCE_VERSION="1.25.0+ds-1"
MP_SUITE="trixie"
APT_SOURCE_FILE="/etc/apt/sources.list.d/tinyml-$MP_SUITE-src.sources"
SETUP_BOARDS=(unix qemu-m7 qemu-m4 qemu-m0 rp2040)
# The RP2040 build's Debian pieces (step_rp2040): binary source packages and mbedtls's source.
RP2_SUITE="trixie"
RP2_DEBS=(pico-sdk-source=2.1.1-1 tinyusb-source=0.18.0+dfsg-1)
RP2_MBEDTLS="3.6.6-0.1~deb13u1"

APT_PACKAGES=(build-essential gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
    libffi-dev pkg-config dpkg-dev clang libclang-rt-14-dev python3-venv python3-dev
    cmake libstdc++-arm-none-eabi-newlib debian-archive-keyring)
# The engine on an emulated Xtensa core (tests/engine/test_xtensa.py): compiler, C library,
# QEMU, and GCC's source for the soft-float helpers Debian's lx106 libgcc leaves to the ROM.
APT_PACKAGES+=(gcc-xtensa-lx106 picolibc-xtensa-lx106-elf qemu-system-misc gcc-12-source)
# The unix firmware's ssl module links Debian's mbedTLS (https:// model updates, tested on it).
APT_PACKAGES+=(libmbedtls-dev)
# The 32-bit DSP fuzz target (tests/fuzz/fuzz.py): size_t as narrow as on the boards.
APT_PACKAGES+=(libc6-dev-i386 lib32stdc++-12-dev)
# The C format gate (tests/test_lint.py, make format): uncrustify 0.72, the version Debian 12 ships
# and scripts/uncrustify.cfg is written for (scripts/format_c.py refuses another).
APT_PACKAGES+=(uncrustify)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Run a step quietly into a log; show the log's tail when it fails.
logged() {
    local name="$1"; shift
    mkdir -p "$LOGS"
    if ! "$@" >"$LOGS/$name.log" 2>&1; then
        tail -n 40 "$LOGS/$name.log" >&2
        die "$name failed (full log: $LOGS/$name.log)"
    fi
}

# Like logged, for a long step: every PROGRESS_EVERY seconds, the log's newest line matching
# PATTERN (when it changed), so minutes of pip or apt are not silent.
PROGRESS_EVERY="${PROGRESS_EVERY:-5}"
logged_progress() {
    local name="$1" pattern="$2"; shift 2
    mkdir -p "$LOGS"
    "$@" >"$LOGS/$name.log" 2>&1 &
    local pid=$! last="" line waited=0 t0=$SECONDS
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        waited=$((waited + 1))
        if [ "$waited" -ge "$PROGRESS_EVERY" ]; then
            waited=0
            line="$(grep -E "$pattern" "$LOGS/$name.log" | tail -n 1 | cut -c1-100)" || true
            if [ -n "$line" ] && [ "$line" != "$last" ]; then
                say "  $name ($((SECONDS - t0)) s): $line"
                last="$line"
            fi
        fi
    done
    if ! wait "$pid"; then
        tail -n 40 "$LOGS/$name.log" >&2
        die "$name failed (full log: $LOGS/$name.log)"
    fi
}
PIP_PROGRESS='^(Collecting|Downloading|Building|Installing|Successfully)'

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        say "running with sudo: $*"
        sudo "$@"
    else
        die "need root for: $* (no sudo found)"
    fi
}

is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; }

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

step_system() {
    if ! is_debian; then
        local missing=()
        for tool in cc make pkg-config arm-none-eabi-gcc qemu-system-arm clang "$PYTHON"; do
            command -v "$tool" >/dev/null || missing+=("$tool")
        done
        if [ "${#missing[@]}" -gt 0 ] || [ -z "${MICROPY_DIR:-}" ]; then
            cat >&2 <<MSG
setup: this is not Debian/Ubuntu, so nothing is installed automatically. Install:
  - a C compiler, make, pkg-config and libffi headers (unix firmware, Python extension)
  - arm-none-eabi-gcc with newlib (GNU Arm Embedded Toolchain 12 or newer)
  - qemu-system-arm (QEMU 7.2 or newer; machines mps2-an500 and mps2-an386)
  - clang with libFuzzer runtime (fuzzing only)
  - xtensa-lx106-elf-gcc with picolibc, qemu-system-xtensa and GCC 12's source in
    /usr/src/gcc-12 (the engine on an emulated Xtensa core)
  - Python 3.10+ with venv and development headers
  - uncrustify 0.72.0 (the C format gate; other versions format differently)
and set MICROPY_DIR to a MicroPython v1.25 checkout (git clone with submodules).
MSG
            [ "${#missing[@]}" -gt 0 ] && die "missing: ${missing[*]}"
            die "MICROPY_DIR is not set"
        fi
        return 0
    fi
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        pkg_installed "$p" || missing+=("$p")
    done
    # A Python from elsewhere (pyenv, deadsnakes) brings its own venv and headers.
    if "$PYTHON" -c 'import ensurepip, sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null; then
        local keep=()
        for p in "${missing[@]}"; do
            case "$p" in python3-venv|python3-dev) ;; *) keep+=("$p") ;; esac
        done
        missing=("${keep[@]}")
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        logged apt-update as_root apt-get update
        logged_progress apt-install '^(Get:|Unpacking|Setting up)' as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

# MicroPython source: Debian's source package from $MP_SUITE (deb-src only, binaries stay on the
# machine's release), checked against the .dsc and unpacked to build/micropython.
step_micropython() {
    if [ -n "${MICROPY_DIR:-}" ]; then
        [ -f "$MICROPY_DIR/py/mkenv.mk" ] || die "MICROPY_DIR=$MICROPY_DIR is not a MicroPython tree"
        say "using MicroPython from MICROPY_DIR=$MICROPY_DIR"
        return 0
    fi
    local dest="$BUILD/micropython" stamp="$BUILD/micropython/.tinyml-source"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$MP_SOURCE_VERSION" ]; then
        return 0
    fi
    is_debian || die "set MICROPY_DIR (the Debian source package needs apt-get)"
    if [ ! -f "$APT_SOURCE_FILE" ]; then
        say "adding deb-src for Debian $MP_SUITE: $APT_SOURCE_FILE"
        local tmp
        tmp="$(mktemp)"
        cat >"$tmp" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $MP_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
        as_root install -m 0644 "$tmp" "$APT_SOURCE_FILE"
        rm -f "$tmp"
        logged apt-update-src as_root apt-get update
    elif ! apt-cache showsrc "micropython=$MP_SOURCE_VERSION" 2>/dev/null | grep -q "^Version: $MP_SOURCE_VERSION"; then
        logged apt-update-src as_root apt-get update
    fi
    local src="$BUILD/src"
    mkdir -p "$src"
    local dsc="$src/micropython_$MP_SOURCE_VERSION.dsc"
    if [ ! -f "$dsc" ]; then
        say "downloading MicroPython source micropython=$MP_SOURCE_VERSION"
        (cd "$src" && logged apt-source apt-get source --download-only "micropython=$MP_SOURCE_VERSION")
    fi
    # Our own check of the upstream tarball against the .dsc (dpkg-source checks all files).
    local line sum size file
    line="$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" | grep 'orig\.tar')"
    read -r sum size file <<<"$line"
    echo "$sum  $src/$file" | sha256sum -c --quiet - || die "$file does not match $dsc"
    [ "$(stat -c %s "$src/$file")" = "$size" ] || die "$file has the wrong size"
    rm -rf "$dest" "$dest.tmp"
    logged dpkg-source dpkg-source --require-strong-checksums -x "$dsc" "$dest.tmp"
    mv "$dest.tmp" "$dest"
    echo "$MP_SOURCE_VERSION" >"$stamp"
    say "MicroPython $MP_SOURCE_VERSION unpacked to $dest"
}

# The Pico SDK, TinyUSB and mbedtls for the RP2040 firmware, from Debian $RP2_SUITE, into
# build/rp2040-sdk/ (read by host/tinyml/rp2040.py). The binary packages come through a private
# apt state (build/apt-$RP2_SUITE/; no root, nothing added to the system's sources), which
# still checks the archive's signatures; their source packages are not on our mirror.
# PICO_SDK_PATH skips this: the Pico SDK then comes from there, TinyUSB and mbedtls from
# MICROPY_DIR's submodules.
step_rp2040() {
    [ -z "${PICO_SDK_PATH:-}" ] || { say "using the Pico SDK from PICO_SDK_PATH=$PICO_SDK_PATH"; return 0; }
    local dest="$BUILD/rp2040-sdk" want="${RP2_DEBS[*]} mbedtls=$RP2_MBEDTLS"
    if [ -f "$dest/.tinyml-sdk" ] && [ "$(cat "$dest/.tinyml-sdk")" = "$want" ]; then
        return 0
    fi
    is_debian || die "the RP2040 build needs the Pico SDK: set PICO_SDK_PATH (or skip rp2040)"
    local state="$BUILD/apt-$RP2_SUITE" dl="$BUILD/src/rp2040"
    mkdir -p "$state/lists/partial" "$state/archives/partial" "$dl"
    cat >"$state/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $RP2_SUITE main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $RP2_SUITE main
SRC
    local apt=(-o "Dir::Etc::SourceList=$state/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$state/lists" -o Dir::State::status=/dev/null
        -o "Dir::Cache=$state" -o "Dir::Cache::archives=$state/archives" -o Debug::NoLocking=1)
    say "downloading the Pico SDK, TinyUSB and mbedtls from Debian $RP2_SUITE"
    logged apt-update-rp2040 apt-get "${apt[@]}" update
    (cd "$dl" && logged apt-download-rp2040 apt-get "${apt[@]}" download "${RP2_DEBS[@]}")
    (cd "$dl" && logged apt-source-mbedtls apt-get "${apt[@]}" source --download-only \
        "mbedtls=$RP2_MBEDTLS")
    rm -rf "$dest" "$dest.tmp"
    mkdir -p "$dest.tmp/unpacked"
    local deb
    for deb in "$dl"/pico-sdk-source_*.deb "$dl"/tinyusb-source_*.deb; do
        logged dpkg-deb dpkg-deb -x "$deb" "$dest.tmp/unpacked"
    done
    mv "$dest.tmp/unpacked/usr/src/pico-sdk" "$dest.tmp/unpacked/usr/src/tinyusb" "$dest.tmp/"
    rm -rf "$dest.tmp/unpacked"
    logged dpkg-source-mbedtls dpkg-source --require-strong-checksums -x \
        "$dl/mbedtls_$RP2_MBEDTLS.dsc" "$dest.tmp/mbedtls"
    rm -f "$dest.tmp"/mbedtls_*  # dpkg-source links the upstream tarball beside the tree
    # micropython-lib is not in Debian's MicroPython source; the build only wants the directory.
    mkdir -p "$dest.tmp/micropython-lib"
    echo "Empty: micropython-lib is not packaged; see boards/README.md (rp2040)." \
        >"$dest.tmp/micropython-lib/README.md"
    mv "$dest.tmp" "$dest"
    echo "$want" >"$dest/.tinyml-sdk"
    say "Pico SDK, TinyUSB and mbedtls unpacked to $dest"
}

hash_files() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# step_venv [dev|base]: dev (the default) adds the dev extra (TensorFlow, TFLite Micro, pytest,
# ruff, mypy); base is the host tools alone, enough for `make demo`. The stamp records which;
# a dev install also satisfies base.
step_venv() {
    local extra="${1:-dev}" stamp="$VENV/.tinyml-deps" hash have spec="$ROOT"
    hash="$(hash_files "$ROOT/pyproject.toml" "$ROOT/setup.py")"
    have="$(cat "$stamp" 2>/dev/null || true)"
    # The C sources' hash is taken before any build, so sources edited while pip or the
    # rebuild runs leave a stale stamp behind and are rebuilt next time.
    local ext_stamp="$VENV/.tinyml-ext" ext_want
    ext_want="$(cd "$ROOT" && find native_module -path native_module/micropython -prune -o -name '*.[ch]' -print 2>/dev/null \
        | LC_ALL=C sort | xargs -r sha256sum | sha256sum | cut -d' ' -f1)"
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV"
        logged venv "$PYTHON" -m venv "$VENV"
    fi
    if [ "$have" != "dev $hash" ] && [ "$have" != "$extra $hash" ]; then
        if [ "$extra" = dev ]; then
            spec="$ROOT[dev]"
            say "installing the project and its Python dependencies into .venv (pip)"
        else
            say "installing the project into .venv (pip; TensorFlow and the test tools come" \
                "with \`scripts/setup.sh venv\` or \`make test\`)"
        fi
        logged_progress pip "$PIP_PROGRESS" \
            "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$spec"
        echo "$extra $hash" >"$stamp"
        rm -f "$VENV/.tinyml-ext"
    fi
    # Rebuild the C extension when its sources change (pip built it the first time).
    if [ ! -f "$ext_stamp" ] || [ "$(cat "$ext_stamp")" != "$ext_want" ]; then
        if [ -f "$ext_stamp" ]; then
            say "rebuilding the tinyml._tinyml extension"
            (cd "$ROOT" && logged build-ext "$VENV/bin/python" setup.py -q build_ext --inplace --force)
        fi
        echo "$ext_want" >"$ext_stamp"
    fi
}

step_firmware() {
    local boards=("$@")
    [ "${#boards[@]}" -gt 0 ] || boards=("${SETUP_BOARDS[@]}")
    for b in "${boards[@]}"; do
        local t0=$SECONDS
        "$VENV/bin/tinyml" firmware build --board "$b" >/dev/null
        say "firmware $b ready ($((SECONDS - t0)) s): $("$VENV/bin/python" -c \
            "from tinyml import firmware, paths; print(firmware.firmware_path('$b', paths.Paths.default()))")"
    done
}

# The demo board's firmware, built with the system Python while the venv is still installing.
DEMO_BOARD=qemu-m7
firmware_without_venv() {
    PYTHONPATH="$ROOT/host" "$PYTHON" -c "
import sys
from tinyml import firmware, paths
print(firmware.build(sys.argv[1], paths.Paths.default()))" "$1"
}

step_demo() {
    local t0=$SECONDS
    say "installing .venv and building the $DEMO_BOARD firmware side by side"
    mkdir -p "$LOGS"
    firmware_without_venv "$DEMO_BOARD" >"$LOGS/firmware-demo.log" 2>&1 &
    local fw=$!
    # A failed pip stops the script (die): stop the build with it.
    trap 'kill '"$fw"' 2>/dev/null' EXIT
    step_venv base
    say "venv ready ($((SECONDS - t0)) s)"
    trap - EXIT
    if ! wait "$fw"; then
        tail -n 40 "$LOGS/firmware-demo.log" >&2
        die "firmware $DEMO_BOARD failed (full log: $LOGS/firmware-demo.log)"
    fi
    say "firmware $DEMO_BOARD ready ($((SECONDS - t0)) s): $(tail -n 1 "$LOGS/firmware-demo.log")"
}

main() {
    local what="${1:-all}"
    [ $# -gt 0 ] && shift
    case "$what" in
        system) step_system ;;
        micropython) step_micropython ;;
        venv) step_venv ;;
        rp2040) step_rp2040 ;;
        firmware) step_firmware "$@" ;;
        all) step_system; step_micropython; step_venv; step_rp2040; step_firmware ;;
        demo) step_system; step_micropython; step_demo ;;
        *) die "unknown step $what (all|demo|system|micropython|venv|rp2040|firmware [BOARD...])" ;;
    esac
}

# Sourced (by a test) to reach the functions: run nothing.
[ "${BASH_SOURCE[0]}" != "$0" ] || main "$@"
