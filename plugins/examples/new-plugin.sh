#!/usr/bin/env bash
# Starts a new Roundhouse plugin project from the template next to this script.
#
#   new-plugin.sh <id> [target-dir] [java.package]
#
#   id           the plugin's id, its Maven artifactId and its extension's id in run configs:
#                lower case letters, digits and dashes, starting with a letter (e.g. my-router)
#   target-dir   where to create the project (default ./<id>); must not exist yet
#   java.package default com.example.roundhouse.<id without dashes>
#
# The template is a working optimizer plugin (plain SGD) with a unit test; build it with
# `mvn -B package` (after sdk/install-api.sh once) and drop target/<id>-0.1.0.jar into a plugins folder.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
die() { echo "new-plugin: $*" >&2; exit 2; }

[ $# -ge 1 ] && [ $# -le 3 ] || die "usage: new-plugin.sh <id> [target-dir] [java.package]"
id="$1"
[[ "$id" =~ ^[a-z][a-z0-9-]*$ ]] || die "id '$id' must be lower case letters, digits and dashes, starting with a letter"
dir="${2:-./$id}"
pkg="${3:-com.example.roundhouse.${id//-/}}"
[[ "$pkg" =~ ^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$ ]] || die "java package '$pkg' is not a valid lower-case package name"
[ -e "$dir" ] && die "$dir already exists"

cp -r "$here/template" "$dir"
rm -rf "$dir/target"
for src in main test; do
  old="$dir/src/$src/java/com/example/roundhouse/myplugin"
  new="$dir/src/$src/java/${pkg//.//}"
  tmp="$dir/src/$src/.new-plugin-tmp"
  mv "$old" "$tmp" && rm -rf "$dir/src/$src/java/com"
  mkdir -p "$(dirname "$new")" && mv "$tmp" "$new"
done
find "$dir" -type f \( -name '*.java' -o -name 'pom.xml' -o -name '*.md' \) -print0 |
  xargs -0 sed -i -e "s/com\.example\.roundhouse\.myplugin/$pkg/g" -e "s/my-plugin/$id/g"
echo "new-plugin: created $dir (plugin and extension id '$id', package $pkg)"
echo "  build:   (cd $dir && mvn -B package)    -> $dir/target/$id-0.1.0.jar"
echo "  use:     copy the jar into a plugins folder; it shows in \`roundhouse plugins\`"
