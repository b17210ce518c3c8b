#!/usr/bin/env bash
# The GPU check of issue 4, as one script for a lent GPU machine (docs/GPU.md): builds core + CLI
# (TILTBENCH_GUI=OFF, TILTBENCH_TESTS=OFF, Release) against that machine's CUDA LibTorch (the one bundled with
# its pip PyTorch), imports MovieLens 100K, trains SASRec for a few epochs on `cuda` and then on the CPU (same
# seed, same settings), and writes what it saw into $OUT:
#   log.txt              every step, with its command output
#   summary.md / .json   host, GPU, torch and LibTorch versions, ABI, build time, per-device epoch times,
#                        valid/test NDCG@10 with their bootstrap intervals, CUDA vs CPU within noise or not
#   train_cuda.json / train_cpu.json         `tiltbench-cli train --json` of each run
#   train_cuda_sampled.json                   the same on cuda with --loss sampled (in-batch, 1,024; issue 18), when
#                                             time is left
#   train_cuda_hstu.json                      the same on cuda with -m hstu (issue 18), when time is left
#   train_cuda_bf16_all.json                  the same on cuda with --precision bf16-all (the body's products in
#                                             bfloat16), when time is left and GPU_CHECK_PRECISION is unset
#   train_cuda_dp2.json                       rank 0 of a two-rank data-parallel run on cuda:0 (issue 18)
#   progress_cuda.jsonl / progress_cpu.jsonl per-epoch progress (kept even when a run is cut short)
#   gpu_util.csv         nvidia-smi samples during the CUDA run
#
# The GPU machine reaches no package registry: the Debian packages core needs (fmt, SQLiteCpp, SQLite,
# nlohmann-json, CLI11; cmake + ninja as a fallback) come as .deb files made here by
# packaging/fetch-gpu-debs.sh, carried in build/gpu-debs, and unpacked with `dpkg -x` into a private prefix
# (never into /). Usage with the device tool, from the repository root:
#   packaging/fetch-gpu-debs.sh                                  # here, once
#   run: bash bench/gpu/gpu_check.sh   carry: ["build/gpu-debs"]  timeout_s: 560
#
# Environment (all optional):
#   GPU_CHECK_BUDGET_S   whole-script budget in seconds, default 480 (every step runs under `timeout`)
#   GPU_CHECK_EPOCHS     SASRec epochs per device, default 5 (patience off, so every epoch runs)
#   GPU_CHECK_THREADS    CPU threads for both runs, default all cores up to 16
#   GPU_CHECK_PRECISION  `train --precision` for both runs (auto, fp32, bf16, bf16-all), default: the CLI's default (auto:
#                        bf16 on CUDA and on CPUs with native bfloat16); the summary shows what each run used
#   GPU_CHECK_JOBS       build jobs, default all cores
#   GPU_CHECK_DEBS       folder made by fetch-gpu-debs.sh, default build/gpu-debs
#   GPU_CHECK_BUILD      build folder, default build/gpu-check
#   GPU_CHECK_PREFIX     where the .debs are unpacked, default /tmp/tiltbench-gpu-prefix
#   GPU_CHECK_CLEAN=1    configure a fresh build tree (by default one left by an earlier call is reused)
#   GPU_CHECK_CPU_ONLY=1 dry run without a GPU: the system's LibTorch (or GPU_CHECK_TORCH_PREFIX), no CUDA run
#   GPU_CHECK_SKIP_CPU=1 no CPU comparison run
#   GPU_CHECK_TORCH_PREFIX  CMake prefix of the LibTorch to use, default torch.utils.cmake_prefix_path
#   GPU_CHECK_EXTRA_CMAKE_ARGS  more configure arguments, split on spaces (e.g. '-DTILTBENCH_CUDA_NVTX_SHIM=ON')
#   TILTBENCH_ML100K     u.data, default shared/data/ml-100k (in or beside the checkout), then GPU_CHECK_DEBS/data
#   OUT                  output folder (set by the device tool), default build/gpu-check/out
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
START=$(date +%s)

