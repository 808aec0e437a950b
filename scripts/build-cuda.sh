#!/usr/bin/env bash
# Build the CUDA (sm_90: H100/H200) llama.cpp that scripts/gpu-check.sh carries to
# the lent GPU machine, from the same sources as the pinned llama-cpp-python
# (its sdist's vendor/llama.cpp), on a machine with nvcc and no GPU:
#   - llama-server and llama-bench (in this llama.cpp, 15 kB launchers of
#     libllama-server-impl.so and libllama-bench-impl.so);
#   - a llama-cpp-python wheel whose llama_cpp/lib holds the CUDA build of libllama,
#     libggml*, libmtmd and those two, stripped (29 MB; libggml-cuda.so is 41 MB of it).
# ggml is built once, as shared libraries: the binaries find them in the installed
# wheel's llama_cpp/lib (LD_LIBRARY_PATH), so the CUDA kernels travel once, not three
# times. cuBLAS and the CUDA runtime are not carried: the GPU machine has them (CUDA 13).
#
# Measured: 56 minutes here (nice -n 19, -j 2, 2 shared cores). Run it in the background:
#   nice -n 19 scripts/build-cuda.sh            # prints the output folder
#   JOBS=1 CUDA_ARCHS=90-real scripts/build-cuda.sh
# The build tree stays under $WAYBRIEF_CACHE/cuda-*-build so a rerun resumes.
#   scripts/build-cuda.sh --stage DIR          # copies what must travel into DIR
#   scripts/build-cuda.sh --pack-source FILE   # the sources trimmed to what this build
#                                                reads (6 MB .tar.xz), to build elsewhere
# On the GPU machine (no network; scripts/gpu-check.sh does this when no build is carried):
#   LLAMA_SRC=dir CUBLAS_DIR=.../nvidia/cu13 PIP_WHEEL_ARGS=--no-build-isolation JOBS=16 \
#     scripts/build-cuda.sh
set -euo pipefail

VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
CUBLAS_VERSION="${CUBLAS_VERSION:-13.0.0.19}"   # the oldest CUDA 13 cuBLAS: runs with any newer 13.x
ARCHS="${CUDA_ARCHS:-90-real}"                  # sm_90 machine code only, no PTX (size)
JOBS="${JOBS:-2}"
CACHE="${WAYBRIEF_CACHE:-$HOME/.cache/waybrief}"
NAME="cuda-$VERSION-sm${ARCHS%%-*}"
BUILD="$CACHE/$NAME-build"
OUTDIR="$CACHE/$NAME"
DEPS="${CUBLAS_DIR:-$CACHE/cuda-deps/cublas-$CUBLAS_VERSION}"  # include/ and lib/ of cuBLAS
STUBS="$CACHE/cuda-deps/cublas-$CUBLAS_VERSION/stubs"
[ -z "${CUBLAS_DIR:-}" ] || STUBS="$BUILD/stubs"
PY="${PYTHON:-python3}"
NVCC="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
# Portable CPU code, as in the Makefile (native builds crash on VMs without AMX state).
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"

