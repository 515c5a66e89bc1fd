# The one launcher library (sourced, not run) of bin/roundhouse, bin/roundhouse-ui and, from the source
# tree, ./roundhouse and app-ui/roundhouse-app.sh: Java 17+ check, JVM options, BLAS preload, and the
# rebuild-when-sources-changed step of the source-tree launchers.
# Sets ROUNDHOUSE_HOME (the unpacked distribution: bin/, lib/, plugins/, configs/; meaningless in the
# source tree) and JAVA.
ROUNDHOUSE_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="$(command -v java || true)"
fi

roundhouse_java_check() {
  if [ -z "$JAVA" ]; then
    echo "roundhouse: no Java found: install a JDK 17+ (e.g. apt-get install openjdk-17-jre) or set JAVA_HOME" >&2
    exit 2
  fi
  local version major
  version="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  major="${version%%.*}"
  if [ -z "$major" ] || [ "$major" -lt 17 ] 2>/dev/null; then
    echo "roundhouse: $JAVA is Java ${version:-of unknown version}; Roundhouse needs Java 17 or newer (set JAVA_HOME)" >&2
    exit 2
  fi
}

# No BLAS preload by default: on the oneDNN native build ND4J's fp32 gemm runs on oneDNN, faster than
# any OpenBLAS here (docs/performance.md). ROUNDHOUSE_BLAS=/path/libopenblas.so.0 preloads one, e.g.
# <install>/native/libopenblas.so.0 (OpenBLAS 0.3.21, shipped for that). That library's 60 KB of static
# TLS comes out of every thread's stack, so the launchers also give the JVM's process reaper thread a
# default-size stack
# (-Djdk.lang.processReaperUseDefaultStackSize=true; 128 KB overflows and Process.waitFor hangs).
roundhouse_blas_preload() {
  local lib="${ROUNDHOUSE_BLAS:-nd4j}"
  [ "$lib" = nd4j ] && return 0
  if [ -f "$lib" ]; then
    export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
  elif [ -n "${ROUNDHOUSE_BLAS:-}" ]; then
    echo "roundhouse: ROUNDHOUSE_BLAS=$lib: no such file" >&2
    exit 2
  fi
}

# JVM options every launcher passes after ${JAVA_OPTS}, in the array ROUNDHOUSE_JVM_OPTIONS: an 8 MB
# thread stack (deep autograd graphs), a default-size process-reaper stack (see roundhouse_blas_preload)
# and the log level (ROUNDHOUSE_LOG_LEVEL, default warn). Also defaults OMP_NUM_THREADS to 1 (faster
# for small MoE steps; docs/performance.md); it must be set before the JVM starts.
roundhouse_jvm_options() {
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
  ROUNDHOUSE_JVM_OPTIONS=(-Xss8m -Djdk.lang.processReaperUseDefaultStackSize=true
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=${ROUNDHOUSE_LOG_LEVEL:-warn}")
}

# JVM options for one command, in the array ROUNDHOUSE_COMMAND_JVM_OPTIONS, passed before ${JAVA_OPTS}
# (which can override them). `data` (data prepare: a batch job of seconds to minutes) runs on the C1
# compiler only: C2's compilation cost more CPU than it saved on corpora up to 40 MB
# (docs/results/2026-12-06-data-prepare-throughput.md); JAVA_OPTS=-XX:TieredStopAtLevel=4 restores it.
#   roundhouse_command_jvm_options "$@"
roundhouse_command_jvm_options() {
  ROUNDHOUSE_COMMAND_JVM_OPTIONS=()
  if [ "${1:-}" = data ]; then
    ROUNDHOUSE_COMMAND_JVM_OPTIONS=(-XX:TieredStopAtLevel=1)
  fi
}

# Source-tree launchers: runs `mvn -B -q <maven args...>` in ROOT when STAMP is missing or any source
# (*.java, pom.xml, src/main/resources) under ROOT is newer than it, then touches STAMP. On failure it
# prints the end of the build log and exits 2.
#   roundhouse_build_if_stale ROOT STAMP NAME <maven args...>
roundhouse_build_if_stale() {
  local root="$1" stamp="$2" name="$3"
  shift 3
  if [ -f "$stamp" ] && [ -z "$(find "$root" \( -path "$root/.git" -o -name target -o -path "$root/runs" \) -prune -o \
      -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  echo "$name: building (first run or sources changed; takes a minute)..." >&2
  local log
  log="$(mktemp)"
  if ! (cd "$root" && mvn -B -q "$@" >"$log" 2>&1); then
    tail -n 40 "$log" >&2
    echo "$name: build failed; full log: $log" >&2
    exit 2
  fi
  rm -f "$log"
  mkdir -p "$(dirname "$stamp")" && touch "$stamp"
}