OUT="${OUT:-$REPO/build/gpu-check/out}"
mkdir -p "$OUT"
LOG="$OUT/log.txt"
: >"$LOG"
# Outputs of an earlier run in the same folder (the device tool's $OUT starts empty; a local one may not).
rm -f "$OUT"/summary.md "$OUT"/summary.json "$OUT"/train_cuda.json "$OUT"/train_cpu.json \
    "$OUT"/progress_cuda.jsonl "$OUT"/progress_cpu.jsonl "$OUT"/gpu_util.csv
# Everything below goes to the log and to stdout (the device tool returns the tail of stdout).
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$!

BUDGET="${GPU_CHECK_BUDGET_S:-480}"
EPOCHS="${GPU_CHECK_EPOCHS:-5}"
NPROC="$(nproc 2>/dev/null || echo 4)"
THREADS="${GPU_CHECK_THREADS:-$((NPROC < 16 ? NPROC : 16))}"
JOBS="${GPU_CHECK_JOBS:-$NPROC}"
DEBS="${GPU_CHECK_DEBS:-$REPO/build/gpu-debs}"
BUILD="${GPU_CHECK_BUILD:-$REPO/build/gpu-check}"
PREFIX="${GPU_CHECK_PREFIX:-/tmp/tiltbench-gpu-prefix}"
CPU_ONLY="${GPU_CHECK_CPU_ONLY:-0}"
SKIP_CPU="${GPU_CHECK_SKIP_CPU:-0}"
DEADLINE=$((START + BUDGET))
WORK="$BUILD/check"  # workspace, meta data for the summary
META="$WORK/meta.tsv"

say() { echo "[gpu_check $(date -u +%H:%M:%S) +$(($(date +%s) - START))s] $*"; }
meta() { printf '%s\t%s\n' "$1" "$2" >>"$META"; }
remaining() { echo $((DEADLINE - $(date +%s))); }
STATUS="started"
FAILED_STEP=""
fail() {
    STATUS="failed"
    FAILED_STEP="$1"
    shift
    say "FAILED ($FAILED_STEP): $*"
    exit 1
}

# The summary is written however the script ends (success, failure, or a step's timeout).
finish() {
    local rc=$?
    set +e
    [ "$STATUS" = started ] && [ "$rc" -ne 0 ] && STATUS="failed"
    [ "$STATUS" = started ] && STATUS="ok"
    [ -n "${SAMPLER_PID:-}" ] && kill "$SAMPLER_PID" 2>/dev/null
    meta status "$STATUS"
    meta failed_step "$FAILED_STEP"
    meta total_seconds "$(($(date +%s) - START))"
    say "writing the summary (status: $STATUS)"
    if command -v "${PY:-python3}" >/dev/null 2>&1; then
        "${PY:-python3}" "$REPO/bench/gpu/summarize.py" --meta "$META" --out "$OUT" ||
            say "summarize.py failed; the raw files are in $OUT"
    else
        say "no python3: no summary; see the raw files in $OUT"
    fi
    say "done in $(($(date +%s) - START)) s, status $STATUS"
    exec 1>&- 2>&-
    wait "$TEE_PID" 2>/dev/null  # let tee finish the log before the device tool collects $OUT
    exit "$rc"
}
trap finish EXIT
# An unexpected failure (set -e) names the line and the command before the summary is written.
trap 'say "stopped: line $LINENO: $BASH_COMMAND (exit $?)"' ERR

