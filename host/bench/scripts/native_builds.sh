#!/usr/bin/env bash
# Old vs new ND4J native build, with and without the OpenBLAS 0.3.21 preload, in one invocation:
# for each round, each of the four variants runs the fp32 gemm peak (1024^3, one thread) and the
# fp32 tiny-moe training step (StepBench). The plain build's jar is taken from the local Maven
# repository (fetched with `mvn dependency:get` when missing).
# Usage: host/bench/scripts/native_builds.sh [ROUNDS=2] [WARMUP=2] [STEPS=5] [--set key=value ...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
CLI="$ROOT/host/cli/target"
ROUNDS="${1:-2}"; WARMUP="${2:-2}"; STEPS="${3:-5}"; shift $(( $# < 3 ? $# : 3 ))
M2="${MAVEN_REPO:-$HOME/.m2/repository}/org/nd4j/nd4j-native/1.0.0-M2.1"
PLAIN="$M2/nd4j-native-1.0.0-M2.1-linux-x86_64.jar"
[ -f "$PLAIN" ] || mvn -B -q dependency:get -Dartifact=org.nd4j:nd4j-native:1.0.0-M2.1:jar:linux-x86_64 -Dtransitive=false
[ -f "$CLI/roundhouse-cli.jar" ] || { echo "native_builds: build first (mvn -B -q -DskipTests package)" >&2; exit 2; }
ONEDNN_CP="$CLI/roundhouse-cli.jar:$CLI/lib/*"
PLAIN_CP="$CLI/roundhouse-cli.jar:$(ls "$CLI"/lib/*.jar | grep -v 'nd4j-native-1.0.0-M2.1-linux-x86_64-onednn.jar' | tr '\n' ':')$PLAIN"
FAST_BLAS="$CLI/native/org/bytedeco/openblas/linux-x86_64/libopenblas.so.0"
echo "== machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: compare within a round)"
for r in $(seq 1 "$ROUNDS"); do
  for build in plain onednn; do
    for preload in yes no; do
      cp="$ONEDNN_CP"; [ "$build" = plain ] && cp="$PLAIN_CP"
      pre=(); [ "$preload" = yes ] && pre=(LD_PRELOAD="$FAST_BLAS")
      echo "== round $r: build $build, OpenBLAS 0.3.21 preload $preload"
      env OMP_NUM_THREADS=1 "${pre[@]}" java -Xss8m -Djdk.lang.processReaperUseDefaultStackSize=true \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Droundhouse.plugins.dir="$CLI/plugins" -cp "$cp" \
        dev.roundhouse.host.bench.NativeBuildProbe --warmup "$WARMUP" --steps "$STEPS" "$@" 2>&1 | grep -v '^\[main\] INFO\|^ \|^HAVE\|^STD\|^DEFAULT'
    done
  done
done
