# tinyml: the two quick-start commands are `make demo` and `make test`; each does its own set-up.
# The logic lives in scripts/setup.sh.

.PHONY: all setup firmware demo test

all: test

setup:
	@scripts/setup.sh all

firmware: setup
	@scripts/setup.sh firmware unix qemu-m7 qemu-m4 qemu-m0 rp2040

demo: setup
	.venv/bin/tinyml demo

test: setup
	.venv/bin/python -m pytest tests