# step NAME SECONDS CMD...: runs the external command CMD under `timeout` (so no shell functions), logs it,
# records its status and time. Returns CMD's exit status (124 on timeout).
step() {
    local name="$1" limit="$2"
    shift 2
    local left
    left="$(remaining)"
    [ "$limit" -le "$left" ] || limit="$left"
    if [ "$limit" -le 5 ]; then
        meta "step" "$name"$'\t'"skipped (budget spent)"$'\t'0
        say "step $name skipped: the ${BUDGET}s budget is spent"
        return 124
    fi
    if [ "${1:-}" = bash ] && [ "${4:-}" = to_file ]; then
        say "step $name (limit ${limit}s): ${*:6} > $5"
    else
        say "step $name (limit ${limit}s): $*"
    fi
    local t0 rc=0
    t0=$(date +%s)
    timeout --kill-after=10 "$limit" "$@" || rc=$?
    local dt=$(($(date +%s) - t0))
    local st="ok"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        st="timed out after ${limit}s"
    elif [ "$rc" -ne 0 ]; then st="exit $rc"; fi
    meta "step" "$name"$'\t'"$st"$'\t'"$dt"
    say "step $name: $st (${dt}s)"
    return "$rc"
}

# "${TO_FILE[@]}" FILE CMD...: CMD with its stdout in FILE, as one external command (for `step`).
TO_FILE=(bash -c 'f="$1"; shift; exec "$@" >"$f"' to_file)

rm -rf "$WORK"
mkdir -p "$WORK"
: >"$META"
meta budget_seconds "$BUDGET"
meta epochs "$EPOCHS"
meta threads "$THREADS"
meta cpu_only "$CPU_ONLY"

# ---- 1. the machine -------------------------------------------------------------------------------------------
say "Tiltbench GPU check; repo $REPO; out $OUT; budget ${BUDGET}s; $EPOCHS epochs; $THREADS threads"
meta host "$(uname -srm)"
meta os "$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}") || echo '?')"
meta cores "$NPROC"
meta memory "$(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}')"
uname -a || true
(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || true
echo "cores: $NPROC"
free -g 2>/dev/null || true

CXX_BIN="${CXX:-}"
if [ -z "$CXX_BIN" ]; then
    for c in g++ c++ clang++; do command -v "$c" >/dev/null 2>&1 && { CXX_BIN="$(command -v "$c")"; break; }; done
fi
[ -n "$CXX_BIN" ] || fail setup "no C++ compiler (g++, c++ or clang++) on this machine"
echo "C++ compiler: $CXX_BIN: $("$CXX_BIN" --version | head -n 1)"
meta compiler "$("$CXX_BIN" --version | head -n 1)"

if [ "$CPU_ONLY" != 1 ]; then
    if command -v nvidia-smi >/dev/null 2>&1; then
        nvidia-smi || true
        meta gpu "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)"
    else
        say "warning: no nvidia-smi"
    fi
fi

# ---- 2. python with torch (the LibTorch to build against) ----------------------------------------------------
PY=""
for c in python3 /opt/torch/.venv/bin/python3 /usr/bin/python3 python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch' >/dev/null 2>&1; then
        PY="$(command -v "$c")"
        break
    fi
done
TORCH_PY_VERSION="" TORCH_PY_CUDA="" TORCH_PY_CUDA_AVAILABLE=0 TORCH_PY_DEVICE="" TORCH_PY_ABI=""
TORCH_CMAKE_PREFIX="${GPU_CHECK_TORCH_PREFIX:-}" TORCH_SITE=""
if [ -n "$PY" ]; then
    say "python with torch: $PY"
    eval "$("$PY" - <<'EOF'
import os, shlex, torch
def out(k, v): print("%s=%s" % (k, shlex.quote(str(v))))
out("TORCH_PY_VERSION", torch.__version__)
out("TORCH_PY_CUDA", torch.version.cuda or "")
ok = torch.cuda.is_available()
out("TORCH_PY_CUDA_AVAILABLE", int(ok))
out("TORCH_PY_DEVICE", torch.cuda.get_device_name(0) if ok else "")
out("TORCH_PY_ABI", int(torch._C._GLIBCXX_USE_CXX11_ABI))
out("TORCH_PY_CMAKE_PREFIX", torch.utils.cmake_prefix_path)
out("TORCH_SITE", os.path.dirname(os.path.dirname(torch.__file__)))
EOF
)"
    echo "torch $TORCH_PY_VERSION (CUDA ${TORCH_PY_CUDA:-none}), cuda available: $TORCH_PY_CUDA_AVAILABLE" \
        "${TORCH_PY_DEVICE:+($TORCH_PY_DEVICE)}, _GLIBCXX_USE_CXX11_ABI=$TORCH_PY_ABI"
    echo "torch CMake prefix: $TORCH_PY_CMAKE_PREFIX"
    meta python "$PY"
    meta torch_python "$TORCH_PY_VERSION"
    meta torch_cuda "$TORCH_PY_CUDA"
    meta torch_cuda_available "$TORCH_PY_CUDA_AVAILABLE"
    meta torch_device "$TORCH_PY_DEVICE"
    meta torch_cxx11_abi "$TORCH_PY_ABI"
    if [ -z "$TORCH_CMAKE_PREFIX" ] && [ "$CPU_ONLY" != 1 ]; then TORCH_CMAKE_PREFIX="$TORCH_PY_CMAKE_PREFIX"; fi
