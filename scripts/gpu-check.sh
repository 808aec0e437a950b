#!/usr/bin/env bash
# The GPU checks of issue 23 as one command for the lent GPU machine, which
# reaches nothing outside and takes at most 64 MiB per call. Two halves:
#
# Here, once (needs the network and scripts/build-cuda.sh's output):
#   scripts/gpu-check.sh --prepare [DIR]     # DIR defaults to var/gpu-carry
#   GPU_CHECK_CPU=1 scripts/gpu-check.sh --prepare DIR   # the CPU build instead, to rehearse
# puts there the CUDA llama-cpp-python wheel, llama-server and llama-bench (bin/),
# and the pure-Python wheels bench/gpu.py needs that the GPU machine lacks (wheels/).
# Where scripts/build-cuda.sh has not finished (hours on 2 cores), it puts the trimmed
# llama.cpp sources instead (llama-src.tar.xz, 6 MB), and the GPU machine builds them
# first with its 16 cores: that run needs up to 10 minutes, not 8.
#
# There (the device tool's run, with carry: ["var/gpu-carry"]):
#   scripts/gpu-check.sh [--shape llama3-8b|tiny]
# installs the wheels with pip --no-index --target, writes the GGUF on local disk,
# runs bench/gpu.py, and leaves the table and the logs in $OUT. Every step has a
# time limit; the whole ends well inside 8 minutes.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CARRY="${GPU_CARRY:-$ROOT/var/gpu-carry}"
PY="${PYTHON:-python3}"
# Pure-Python packages the bench imports (the project's backends pull in Django and
# Celery) that the GPU machine's image does not have; versions as in the venv.
DEPS="django asgiref sqlparse celery kombu billiard vine amqp click-didyoumean click-plugins
      click-repl prompt_toolkit wcwidth tzlocal tzdata diskcache gguf"

if [ "${1:-}" = "--prepare" ]; then
  set -e
  dest="${2:-$CARRY}"
  rm -rf "$dest" && mkdir -p "$dest/bin" "$dest/wheels"
  if [ -n "${GPU_CHECK_CPU:-}" ]; then  # rehearsal: the CPU builds of the same sources
    server="$("$ROOT/scripts/build-llama-server.sh")"
    cp "$server" "$(dirname "$server")/llama-bench" "$dest/bin/"
    # the wheel pip built for the venv (make install), else a fresh build (8 minutes)
    built="$(find "$HOME/.cache/pip/wheels" -name 'llama_cpp_python-0.3.36-*.whl' 2>/dev/null | head -1)"
    if [ -n "$built" ]; then cp "$built" "$dest/"; else
      "$ROOT/.venv/bin/python" -m pip wheel --quiet --no-deps "llama-cpp-python==0.3.36" -w "$dest"
    fi
  elif [ -f "$("$ROOT/scripts/build-cuda.sh" --outdir)/.done" ]; then
    "$ROOT/scripts/build-cuda.sh" --stage "$dest"
  else
    echo "no finished CUDA build here: carrying the sources to build there" >&2
    "$ROOT/scripts/build-cuda.sh" --pack-source "$dest/llama-src.tar.xz"
  fi
  venv="$ROOT/.venv/bin/python"
  pins=$("$venv" -m pip list --format=freeze | grep -i -E "^($(echo $DEPS | tr ' ' '|'))==" || true)
  # shellcheck disable=SC2086
  "$venv" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation py --abi none --platform any -d "$dest/wheels" $pins
  du -sh "$dest"
  exit 0
fi

SHAPE=llama3-8b
if [ "${1:-}" = "--shape" ]; then SHAPE="$2"; fi
OUT="${OUT:-$ROOT/var/gpu-check-out}"
mkdir -p "$OUT/logs"
LOG="$OUT/gpu-check.log"
: >"$LOG"
t0=$(date +%s)
say() { echo "[$(($(date +%s) - t0))s] $*" | tee -a "$LOG"; }
step() {  # step SECONDS NAME COMMAND...: run with a time limit, log its outcome
  local limit="$1" name="$2"
  shift 2
  say "$name (limit ${limit}s)"
  timeout --kill-after=10 "$limit" "$@" >>"$LOG" 2>&1
  local rc=$?
  say "$name: exit $rc"
  return $rc
}

say "gpu-check on $(hostname), shape $SHAPE, carry $CARRY ($(du -sh "$CARRY" 2>/dev/null | cut -f1))"
step 20 "nvidia-smi" nvidia-smi || say "no nvidia-smi: bench/gpu.py will say so"

