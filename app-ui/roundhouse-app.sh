#!/usr/bin/env bash
# Opens the Roundhouse desktop app from the source tree: app-ui/roundhouse-app.sh [runDir]
# With a run directory (e.g. runs/tiny-moe-...), the app opens it in the dashboard.
# Builds the app first when the build is missing or older than any source file (like ./roundhouse).
# Plugins: app-ui/target/plugins (the built-in jars) unless ROUNDHOUSE_PLUGINS_DIR is set; runs are
# written to ./runs. JVM options and BLAS preload: packaging/src/dist/bin/common.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
T="$ROOT/app-ui/target"
# shellcheck source=../packaging/src/dist/bin/common.sh
source "$ROOT/packaging/src/dist/bin/common.sh"

roundhouse_build_if_stale "$ROOT" "$T/.roundhouse-app-build-stamp" roundhouse-app -pl app-ui -am -DskipTests package
roundhouse_java_check
roundhouse_jvm_options
roundhouse_blas_preload "$ROOT/host/cli/target/native/org/bytedeco/openblas/linux-x86_64/libopenblas.so.0"
# shellcheck disable=SC2086  # JAVA_OPTS is a list of options
exec "$JAVA" ${JAVA_OPTS:-} "${ROUNDHOUSE_JVM_OPTIONS[@]}" \
  -Droundhouse.plugins.dir="${ROUNDHOUSE_PLUGINS_DIR:-$T/plugins}" \
  -Droundhouse.runs.dir="${ROUNDHOUSE_RUNS_DIR:-runs}" \
  -cp "$T/roundhouse-app.jar:$T/lib/*" dev.roundhouse.app.RoundhouseApp "$@"