elif [ "$CPU_ONLY" != 1 ]; then
    fail setup "no python with torch found (tried python3, /opt/torch/.venv/bin/python3, /usr/bin/python3)"
fi
if [ "$CPU_ONLY" != 1 ] && [ "$TORCH_PY_CUDA_AVAILABLE" != 1 ]; then
    say "WARNING: python's torch sees no CUDA device; the CUDA run will fail (building anyway)"
fi

# ---- 3. the Debian packages, unpacked into a prefix -----------------------------------------------------------
[ -d "$DEBS" ] || fail debs "$DEBS not found: run packaging/fetch-gpu-debs.sh here and carry build/gpu-debs"
ls "$DEBS"/*.deb >/dev/null 2>&1 || fail debs "no .deb in $DEBS"
say "unpacking $(ls "$DEBS"/*.deb | wc -l) packages from $DEBS into $PREFIX"
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
for f in "$DEBS"/*.deb; do
    if command -v dpkg >/dev/null 2>&1; then
        dpkg -x "$f" "$PREFIX" || fail debs "dpkg -x $f failed"
    else
        # No dpkg: a .deb is an ar archive holding data.tar.{xz,zst,gz}; tar detects the compression.
        tmp="$(mktemp -d)"
        member="$(ar t "$f" | grep '^data\.tar')" || fail debs "$f holds no data.tar"
        (cd "$tmp" && ar x "$f" "$member") && tar -xf "$tmp/$member" -C "$PREFIX" || fail debs "could not unpack $f"
        rm -rf "$tmp"
    fi
done
[ -f "$DEBS/MANIFEST.txt" ] && cat "$DEBS/MANIFEST.txt"
MULTIARCH_LIB="$PREFIX/usr/lib/x86_64-linux-gnu"

# cmake and ninja: the machine's own when usable, else the unpacked Debian ones.
# (A pip-installed cmake / ninja may sit beside python without being on PATH.)
PYBIN="$([ -n "$PY" ] && dirname "$PY" || echo /nonexistent)"
CMAKE=""
for c in "$(command -v cmake 2>/dev/null || true)" "$PYBIN/cmake"; do
    [ -n "$c" ] && [ -x "$c" ] || continue
    v="$("$c" --version 2>/dev/null | head -n 1 | awk '{print $3}' || true)"
    if [ -n "$v" ] && printf '3.21\n%s\n' "$v" | sort -V -C; then
        CMAKE="$c"
        break
    fi
    say "$c (version ${v:-?}) is not usable: CMake 3.21 or later is needed"
done
if [ -z "$CMAKE" ]; then
    CMAKE="$WORK/cmake-wrapper"
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s" "$@"\n' \
        "$MULTIARCH_LIB" "$PREFIX/usr/bin/cmake" >"$CMAKE"
    chmod +x "$CMAKE"
    "$CMAKE" --version >/dev/null 2>&1 || {
        ldd "$PREFIX/usr/bin/cmake" | grep 'not found' || true
        fail setup "no usable cmake (none on PATH, and the carried Debian cmake does not start)"
    }
    say "using the carried Debian cmake"
fi
echo "cmake: $CMAKE: $("$CMAKE" --version | head -n 1)"
meta cmake "$("$CMAKE" --version | head -n 1)"
GENERATOR=()
if command -v ninja >/dev/null 2>&1; then
    GENERATOR=(-G Ninja -DCMAKE_MAKE_PROGRAM="$(command -v ninja)")
elif [ -x "$PYBIN/ninja" ]; then
    GENERATOR=(-G Ninja -DCMAKE_MAKE_PROGRAM="$PYBIN/ninja")
elif [ -x "$PREFIX/usr/bin/ninja" ] && "$PREFIX/usr/bin/ninja" --version >/dev/null 2>&1; then
    GENERATOR=(-G Ninja -DCMAKE_MAKE_PROGRAM="$PREFIX/usr/bin/ninja")
elif command -v make >/dev/null 2>&1; then
    GENERATOR=(-G "Unix Makefiles")
else
    fail setup "neither ninja nor make"
fi
echo "generator: ${GENERATOR[*]}"

# ---- 4. configure ---------------------------------------------------------------------------------------------
PREFIX_PATH="$PREFIX/usr"
[ -n "$TORCH_CMAKE_PREFIX" ] && PREFIX_PATH="$PREFIX_PATH;$TORCH_CMAKE_PREFIX"
CONFIG_ARGS=(-S "$REPO" -B "$BUILD/tree" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER="$CXX_BIN" -DTILTBENCH_GUI=OFF -DTILTBENCH_TESTS=OFF -DTILTBENCH_BENCH=OFF
    "-DCMAKE_PREFIX_PATH=$PREFIX_PATH" -Wno-dev)
# CMake 4 rejects packages whose config files declare a minimum below 3.5; this lets them through.
if printf '4.0\n%s\n' "$("$CMAKE" --version | head -n 1 | awk '{print $3}')" | sort -V -C; then
    CONFIG_ARGS+=(-DCMAKE_POLICY_VERSION_MINIMUM=3.5)
fi
# The pre-C++11 ABI needs SQLiteCpp compiled here (cmake/TiltbenchTorch.cmake).
if [ "${TORCH_PY_ABI:-1}" = 0 ] && [ "$CPU_ONLY" != 1 ]; then
    [ -d "$DEBS/sqlitecpp-src" ] || fail configure "torch uses the pre-C++11 ABI and $DEBS/sqlitecpp-src is missing"
    CONFIG_ARGS+=("-DTILTBENCH_SQLITECPP_SOURCE_DIR=$DEBS/sqlitecpp-src")
    say "torch uses the pre-C++11 ABI: SQLiteCpp is compiled from $DEBS/sqlitecpp-src, fmt header-only"
fi
if [ -n "${GPU_CHECK_EXTRA_CMAKE_ARGS:-}" ]; then
    read -r -a extra <<<"$GPU_CHECK_EXTRA_CMAKE_ARGS"
    CONFIG_ARGS+=("${extra[@]}")
fi
# CUDA hints for LibTorch's Caffe2 config (it looks for the CUDA toolkit through nvcc, and for cuDNN, which a
# pip install keeps under site-packages/nvidia rather than in the toolkit).
CUDA_ARGS=()
if [ "$CPU_ONLY" != 1 ]; then
    NVCC=""
    for c in "$(command -v nvcc 2>/dev/null || true)" "${CUDA_HOME:-/nonexistent}/bin/nvcc" /usr/local/cuda/bin/nvcc \
        "$TORCH_SITE"/nvidia/cuda_nvcc/bin/nvcc "$TORCH_SITE"/nvidia/cu*/bin/nvcc; do
        [ -n "$c" ] && [ -x "$c" ] && { NVCC="$c"; break; }
    done
    if [ -n "$NVCC" ]; then
        echo "nvcc: $NVCC: $("$NVCC" --version | tail -n 2 | head -n 1)"
        meta nvcc "$("$NVCC" --version | grep -o 'release [0-9.]*' | head -n 1)"
        cuda_root="$(dirname "$(dirname "$NVCC")")"
        # CUDAToolkit_ROOT for LibTorch 2.x (FindCUDAToolkit), CUDA_TOOLKIT_ROOT_DIR for older FindCUDA.
        CUDA_ARGS+=("-DCUDAToolkit_ROOT=$cuda_root" "-DCUDA_TOOLKIT_ROOT_DIR=$cuda_root" "-DCMAKE_CUDA_COMPILER=$NVCC"
            -DCMAKE_CUDA_ARCHITECTURES=90)
        PATH="$(dirname "$NVCC"):$PATH"
        export PATH
    else
        say "warning: no nvcc found; LibTorch's CMake config may not find CUDA"
    fi
    export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}"  # H200 = sm_90; skips GPU probing
    if [ -n "$TORCH_SITE" ]; then
        cudnn_h="$(find "$TORCH_SITE/nvidia" -name cudnn.h -path '*include*' 2>/dev/null | head -n 1 || true)"
        cudnn_so="$(find "$TORCH_SITE/nvidia" -name 'libcudnn.so*' 2>/dev/null | sort | head -n 1 || true)"
        if [ -n "$cudnn_h" ] && [ -n "$cudnn_so" ]; then
            CUDA_ARGS+=("-DCUDNN_INCLUDE_PATH=$(dirname "$cudnn_h")" "-DCUDNN_LIBRARY_PATH=$cudnn_so")
            echo "cuDNN (pip): $(dirname "$cudnn_h"), $cudnn_so"
        fi
    fi
