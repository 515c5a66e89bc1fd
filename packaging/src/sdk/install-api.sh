#!/usr/bin/env bash
# Installs the Roundhouse tensor engine and plugin API (jars with their sources and Javadoc jars, and poms) and the plugin
# test support (roundhouse-test-support, for unit tests) from this folder into your local Maven
# repository (~/.m2), so plugin projects can build against them:   sdk/install-api.sh
# Extra arguments go to Maven, e.g. -Dmaven.repo.local=/some/repo
set -euo pipefail
SDK="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
V='${project.version}'
mvn -B -q install:install-file \
  -Dfile="$SDK/roundhouse-engine-$V.jar" -DpomFile="$SDK/roundhouse-engine.pom" \
  -Dsources="$SDK/roundhouse-engine-$V-sources.jar" -Djavadoc="$SDK/roundhouse-engine-$V-javadoc.jar" "$@"
mvn -B -q install:install-file \
  -Dfile="$SDK/roundhouse-plugins-api-$V.jar" -DpomFile="$SDK/roundhouse-plugins-api.pom" \
  -Dsources="$SDK/roundhouse-plugins-api-$V-sources.jar" -Djavadoc="$SDK/roundhouse-plugins-api-$V-javadoc.jar" "$@"
exec mvn -B -q install:install-file \
  -Dfile="$SDK/roundhouse-test-support-$V.jar" -DpomFile="$SDK/roundhouse-test-support.pom" "$@"
