# tinyml: the two quick-start commands are `make demo` and `make test`; each does its own set-up.
# The logic lives in scripts/setup.sh.

.PHONY: all setup firmware demo test format

all: test

setup:
	@scripts/setup.sh all

firmware: setup
	@scripts/setup.sh firmware unix qemu-m7 qemu-m4 qemu-m0 rp2040

# The demo needs the venv and the emulated board's firmware only, built side by side.
demo:
	@scripts/setup.sh demo
	.venv/bin/tinyml demo

test: setup
	.venv/bin/python -m pytest tests

# Rewrite what the format gates in tests/test_lint.py reject: the C with uncrustify
# (scripts/format_c.py, scripts/uncrustify.cfg), the Python with ruff. A second run changes nothing.
format:
	@test -x .venv/bin/python || { echo 'make format: no .venv: run scripts/setup.sh venv first' >&2; exit 2; }
	python3 scripts/format_c.py
	.venv/bin/python -m ruff format .