fi
configured=0
# A build tree left by an earlier call (a warm machine keeps ignored build outputs) is reused unless
# GPU_CHECK_CLEAN=1; the retry below always starts afresh.
[ "${GPU_CHECK_CLEAN:-0}" = 1 ] && rm -rf "$BUILD/tree"
if step configure 240 "$CMAKE" "${CONFIG_ARGS[@]}" "${CUDA_ARGS[@]}"; then
    configured=1
else
    say "first configure failed; again with an NVTX shim and cuDNN / cuSPARSELt / cuDSS / cuFile turned off"
    tail -n 40 "$BUILD/tree/CMakeFiles/CMakeConfigureLog.yaml" 2>/dev/null ||
        tail -n 40 "$BUILD/tree/CMakeFiles/CMakeError.log" 2>/dev/null || true
    rm -rf "$BUILD/tree"
    if step configure-retry 240 "$CMAKE" "${CONFIG_ARGS[@]}" "${CUDA_ARGS[@]}" -DTILTBENCH_CUDA_NVTX_SHIM=ON -DCAFFE2_USE_CUDNN=OFF -DUSE_CUDNN=OFF \
        -DCAFFE2_USE_CUSPARSELT=OFF -DUSE_CUSPARSELT=OFF -DUSE_CUDSS=OFF -DCAFFE2_USE_CUFILE=OFF -DUSE_CUFILE=OFF; then
        configured=1
    fi
