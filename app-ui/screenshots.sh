#!/usr/bin/env bash
# Regenerates the README screenshots (docs/images/{runs,dashboard,dashboard-training,expert-timeline,plugins,
# compose,compare}.png) from a
# real app window under Xvfb: builds the app, then runs dev.roundhouse.app.tour.ScreenshotTour, which
# trains three small runs (router aux loss on / off; sigmoid-topk at a high learning rate, whose experts die
# and recover) and captures each screen.
# Needs: xvfb-run and GTK 3 (Debian: apt-get install -y xvfb xauth libgtk-3-0). Takes a few minutes.
# Usage: app-ui/screenshots.sh [outDir]   (default: docs/images)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/docs/images}"
cd "$ROOT"
rm -rf app-ui/target/lib app-ui/target/plugins  # only this tree's jars
mvn -B -q -pl app-ui -am package -DskipTests
T="$ROOT/app-ui/target"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
xvfb-run -a -s "-screen 0 1400x900x24" java -Xss8m -Dprism.order=sw \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Droundhouse.plugins.dir="$T/plugins" \
  -cp "$T/roundhouse-app.jar:$T/lib/*" dev.roundhouse.app.tour.ScreenshotTour "$OUT"
