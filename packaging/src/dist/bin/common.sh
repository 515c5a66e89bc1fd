# Shared by the launchers in this folder (sourced, not run): finds the installation and a Java 17+.
# Sets ROUNDHOUSE_HOME (the unpacked distribution: bin/, lib/, plugins/, configs/) and JAVA.
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
# <install>/native/libopenblas.so.0 (OpenBLAS 0.3.21, shipped for that). That library's 60 KB of static TLS comes out of every thread's stack, so the launchers
# also give the JVM's process reaper thread a default-size stack
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