fi
if [ "$configured" != 1 ]; then
    tail -n 60 "$BUILD/tree/CMakeFiles/CMakeConfigureLog.yaml" 2>/dev/null ||
        tail -n 60 "$BUILD/tree/CMakeFiles/CMakeError.log" 2>/dev/null || true
    fail configure "cmake could not configure the project (see the output above)"
fi
echo "packages CMake used:"
grep -E '^(Torch|Caffe2|fmt|SQLiteCpp|nlohmann_json|CLI11|CUDAToolkit)_DIR:|^SQLite3_(LIBRARY|INCLUDE_DIR)' \
    "$BUILD/tree/CMakeCache.txt" || true
meta cmake_torch "$(grep -m 1 '^Torch_DIR:' "$BUILD/tree/CMakeCache.txt" | cut -d= -f2-)"

# ---- 5. build -------------------------------------------------------------------------------------------------
CLI="$BUILD/tree/app/cli/tiltbench-cli"
BUILD_CMD=("$CMAKE" --build "$BUILD/tree" -j "$JOBS" --target tiltbench-cli)
t0=$(date +%s)
step build $(($(remaining) - 60)) "${BUILD_CMD[@]}" || fail build "tiltbench-cli did not build"
meta build_seconds "$(($(date +%s) - t0))"
meta build_jobs "$JOBS"
if ldd "$CLI" "$BUILD/tree/app/cli/tiltbench-cli-torch" | grep 'not found'; then fail build "tiltbench-cli misses shared libraries (above)"; fi

