#!/usr/bin/env bash
# Same-steps router comparison on tinyshakespeare (docs/routers.md). Usage: host/bench/scripts/compare_routers.sh [STEPS] [OUT]
set -euo pipefail
cd "$(dirname "$0")/../../.."
STEPS="${1:-100}"
OUT="${2:-runs/routers}"
DATA=../shared/data/tinyshakespeare.txt
COMMON=(configs/tiny-moe.json --data "$DATA" --out "$OUT" --set train.steps="$STEPS" --set train.warmupSteps=20
        --set train.evalEvery="$STEPS" --set train.logEvery=10)
R() { ./roundhouse run "${COMMON[@]}" --set name="$1" --set "model.moe.router=$2" "${@:3}" > "$OUT-$1.log" 2>&1; }
mkdir -p "$OUT"
R softmax-aux   '{"type":"softmax-topk","auxLossCoef":0.01}'
R softmax-noaux '{"type":"softmax-topk","auxLossCoef":0}'
R sigmoid-free  '{"type":"sigmoid-topk","biasUpdateRate":0.001}'
R expert-choice '{"type":"expert-choice","capacityFactor":1.0}'
python3 host/bench/scripts/summarize_runs.py "$OUT"/softmax-aux "$OUT"/softmax-noaux "$OUT"/sigmoid-free "$OUT"/expert-choice
