#!/usr/bin/env bash
# Starts a new Roundhouse plugin project from one of the SDK projects next to this script.
#
#   new-plugin.sh [--kind optimizer|router|attention|precision] <id> [target-dir] [java.package]
#
#   --kind       the extension point (default optimizer):
#                  optimizer  from template/            plain SGD
#                  router     from learned-router/      learned gate, top-k, softmax gates
#                  attention  from template-attention/  single-head causal attention
#                  precision  from template-precision/  fp32 with a static loss scale
#   id           the plugin's id, its Maven artifactId and its extension's id in run configs:
#                lower case letters, digits and dashes, starting with a letter (e.g. my-router)
#   target-dir   where to create the project (default ./<id>); must not exist yet
#   java.package default com.example.roundhouse.<id without dashes>
#
# Each is a working plugin with a unit test; build it with `mvn -B package` (after sdk/install-api.sh
# once) and drop target/<id>-<version>.jar into a plugins folder, or pass its folder with --plugins DIR.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
die() { echo "new-plugin: $*" >&2; exit 2; }

kind=optimizer
if [ "${1:-}" = "--kind" ]; then
  [ $# -ge 2 ] || die "--kind needs a value: optimizer, router, attention or precision"
  kind="$2"
  shift 2
fi
# source project, its Java package, and the ids in it that become <id>
case "$kind" in
  optimizer) src=template;           from_pkg=com.example.roundhouse.myplugin;    from_ids=(my-plugin) ;;
  router)    src=learned-router;     from_pkg=com.example.roundhouse.learned;     from_ids=(learned-router learned-topk) ;;
  attention) src=template-attention; from_pkg=com.example.roundhouse.myattention; from_ids=(my-attention) ;;
  precision) src=template-precision; from_pkg=com.example.roundhouse.myprecision; from_ids=(my-precision) ;;
  *) die "unknown kind '$kind': use optimizer, router, attention or precision" ;;
esac

[ $# -ge 1 ] && [ $# -le 3 ] || die "usage: new-plugin.sh [--kind optimizer|router|attention|precision] <id> [target-dir] [java.package]"
id="$1"
[[ "$id" =~ ^[a-z][a-z0-9-]*$ ]] || die "id '$id' must be lower case letters, digits and dashes, starting with a letter"
dir="${2:-./$id}"
pkg="${3:-com.example.roundhouse.${id//-/}}"
[[ "$pkg" =~ ^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$ ]] || die "java package '$pkg' is not a valid lower-case package name"
[ -e "$dir" ] && die "$dir already exists"

cp -r "$here/$src" "$dir"
rm -rf "$dir/target"
for part in main test; do
  old="$dir/src/$part/java/${from_pkg//.//}"
  new="$dir/src/$part/java/${pkg//.//}"
  tmp="$dir/src/$part/.new-plugin-tmp"
  mv "$old" "$tmp" && rm -rf "$dir/src/$part/java/com"
  mkdir -p "$(dirname "$new")" && mv "$tmp" "$new"
done
edits=(-e "s/${from_pkg//./\\.}/$pkg/g")
for from in "${from_ids[@]}"; do
  edits+=(-e "s/$from/$id/g")
done
find "$dir" -type f \( -name '*.java' -o -name 'pom.xml' -o -name '*.md' \) -print0 | xargs -0 sed -i "${edits[@]}"
version="$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$dir/pom.xml" | head -1)"
echo "new-plugin: created $dir ($kind plugin; plugin and extension id '$id', package $pkg)"
echo "  build:   (cd $dir && mvn -B package)    -> $dir/target/$id-$version.jar"
echo "  use:     copy the jar into a plugins folder, or --plugins $dir/target; it shows in \`roundhouse plugins\`"