meta runtime_json "$WORK/runtime.json"
step runtime 60 "${TO_FILE[@]}" "$WORK/runtime.json" "$CLI" runtime --json || fail runtime "tiltbench-cli runtime failed"
cat "$WORK/runtime.json"
if [ "$CPU_ONLY" != 1 ] && ! grep -q '"cuda_available": *true' "$WORK/runtime.json"; then
    # A linker that drops libtorch_cuda.so (--as-needed) leaves LibTorch without CUDA: link it explicitly.
    say "the CLI's LibTorch sees no CUDA: linking again with -Wl,--no-as-needed"
    "$CMAKE" "$BUILD/tree" -DCMAKE_EXE_LINKER_FLAGS=-Wl,--no-as-needed >/dev/null
    step relink 240 "${BUILD_CMD[@]}" || fail build "relink failed"
    step runtime-again 60 "${TO_FILE[@]}" "$WORK/runtime.json" "$CLI" runtime --json || fail runtime "tiltbench-cli runtime failed"
    cat "$WORK/runtime.json"
    grep -q '"cuda_available": *true' "$WORK/runtime.json" ||
        say "WARNING: LibTorch in tiltbench-cli still sees no CUDA; the CUDA run will fail"
fi

# ---- 6. data --------------------------------------------------------------------------------------------------
ML100K="${TILTBENCH_ML100K:-}"
if [ -z "$ML100K" ]; then
    for c in "$REPO/shared/data/ml-100k/u.data" "$REPO/../shared/data/ml-100k/u.data" "$DEBS/data/ml-100k/u.data"; do
        [ -f "$c" ] && { ML100K="$c"; break; }
    done
fi
[ -n "$ML100K" ] && [ -f "$ML100K" ] || fail data "MovieLens 100K u.data not found (set TILTBENCH_ML100K)"
WS="$WORK/ml100k.sqlite"
rm -f "$WS" "$WS-wal" "$WS-shm"
step import 120 "${TO_FILE[@]}" "$WORK/import.json" "$CLI" import -w "$WS" -f movielens-100k -n ml100k --json "$ML100K" ||
    fail import "import of $ML100K failed"
meta data "$ML100K"

# ---- 7. train on cuda, then on the CPU ----------------------------------------------------------------------
TRAIN_HELP="$("$CLI" train --help 2>/dev/null || true)"
PROGRESS_OK=0
grep -q -- '--progress-jsonl' <<<"$TRAIN_HELP" && PROGRESS_OK=1
PRECISION="${GPU_CHECK_PRECISION:-}"
if [ -n "$PRECISION" ] && ! grep -q -- '--precision' <<<"$TRAIN_HELP"; then
    say "warning: this tiltbench-cli has no --precision; GPU_CHECK_PRECISION=$PRECISION ignored"
    PRECISION=""