stage() {  # copy what travels: the wheel and the two binaries
  local dest="$1"
  mkdir -p "$dest/bin"
  cp "$OUTDIR"/*.whl "$dest/"
  cp "$OUTDIR/bin/llama-server" "$OUTDIR/bin/llama-bench" "$dest/bin/"
  du -sh "$dest" >&2
}
make_wheel() {  # make_wheel SRC LIBS OUT: llama-cpp-python's Python package, built
  # without llama.cpp (LLAMA_BUILD=OFF), with the libraries in LIBS added to llama_cpp/lib
  local src="$1" libs="$2" out="$3" plain
  plain="$(mktemp -d)"
  # shellcheck disable=SC2086
  CMAKE_ARGS="-DLLAMA_BUILD=OFF" "$PY" -m pip wheel --quiet --no-deps ${PIP_WHEEL_ARGS:-} "$src" \
    -w "$plain" >&2
  "$PY" - "$plain"/*.whl "$libs" "$out" <<'EOF'
"""Add the libraries to the wheel and rewrite its RECORD (hashes and sizes)."""
import base64, hashlib, pathlib, sys, zipfile

wheel, libs, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
target = out / wheel.name
with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
    files = {i.filename: src.read(i) for i in src.infolist() if not i.filename.endswith("/RECORD")}
    record = next(i.filename for i in src.infolist() if i.filename.endswith("/RECORD"))
    for lib in sorted(libs.glob("lib*.so*")):
        files[f"llama_cpp/lib/{lib.name}"] = lib.read_bytes()
    rows = []
    for name, data in files.items():
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o755 if ".so" in name else 0o644) << 16
        dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{name},sha256={digest},{len(data)}")
    rows.append(f"{record},,")
    dst.writestr(record, "\n".join(rows) + "\n")
print(target)
EOF
  rm -rf "$plain"
}
if [ "${1:-}" = "--stage" ]; then stage "$2"; exit 0; fi
if [ "${1:-}" = "--outdir" ]; then echo "$OUTDIR"; exit 0; fi  # where the build lands
if [ "${1:-}" = "--wheel" ]; then  # --wheel SRC LIBS OUT: only the wheel step
  make_wheel "$2" "$3" "$4"; exit 0
fi
if [ "${1:-}" = "--pack-source" ]; then
  # Everything CMake reads for this build and the wheel's Python package; not the
  # models, docs, tests, examples, nor the other GPU backends.
  sdist="$CACHE/src/llama_cpp_python-$VERSION.tar.gz"
  tmp="$(mktemp -d)"
  tar xzf "$sdist" -C "$tmp"
  skip=(models docs examples tests .git gguf-py media benches pocs ci conversion skills
        tools/server/tests tools/ui/node_modules)
  for b in cann metal hexagon sycl vulkan opencl openvino webgpu et virtgpu musa hip zdnn blas rpc \
           kompute zendnn; do skip+=("ggml/src/ggml-$b"); done
  excludes=()
  for d in "${skip[@]}"; do excludes+=("--exclude=llama_cpp_python-$VERSION/vendor/llama.cpp/$d"); done
  for d in .git tests docs examples docker; do excludes+=("--exclude=llama_cpp_python-$VERSION/$d"); done
  tar cJf "$2" -C "$tmp" "${excludes[@]}" "llama_cpp_python-$VERSION"
  rm -rf "$tmp"
  ls -l "$2" >&2
  exit 0
fi
if [ -f "$OUTDIR/.done" ]; then echo "$OUTDIR"; exit 0; fi

started=$(date +%s)
mkdir -p "$CACHE/src" "$BUILD" "$OUTDIR/bin"

# 1. The pinned sources (scripts/build-llama-server.sh reads the same file).
sdist="$CACHE/src/llama_cpp_python-$VERSION.tar.gz"
if [ -z "${LLAMA_SRC:-}" ] && [ ! -f "$sdist" ]; then
  "$PY" -m pip download --quiet --no-deps --no-binary :all: "llama-cpp-python==$VERSION" -d "$CACHE/src"
fi
src="${LLAMA_SRC:-$BUILD/llama_cpp_python-$VERSION}"
[ -d "$src" ] || tar xzf "$sdist" -C "$BUILD"

# 2. cuBLAS headers and libraries (this machine's CUDA has nvcc and cudart only),
#    and a stub libcuda.so.1 to link against: the driver's own is used at run time.
if [ ! -f "$DEPS/lib/libcublas.so.13" ]; then
  tmp="$(mktemp -d)"
  "$PY" -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_27_x86_64 \
    --python-version 3.11 "nvidia-cublas==$CUBLAS_VERSION" -d "$tmp"
  mkdir -p "$DEPS"
  (cd "$tmp" && "$PY" -m zipfile -e ./*.whl .)
  cp -r "$tmp/nvidia/cu13/include" "$tmp/nvidia/cu13/lib" "$DEPS/"
  rm -rf "$tmp"
fi
if [ ! -f "$STUBS/libcuda.so" ]; then
  mkdir -p "$STUBS"
  # The driver API calls ggml-cuda makes (its VMM pool and error strings).
  funcs="cuDeviceGet cuDeviceGetAttribute cuGetErrorString cuMemAddressFree cuMemAddressReserve
         cuMemCreate cuMemGetAllocationGranularity cuMemMap cuMemRelease cuMemSetAccess cuMemUnmap"
  for f in $funcs; do echo "int $f(void) { return 999; }"; done >"$STUBS/stub.c"
  gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$STUBS/libcuda.so" "$STUBS/stub.c"
fi
ln -sf libcuda.so "$STUBS/libcuda.so.1"  # the name the linker looks for from libggml-cuda's NEEDED

# 3. One CMake build: shared ggml with CUDA, llama, mtmd, llama-server, llama-bench.
if [ ! -f "$BUILD/build/build.ninja" ]; then
  # shellcheck disable=SC2086
  cmake -S "$src/vendor/llama.cpp" -B "$BUILD/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=ON -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$ARCHS" \
    -DCMAKE_CUDA_COMPILER="$NVCC" \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_COMMON=ON $PORTABLE \
    -DCUDA_cublas_LIBRARY="$DEPS/lib/libcublas.so.13" \
    -DCUDA_cublasLt_LIBRARY="$DEPS/lib/libcublasLt.so.13" -DCUDA_cuda_driver_LIBRARY="$STUBS/libcuda.so" \
    -DCMAKE_CUDA_FLAGS="-I$DEPS/include" -DCMAKE_CXX_FLAGS="-I$DEPS/include" \
    -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$DEPS/lib -Wl,-rpath-link,$STUBS" \
    -DCMAKE_SHARED_LINKER_FLAGS="-Wl,-rpath-link,$DEPS/lib" \
    -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON '-DCMAKE_INSTALL_RPATH=$ORIGIN' >&2
fi
if [ -n "${CONFIGURE_ONLY:-}" ]; then echo "configured $BUILD/build" >&2; exit 0; fi
echo "building the CUDA llama.cpp $VERSION ($ARCHS) in $BUILD, -j $JOBS" >&2
cmake --build "$BUILD/build" --target llama-server llama-bench llama mtmd -j "$JOBS" >&2

# 4. The binaries and libraries, stripped.
for f in llama-server llama-bench; do
  strip --strip-unneeded -o "$OUTDIR/bin/$f" "$BUILD/build/bin/$f"
done
libs="$BUILD/stage-lib"
rm -rf "$libs" && mkdir -p "$libs"
for f in "$BUILD"/build/bin/lib*.so; do
  # Each library once, under its soname (libggml-cuda.so.0: what the others
  # need); those llama_cpp opens by path also under the plain name. The loader
  # matches sonames, so libllama.so opened by path serves libmtmd's libllama.so.0.
  soname="$(objdump -p "$f" | awk '/SONAME/ {print $2}')"
  strip --strip-unneeded -o "$libs/$soname" "$(readlink -f "$f")"
  case "$(basename "$f")" in
    libllama.so | libggml.so | libmtmd.so) cp "$libs/$soname" "$libs/$(basename "$f")" ;;
  esac
done

# 5. The llama-cpp-python wheel with those libraries.
rm -f "$OUTDIR"/*.whl
make_wheel "$src" "$libs" "$OUTDIR"

touch "$OUTDIR/.done"
took=$(( $(date +%s) - started ))
{
  echo "built in ${took}s"
  ls -l "$OUTDIR/bin" "$OUTDIR"/*.whl
  du -cb "$OUTDIR/bin/llama-server" "$OUTDIR/bin/llama-bench" "$OUTDIR"/*.whl | tail -1
} | tee "$OUTDIR/BUILD-INFO" >&2
echo "$OUTDIR"
