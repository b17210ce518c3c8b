#!/usr/bin/env bash
# SASRec epoch time (issue 4, speed): `tiltbench-cli train --model sasrec` against a plain-PyTorch peer
# (bench/peers/sasrec_peer.py: fixed length 200, left padding, nn.MultiheadAttention, full-softmax
# cross-entropy) on the same ML-100K training sequences, same architecture (dim 50, 2 blocks, 1 head,
# max length 200, dropout 0.2), batch 128, Adam 1e-3, the same thread count. The two tools take turns for RUNS
# repetitions (odd runs Tiltbench first, even runs the peer first); epoch 1 of every run is warm-up and left
# out; the table shows the median training-pass seconds per epoch (Tiltbench: epochs[].train_seconds of
# `train --json`, which excludes its validation pass; peer: the training loop alone), the ratio
# tiltbench / peer (< 1 = Tiltbench faster), for four Tiltbench variants (see VARIANTS) and the useful GFLOP/s of each (real positions only, counted as
# bench/sasrec_step_bench.cpp counts them). Markdown report on stdout, progress on stderr.
#
# Builds nothing. Environment (all optional):
#   TILTBENCH_CLI  tiltbench-cli        default build/release, build/peer, build/bench, build/dev (first found)
#   PYTHON         python with torch    default /usr/bin/python3 (Debian's python3-torch), else python3
#   THREADS        threads, both tools  default 2
#   EPOCHS         epochs per run       default 5 (at least 2: epoch 1 is skipped)
#   RUNS           repetitions          default 1
#   ML100K         u.data path          default ../shared/data/ml-100k/u.data beside the checkout
#   BENCH_DATA     scratch folder       default build/bench-data (workspace + JSON of each run; never in git)
# Skips (exit 0, message on stderr) when ML-100K or a torch-capable python is missing.
set -euo pipefail

die() {
    echo "sasrec_speed: $*" >&2
    exit 1
}
say() { echo "sasrec_speed: $*" >&2; }

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

THREADS="${THREADS:-2}"
EPOCHS="${EPOCHS:-5}"
RUNS="${RUNS:-1}"
BENCH_DATA="${BENCH_DATA:-build/bench-data}"
ML100K="${ML100K:-$(cd "$REPO/.." && pwd)/shared/data/ml-100k/u.data}"
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer (got '$THREADS')"
[[ "$EPOCHS" =~ ^[1-9][0-9]*$ ]] && [ "$EPOCHS" -ge 2 ] || die "EPOCHS must be an integer >= 2 (got '$EPOCHS')"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"

# ---- inputs and tools ---------------------------------------------------------------------------------------
if [ ! -f "$ML100K" ]; then
    say "skipped: MovieLens 100K not found at $ML100K (set ML100K=/path/to/u.data)"
    exit 0
fi

PY=""
for c in ${PYTHON:-/usr/bin/python3 python3}; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch' >/dev/null 2>&1; then
        PY="$(command -v "$c")"
        break
    fi
done
if [ -z "$PY" ]; then
    say "skipped: no python with torch (tried ${PYTHON:-/usr/bin/python3 python3}); apt-get install python3-torch"
    exit 0
fi

if [ -n "${TILTBENCH_CLI:-}" ]; then
    CLI="$TILTBENCH_CLI"
    [ -x "$CLI" ] || die "TILTBENCH_CLI='$CLI' is not an executable file"
else
    CLI=""
    for c in build/release build/peer build/bench build/dev; do
        if [ -x "$c/app/cli/tiltbench-cli" ]; then
            CLI="$c/app/cli/tiltbench-cli"
            break
        fi
    done
    [ -n "$CLI" ] || die "no tiltbench-cli found; build one (cmake --preset release && cmake --build --preset release --target tiltbench-cli) or set TILTBENCH_CLI"
fi
CLI="$(cd "$(dirname "$CLI")" && pwd)/$(basename "$CLI")"
PEER="$REPO/bench/peers/sasrec_peer.py"

mkdir -p "$BENCH_DATA"
OUT="$(cd "$BENCH_DATA" && pwd)/sasrec-speed"
rm -rf "$OUT"
mkdir -p "$OUT"
WS="$OUT/ws.sqlite"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
say "importing $ML100K into $WS"
"$CLI" import --workspace "$WS" --name ml100k --format movielens-100k "$ML100K" >/dev/null

MODEL=(--dim 50 --blocks 2 --heads 1 --max-len 200 --batch-size 128)
TB_CMD=("$CLI" train --workspace "$WS" --dataset ml100k --model sasrec --scheme uniform "${MODEL[@]}"
    --epochs "$EPOCHS" --patience 0 --bootstrap 0 --threads "$THREADS" --json)
PEER_CMD=("$PY" "$PEER" --data "$ML100K" "${MODEL[@]}" --dropout 0.2 --epochs "$EPOCHS"
    --threads "$THREADS" --json)