fi
train_cmd() {  # [MODEL=hstu] train_cmd DEVICE [NAME EXTRA...]: sets TRAIN to one run's command line (files named NAME)
    local device="$1" name="${2:-$1}"
    TRAIN=("${TO_FILE[@]}" "$OUT/train_$name.json" "$CLI" train -w "$WS" -d ml100k -m "${MODEL:-sasrec}" --device "$device"
        --epochs "$EPOCHS" --patience 0 --seed 42 --threads "$THREADS" --json "${@:3}")
    [ "$PROGRESS_OK" = 1 ] && TRAIN+=(--progress-jsonl "$OUT/progress_$name.jsonl")
    [ -n "$PRECISION" ] && TRAIN+=(--precision "$PRECISION")
    return 0
}
RUN_FAILED=0
if [ "$CPU_ONLY" != 1 ]; then
    if command -v nvidia-smi >/dev/null 2>&1; then
        nvidia-smi --query-gpu=timestamp,utilization.gpu,utilization.memory,memory.used,power.draw \
            --format=csv -lms 500 >"$OUT/gpu_util.csv" 2>/dev/null &
        SAMPLER_PID=$!
    fi
    # The CUDA run should take well under a minute; keep at least half the rest for the CPU run.
    left="$(remaining)"
    cuda_limit=$(((left - 20) / 2))
    [ "$SKIP_CPU" = 1 ] && cuda_limit=$((left - 20))
    train_cmd cuda
    step train-cuda "$cuda_limit" "${TRAIN[@]}" || { RUN_FAILED=1; say "the CUDA run failed or was cut short"; }
    [ -n "${SAMPLER_PID:-}" ] && { kill "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""; }
fi
if [ "$SKIP_CPU" != 1 ]; then
    train_cmd cpu
    step train-cpu $(($(remaining) - 20)) "${TRAIN[@]}" || { RUN_FAILED=1; say "the CPU run failed or was cut short"; }
fi
# Issue 18: the sampled softmax with its defaults (in-batch candidates capped at 1,024, the logQ correction, the
# fused node with the accidental-hit mask of non-CPU devices) on the GPU, when this build has it and time is left.
if [ "$CPU_ONLY" != 1 ] && grep -q -- '--loss' <<<"$TRAIN_HELP" && [ "$(remaining)" -gt 60 ]; then
    train_cmd cuda cuda_sampled --loss sampled --negatives in-batch --num-negatives 1024
    step train-cuda-sampled $(($(remaining) - 20)) "${TRAIN[@]}" ||
        { RUN_FAILED=1; say "the CUDA sampled-softmax run failed or was cut short"; }
fi
# Issue 18: the HSTU backbone (its time-gap buckets and pointwise attention) on the GPU, when this build has it.
if [ "$CPU_ONLY" != 1 ] && grep -q -- 'hstu' <<<"$TRAIN_HELP" && [ "$(remaining)" -gt 60 ]; then
    MODEL=hstu train_cmd cuda cuda_hstu
    step train-cuda-hstu $(($(remaining) - 20)) "${TRAIN[@]}" ||
        { RUN_FAILED=1; say "the CUDA HSTU run failed or was cut short"; }
fi
# Issue 18: the body's products in bfloat16 (--precision bf16-all) on the GPU, when this build has it.
if [ "$CPU_ONLY" != 1 ] && [ -z "$PRECISION" ] && grep -q -- 'bf16-all' <<<"$TRAIN_HELP" && [ "$(remaining)" -gt 60 ]; then
    train_cmd cuda cuda_bf16_all --precision bf16-all
    step train-cuda-bf16-all $(($(remaining) - 20)) "${TRAIN[@]}" ||
        { RUN_FAILED=1; say "the CUDA bf16-all run failed or was cut short"; }
fi
# Issue 18: data-parallel training — two ranks sharing the one GPU (--device cuda:0; gradients staged through
# CPU for Gloo), as one run; rank 0's JSON is train_cuda_dp2.json. Checks that this LibTorch's c10d builds and
# runs with Tiltbench; its speed means nothing on one GPU.
if [ "$CPU_ONLY" != 1 ] && grep -q -- '--dist-timeout' <<<"$TRAIN_HELP" && [ "$(remaining)" -gt 60 ]; then
    train_cmd cuda:0 cuda_dp2
    # TRAIN = TO_FILE… FILE CLI ARGS: drop the redirection wrapper, two_ranks.sh writes both ranks' stdout.
    step train-cuda-dp2 $(($(remaining) - 20)) bash "$REPO/bench/gpu/two_ranks.sh" "$OUT/train_cuda_dp2.json" \
        "$OUT/train_cuda_dp2_rank1.json" 29517 "${TRAIN[@]:$((${#TO_FILE[@]} + 1))}" ||
        { RUN_FAILED=1; say "the two-rank CUDA run failed or was cut short"; }
fi
[ "$RUN_FAILED" = 0 ] || STATUS="partial"
