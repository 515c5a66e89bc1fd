#!/usr/bin/env bash
# Installs the Roundhouse plugin API (the jar and pom next to this script) into your local Maven
# repository (~/.m2), so plugin projects can build against it:   sdk/install-api.sh
# Extra arguments go to Maven, e.g. -Dmaven.repo.local=/some/repo
set -euo pipefail
SDK="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec mvn -B -q install:install-file \
  -Dfile="$SDK/roundhouse-plugins-api-${project.version}.jar" \
  -DpomFile="$SDK/roundhouse-plugins-api.pom" "$@"