# Tiltbench variants, all measured in the same run: its defaults (precision auto: bf16 output products on CPUs
# with native bfloat16), float32 throughout, and float32 with the plain LibTorch kernels (autograd
# cross-entropy chain, at::dropout) — the named baseline for what the hand-written kernels buy — and the
# defaults with --length-buckets (the batching before random batches became the default).
VARIANTS=(auto fp32 reference buckets)
run_tiltbench() {
    local v
    for v in "${VARIANTS[@]}"; do
        say "run $1/$RUNS: tiltbench-cli train, $v ($EPOCHS epochs, $THREADS threads)"
        case "$v" in
        auto) "${TB_CMD[@]}" --precision auto ;;
        fp32) "${TB_CMD[@]}" --precision fp32 ;;
        reference) TILTBENCH_SASREC_KERNELS=reference "${TB_CMD[@]}" --precision fp32 ;;
        buckets) "${TB_CMD[@]}" --precision auto --length-buckets ;;
        esac >"$OUT/tiltbench-$v-$1.json" 2>"$OUT/tiltbench-$v-$1.err" ||
            die "tiltbench-cli train ($v) failed (see $OUT/tiltbench-$v-$1.err)"
    done
}
run_peer() {
    say "run $1/$RUNS: sasrec_peer.py ($EPOCHS epochs, $THREADS threads)"
    "${PEER_CMD[@]}" >"$OUT/peer-$1.json" 2>"$OUT/peer-$1.err" || die "sasrec_peer.py failed (see $OUT/peer-$1.err)"
}
# Odd runs start with Tiltbench, even runs with the peer, so neither always runs on the warmer machine.
for r in $(seq 1 "$RUNS"); do
    if [ $((r % 2)) -eq 1 ]; then
        run_tiltbench "$r"
        run_peer "$r"
    else
        run_peer "$r"
        run_tiltbench "$r"
    fi
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report -------------------------------------------------------------------------------------------------
MODEL_NAME="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)"
export OUT RUNS THREADS EPOCHS NPROC="$(nproc)" MODEL_NAME LOAD_BEFORE LOAD_AFTER \
    CLI_VERSION="$("$CLI" --version 2>/dev/null | head -1 || true)" \
    TB_LINE="${TB_CMD[*]}" PEER_LINE="${PEER_CMD[*]}"
"$PY" - <<'EOF'
import json, os, statistics

out, runs = os.environ["OUT"], int(os.environ["RUNS"])
variants = [("auto", "tiltbench-cli train (defaults: precision auto)"),
            ("fp32", "tiltbench-cli train --precision fp32"),
            ("reference", "tiltbench-cli train --precision fp32, plain LibTorch kernels"),
            ("buckets", "tiltbench-cli train --length-buckets (precision auto)")]
rows = {}
for v, label in variants:
    secs, pos, loss, allr, prec = [], set(), [], [], set()
    for r in range(1, runs + 1):
        tb = json.load(open(f"{out}/tiltbench-{v}-{r}.json"))
        s = [e["train_seconds"] for e in tb["epochs"]]
        allr.append(s)
        secs += s[1:]
        pos.add(tb["training_positions"])
        loss.append(tb["epochs"][-1]["train_loss"])
        prec.add(tb.get("precision", "?"))
    rows[v] = (label + f" [{'/'.join(sorted(prec))}]", secs, pos, loss, allr)
peer_s, peer_pos, peer_loss, peer_all = [], set(), [], []
torch_version = ""
for r in range(1, runs + 1):
    pe = json.load(open(f"{out}/peer-{r}.json"))
    peer_all.append(pe["epoch_seconds"])
    peer_s += pe["epoch_seconds"][1:]
    peer_pos.add(pe["training_positions"])
    peer_loss.append(pe["loss"][-1])
    torch_version = pe["torch_version"]

pm = statistics.median(peer_s)
gflop = pe["useful_flops_per_epoch"] / 1e9  # the same sequences, so the same useful work for every row
fmt = lambda v: " ".join(f"{x:.3f}" for x in v)
print("## SASRec epoch time: Tiltbench vs plain PyTorch (ML-100K)\n")
print(f"- machine: nproc {os.environ['NPROC']}, {os.environ['MODEL_NAME']}")
print(f"- load average (1/5/15 min) before {os.environ['LOAD_BEFORE']}, after {os.environ['LOAD_AFTER']}")
print(f"- threads {os.environ['THREADS']}, epochs {os.environ['EPOCHS']} per run (epoch 1 skipped), "
      f"runs {runs} (tools alternating); python torch {torch_version}; {os.environ['CLI_VERSION']}")
print(f"- tiltbench: `{os.environ['TB_LINE']}` plus `--precision auto|fp32` "
      "(reference: also TILTBENCH_SASREC_KERNELS=reference)")
print(f"- peer: `{os.environ['PEER_LINE']}`\n")
print("| tool | median s/epoch | vs peer | vs reference kernels | useful GFLOP/s | training positions "
      "| last-epoch loss | epoch seconds, all runs (incl. epoch 1) |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
ref = statistics.median(rows["reference"][1])
for v, _ in variants:
    label, secs, pos, loss, allr = rows[v]
    tm = statistics.median(secs)
    print(f"| {label} | {tm:.3f} | **{tm / pm:.2f}×** | {tm / ref:.2f}× | {gflop / tm:.2f} | "
          f"{', '.join(map(str, sorted(pos)))} | {statistics.median(loss):.4f} | "
          f"{' / '.join(fmt(x) for x in allr)} |")
    if pos != peer_pos:
        print(f"\nWARNING: training positions differ ({v} {sorted(pos)}, peer {sorted(peer_pos)})\n")
print(f"| sasrec_peer.py (PyTorch) | {pm:.3f} | 1.00× | {pm / ref:.2f}× | {gflop / pm:.2f} | "
      f"{', '.join(map(str, sorted(peer_pos)))} | {statistics.median(peer_loss):.4f} | "
      f"{' / '.join(fmt(x) for x in peer_all)} |")
print()
print(f"useful work: {gflop:.1f} GFLOP per epoch (real positions only; see bench/sasrec_step_bench.cpp)")
EOF
