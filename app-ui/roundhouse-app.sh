#!/usr/bin/env bash
# Opens the Roundhouse desktop app from the source tree: app-ui/roundhouse-app.sh [runDir]
# With a run directory (e.g. runs/tiny-moe-...), the app opens it in the dashboard.
# Builds the app first when it is missing. Plugins: app-ui/target/plugins (the built-in jars) unless
# ROUNDHOUSE_PLUGINS_DIR is set; runs are written to ./runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
T="$ROOT/app-ui/target"
if [ ! -f "$T/roundhouse-app.jar" ] || [ ! -d "$T/plugins" ]; then
  echo "roundhouse-app: building (first run; takes a minute)..." >&2
  (cd "$ROOT" && mvn -B -q -pl app-ui -am package -DskipTests)
fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec java ${JAVA_OPTS:-} -Xss8m \
  -Dorg.slf4j.simpleLogger.defaultLogLevel="${ROUNDHOUSE_LOG_LEVEL:-warn}" \
  -Droundhouse.plugins.dir="${ROUNDHOUSE_PLUGINS_DIR:-$T/plugins}" \
  -Droundhouse.runs.dir="${ROUNDHOUSE_RUNS_DIR:-runs}" \
  -cp "$T/roundhouse-app.jar:$T/lib/*" dev.roundhouse.app.RoundhouseApp "$@"
