#!/usr/bin/env bash
# Upcycled vs from-scratch MoE at equal extra steps on tinyshakespeare (docs/results/*-upcycling.md).
# 1. a dense model (2 dense layers, hidden 128) trains DENSE_STEPS steps;
# 2. an MoE (layer 1: 8 experts of hidden 64, top-2 = granular upcycling in 2 slices, 1 shared expert)
#    trains EXTRA_STEPS steps from it (init.upcycle), and the same MoE EXTRA_STEPS steps from scratch;
# 3. the dense model continues EXTRA_STEPS steps (reference) through export + import.
# Prints the validation loss curve of each. Usage: host/bench/scripts/upcycle_vs_scratch.sh [OUT_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
OUT="${1:-$ROOT/runs/upcycle-bench}"
DATA="${DATA:-$ROOT/../shared/data/tinyshakespeare.txt}"
DENSE_STEPS="${DENSE_STEPS:-200}"
EXTRA_STEPS="${EXTRA_STEPS:-150}"
COMMON=(--data "$DATA" --set model.seqLen=64 --set model.dModel=64 --set model.nLayers=2 --set model.nHeads=4
  --set model.moe.denseHidden=128 --set train.batchSize=8 --set train.warmupSteps=10 --set train.evalEvery=25
  --set train.evalBatches=8 --set train.dataParallel=1 --set train.logEvery=25 --set optimizer.lr=0.003)
MOE=(--set model.moe.firstDenseLayers=1 --set model.moe.routedExperts=8 --set model.moe.topK=2
  --set model.moe.expertHidden=64 --set model.moe.sharedExperts=1 --set model.moe.sharedHidden=64)
mkdir -p "$OUT"
"$ROOT/roundhouse" run "${COMMON[@]}" --out "$OUT" --set name=dense --set model.moe.firstDenseLayers=2 \
  --set train.steps="$DENSE_STEPS" --set train.checkpointEvery="$DENSE_STEPS" >/dev/null
"$ROOT/roundhouse" run "${COMMON[@]}" "${MOE[@]}" --out "$OUT" --set name=moe-upcycled \
  --set init.upcycle="\"$OUT/dense\"" --set init.routerStd=0.001 --set train.steps="$EXTRA_STEPS" >/dev/null
"$ROOT/roundhouse" run "${COMMON[@]}" "${MOE[@]}" --out "$OUT" --set name=moe-scratch \
  --set train.steps="$EXTRA_STEPS" >/dev/null
"$ROOT/roundhouse" export "$OUT/dense" --out "$OUT/dense-export" >/dev/null
"$ROOT/roundhouse" import "$OUT/dense-export" --out "$OUT" --set name=dense-continued \
  --set train.steps="$EXTRA_STEPS" >/dev/null
for r in dense moe-upcycled moe-scratch dense-continued; do
  echo "== $r"
  grep '"event":"eval"' "$OUT/$r/metrics.jsonl" | sed -E 's/.*"step":([0-9]+).*"val_loss":([0-9.]+).*/\1 \2/'
done
