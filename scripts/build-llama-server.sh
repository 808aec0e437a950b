#!/usr/bin/env bash
# Build llama.cpp's llama-server (continuous batching, OpenAI-compatible API)
# and llama-bench (llama.cpp's own speed figures, bench/gpu.py)
# from the llama.cpp sources that the pinned llama-cpp-python vendors, so the
# server and the in-process backend run the same llama.cpp. The binary is kept
# outside the checkout, keyed by version: fresh clones reuse it.
#   scripts/build-llama-server.sh            # prints the binary's path
#   LLAMA_SERVER_CMAKE_ARGS=-DGGML_CUDA=on scripts/build-llama-server.sh   # GPU build
set -euo pipefail

VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
VARIANT="$(printf '%s' "${LLAMA_SERVER_CMAKE_ARGS:-cpu}" | md5sum | cut -c1-8)"
PREFIX="${WAYBRIEF_CACHE:-$HOME/.cache/waybrief}/llama-server-$VERSION-$VARIANT"
BIN="$PREFIX/bin/llama-server"
BENCH="$PREFIX/bin/llama-bench"
PY="${PYTHON:-.venv/bin/python}"
# Portable CPU code (see the Makefile): native builds pick AMX kernels that
# crash on virtual machines that do not grant AMX state.
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"

if [ -x "$BIN" ] && [ -x "$BENCH" ]; then echo "$BIN"; exit 0; fi
command -v cmake >/dev/null || "$PY" -m pip install --quiet cmake

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building llama-server and llama-bench $VERSION into $PREFIX (several minutes on 2 cores)" >&2
# The sdist scripts/build-cuda.sh keeps, if it is there; else pip fetches it.
sdist="${WAYBRIEF_CACHE:-$HOME/.cache/waybrief}/src/llama_cpp_python-$VERSION.tar.gz"
if [ ! -f "$sdist" ]; then
  "$PY" -m pip download --quiet --no-deps --no-binary :all: "llama-cpp-python==$VERSION" -d "$work"
  sdist="$work/llama_cpp_python-$VERSION.tar.gz"
fi
tar xzf "$sdist" -C "$work" "llama_cpp_python-$VERSION/vendor/llama.cpp"
src="$work/llama_cpp_python-$VERSION/vendor/llama.cpp"
# shellcheck disable=SC2086
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON $PORTABLE ${LLAMA_SERVER_CMAKE_ARGS:-} >&2
cmake --build "$work/build" --target llama-server llama-bench -j "$(nproc)" >&2
install -D "$work/build/bin/llama-server" "$BIN"
install -D "$work/build/bin/llama-bench" "$BENCH"
echo "$BIN"
