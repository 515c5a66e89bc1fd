#!/usr/bin/env bash
# Roundhouse vs the PyTorch peer (host/bench/scripts/pytorch_reference.py) on the tiny-moe training step.
#  1. like-for-like check: ExportInit writes Roundhouse's initial weights, first batches and the
#     trainer's logged step numbers; the PyTorch model loads them and must agree (--tolerance). It runs
#     one shard (train.dataParallel=1): with more, batch-scope router losses are taken per shard.
#  2. timing: ROUNDS rounds, each running Roundhouse's StepBench and then the PyTorch peer with the
#     same thread count, WARMUP warm-up and STEPS timed steps each; the timed steps of all rounds are
#     pooled per side and the medians and the tokens/s ratio printed. THREADS threads per side:
#     PyTorch gets OMP_NUM_THREADS=THREADS and torch.set_num_threads(THREADS) (its eager op stream,
#     as users run it); Roundhouse runs THREADS data-parallel shards (train.dataParallel=THREADS),
#     one thread each (OMP_NUM_THREADS=1). RH_MODE=ops gives Roundhouse one op stream with THREADS
#     OpenMP threads instead. PEER_THREADS (default THREADS) sets the PyTorch side alone, e.g.
#     THREADS=2 PEER_THREADS=1 compares with PyTorch at its fastest setting on a 2-core machine.
# Usage: host/bench/scripts/compare_pytorch.sh [ROUNDS] ; env: THREADS (1), PEER_THREADS, RH_MODE (shards),
#        WARMUP (3), STEPS (5), CONFIG,
#        PYTHON (/usr/bin/python3, Debian's python3-torch), SKIP_CHECK=1 to time only,
#        TORCH_BLAS_DIR: a folder with a libblas.so.3 for the PyTorch side only (Debian's torch is built
#        with BLAS_INFO=generic and uses whatever libblas.so.3 resolves to; the reference libblas3 runs
#        gemms at ~2 GFLOP/s, OpenBLAS at ~60). Without OpenBLAS installed system-wide:
#          apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob
#          TORCH_BLAS_DIR=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-pthread host/bench/scripts/compare_pytorch.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
ROUNDS="${1:-2}"
THREADS="${THREADS:-1}"
PEER_THREADS="${PEER_THREADS:-$THREADS}"
WARMUP="${WARMUP:-3}"
STEPS="${STEPS:-5}"
CONFIG="${CONFIG:-$ROOT/configs/tiny-moe.json}"
PYTHON="${PYTHON:-/usr/bin/python3}"
if [ -n "${TORCH_BLAS_DIR:-}" ]; then
  PYTHON_ENV=(env OMP_NUM_THREADS="$PEER_THREADS" LD_LIBRARY_PATH="$TORCH_BLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
else
  PYTHON_ENV=(env OMP_NUM_THREADS="$PEER_THREADS")
fi
RH_MODE="${RH_MODE:-shards}"
CLI="$ROOT/host/cli/target"
if [ "$RH_MODE" = ops ]; then
  RH_THREADS="$THREADS"; RH_SHARDS=1
else
  RH_THREADS=1; RH_SHARDS="$THREADS"
fi

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "compare_pytorch: $PYTHON cannot import torch (apt-get install -y python3-torch)" >&2
  exit 2
fi
if [ ! -f "$CLI/roundhouse-cli.jar" ] || [ ! -d "$CLI/native" ]; then
  echo "compare_pytorch: building (mvn -B -q -o -DskipTests package)..." >&2
  mvn -B -q -o -DskipTests package >/dev/null
fi
# Roundhouse's side uses the BLAS the ./roundhouse launcher uses (no preload unless ROUNDHOUSE_BLAS
# names a library), so the comparison times what users run.
BLAS_LIB="${ROUNDHOUSE_BLAS:-nd4j}"
JAVA_ENV=(env OMP_NUM_THREADS="$RH_THREADS")
if [ "$BLAS_LIB" != nd4j ] && [ -f "$BLAS_LIB" ]; then
  JAVA_ENV+=(LD_PRELOAD="$BLAS_LIB${LD_PRELOAD:+:$LD_PRELOAD}")
fi
JAVA=("${JAVA_ENV[@]}" java -Xss8m -Djdk.lang.processReaperUseDefaultStackSize=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Droundhouse.plugins.dir="$CLI/plugins"
  -cp "$CLI/roundhouse-cli.jar:$CLI/lib/*")
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== roundhouse: $RH_SHARDS data-parallel shard(s) x $RH_THREADS thread(s); pytorch: $PEER_THREADS thread(s)"
if [ "${SKIP_CHECK:-0}" != 1 ]; then
  echo "== like-for-like check (initial weights and batches exported from Roundhouse)"
  "${JAVA[@]}" dev.roundhouse.host.bench.ExportInit --config "$CONFIG" --out "$WORK/init.bin" --steps 2 \
    --set train.dataParallel=1 >/dev/null
  "${PYTHON_ENV[@]}" "$PYTHON" "$ROOT/host/bench/scripts/pytorch_reference.py" --config "$CONFIG" --threads "$PEER_THREADS" --check "$WORK/init.bin"
fi

for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r/$ROUNDS: roundhouse"
  "${JAVA[@]}" dev.roundhouse.host.bench.StepBench --config "$CONFIG" --warmup "$WARMUP" --steps "$STEPS" \
    --set train.dataParallel="$RH_SHARDS" \
    | tee -a "$WORK/roundhouse.txt"
  echo "== round $r/$ROUNDS: pytorch"
  "${PYTHON_ENV[@]}" "$PYTHON" "$ROOT/host/bench/scripts/pytorch_reference.py" --config "$CONFIG" --bench --threads "$PEER_THREADS" \
    --warmup "$WARMUP" --steps "$STEPS" | tee -a "$WORK/pytorch.txt"
done

"$PYTHON" - "$WORK/roundhouse.txt" "$WORK/pytorch.txt" "$CONFIG" <<'EOF'
import json, statistics, sys
def steps(path):
    out = []
    for line in open(path):
        if line.strip().startswith("wall ms:"):
            out += [float(x) for x in line.split(":", 1)[1].split()]
    return out
cfg = json.load(open(sys.argv[3]))
tokens = cfg["train"]["batchSize"] * cfg["model"]["seqLen"]
rh, pt = steps(sys.argv[1]), steps(sys.argv[2])
mr, mp = statistics.median(rh), statistics.median(pt)
print(f"== pooled medians: roundhouse {mr:.0f} ms/step ({tokens / mr * 1000:.0f} tokens/s, {len(rh)} steps), "
      f"pytorch {mp:.0f} ms/step ({tokens / mp * 1000:.0f} tokens/s, {len(pt)} steps)")
print(f"== tokens/s ratio roundhouse / pytorch: {mp / mr:.2f}x")
EOF