SITE="$(mktemp -d /tmp/wb-site.XXXX)"
shopt -s nullglob
wheels=("$CARRY"/*.whl "$CARRY"/wheels/*.whl)
step 60 "install the carried wheels" "$PY" -m pip install --quiet --no-index --no-deps \
  --no-compile --no-cache-dir --target "$SITE" "${wheels[@]}" || exit 1
export PYTHONPATH="$SITE:$ROOT${PYTHONPATH:+:$PYTHONPATH}"

if [ ! -x "$CARRY/bin/llama-server" ] && [ -f "$CARRY/llama-src.tar.xz" ]; then
  # No CUDA build carried: build the carried sources here, against this machine's cuBLAS.
  built=/tmp/wb-cuda && mkdir -p "$built/src"
  tar xJf "$CARRY/llama-src.tar.xz" -C "$built/src"
  cublas="$("$PY" -c 'import nvidia, os; print(next(os.path.join(p, "cu13") for p in nvidia.__path__ if os.path.exists(os.path.join(p, "cu13", "include", "cublas_v2.h"))))' 2>/dev/null)"
  say "building CUDA llama.cpp here, cuBLAS from ${cublas:-nowhere}"
  export WAYBRIEF_CACHE="$built/cache" LLAMA_SRC="$(echo "$built"/src/llama_cpp_python-*)" \
    CUBLAS_DIR="$cublas" PIP_WHEEL_ARGS="--no-build-isolation --no-index" JOBS="$(nproc)" PYTHON="$PY"
  step "${GPU_CHECK_BUILD_LIMIT:-330}" "scripts/build-cuda.sh" "$ROOT/scripts/build-cuda.sh" || exit 1
  "$ROOT/scripts/build-cuda.sh" --stage "$built/carry" >>"$LOG" 2>&1 || { say "no build to stage"; exit 1; }
  cp "$CARRY"/wheels/*.whl "$built/carry/" && CARRY="$built/carry"
  mkdir -p "$CARRY/wheels"
  step 60 "install the CUDA wheel" "$PY" -m pip install --quiet --no-index --no-deps --no-compile \
    --no-cache-dir --upgrade --target "$SITE" "$CARRY"/llama_cpp_python-*.whl || exit 1
fi

# The CUDA runtime and cuBLAS the binaries and the wheel link to: the machine's own.
libs="$SITE/llama_cpp/lib"
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/nvidia/lib64; do
  [ -d "$d" ] && libs="$libs:$d"
done
nv="$("$PY" -c 'import nvidia, os; print(os.pathsep.join(os.path.join(p, "cu13", "lib") for p in nvidia.__path__))' 2>/dev/null)"
[ -n "$nv" ] && libs="$libs:$nv"
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LLAMA_SERVER_BIN="$CARRY/bin/llama-server" LLAMA_BENCH_BIN="$CARRY/bin/llama-bench"
chmod +x "$LLAMA_SERVER_BIN" "$LLAMA_BENCH_BIN" 2>/dev/null
if ldd "$LLAMA_SERVER_BIN" "$LLAMA_BENCH_BIN" "$SITE"/llama_cpp/lib/libggml*.so* 2>&1 | grep "not found" >>"$LOG"; then
  say "missing libraries (above)"
fi
step 20 "import check" "$PY" -c "import llama_cpp, gguf, summarizer.backends.llama_cpp, summarizer.backends.openai; print(llama_cpp.__file__, llama_cpp.llama_supports_gpu_offload())" || exit 1

# The GGUF on fast local disk: RAM (/dev/shm) when it has room for the 5 GB, else /tmp.
fast=/tmp
if [ "$(df --output=avail -k /dev/shm 2>/dev/null | tail -1)" -gt 16000000 ] 2>/dev/null; then fast=/dev/shm; fi
gguf="$fast/wb-synthetic-$SHAPE.gguf"
set -o pipefail
left=$((570 - ($(date +%s) - t0)))
# about 3 minutes at the 8B shape; its figures print as each part ends, so a stop keeps them
step "$((left < 360 ? left : 360))" "bench/gpu.py --shape $SHAPE" bash -c "PYTHONUNBUFFERED=1 '$PY' '$ROOT/bench/gpu.py' \
  --shape '$SHAPE' --gguf '$gguf' --logs '$OUT/logs' --threads ${GPU_CHECK_THREADS:-8} 2>&1 | tee '$OUT/table.md'"
rc=$?
rm -f "$gguf"
rm -rf "$SITE"
say "done, exit $rc; the table: $OUT/table.md"
cat "$OUT/table.md"
exit $rc
