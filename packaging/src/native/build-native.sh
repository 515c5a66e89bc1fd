#!/usr/bin/env bash
# -Pnative: builds target/native/image/roundhouse (a jpackage app-image with its own jlink'ed runtime)
# and target/native/roundhouse_<version>-1_amd64.deb from the distribution zip this build just made.
#   build-native.sh <dist.zip> <version> <out-dir>
# Needs a full JDK 17+ with jmods (Debian: openjdk-17-jdk + openjdk-17-jmods), dpkg-deb and fakeroot.
set -euo pipefail
zip="$1"; version="$2"; out="$3"
appver="${version%%-*}"                       # jpackage wants a numeric version: 0.1.0-SNAPSHOT -> 0.1.0
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
[ -d "$java_home/jmods" ] || { echo "build-native: $java_home/jmods missing (install the JDK's jmods)" >&2; exit 2; }
rm -rf "$out"; mkdir -p "$out/unpacked" "$out/input"
(cd "$out/unpacked" && "$java_home/bin/jar" xf "$zip")
dist="$out/unpacked/roundhouse-$version"

# Class path jars go to --input; jpackage puts every jar there on the class path, so plugin jars must
# NOT be there (they would load as built-ins and clash with plugins/). JavaFX goes into the runtime.
fxpath=""
for jar in "$dist"/lib/*.jar; do
  case "$(basename "$jar")" in
    javafx-*-linux*.jar) fxpath="${fxpath:+$fxpath:}$jar" ;;
    javafx-*) ;;
    *) cp "$jar" "$out/input/" ;;
  esac
done
modules="java.se,jdk.zipfs,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.localedata"  # jdk.zipfs: PF4J reads plugin jars through it
app=("$out"/input/roundhouse-app*.jar)
cli=("$out"/input/roundhouse-cli-*.jar)
extra=()
if [ -e "${app[0]}" ]; then
  main_jar="$(basename "${app[0]}")"; main_class=dev.roundhouse.app.RoundhouseApp
  [ -n "$fxpath" ] && modules="$modules,javafx.controls,javafx.swing"
  printf 'main-jar=%s\nmain-class=dev.roundhouse.cli.Main\njava-options=-Xss8m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn\n' \
    "$(basename "${cli[0]}")" > "$out/roundhouse-cli.properties"
  extra=(--add-launcher "roundhouse-cli=$out/roundhouse-cli.properties")
else
  echo "build-native: no desktop app jar in lib/: the image's launcher is the headless CLI" >&2
  main_jar="$(basename "${cli[0]}")"; main_class=dev.roundhouse.cli.Main
fi

"$java_home/bin/jlink" --module-path "$java_home/jmods${fxpath:+:$fxpath}" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --output "$out/runtime"
"$java_home/bin/jpackage" --type app-image --name roundhouse --app-version "$appver" --vendor Roundhouse \
  --input "$out/input" --main-jar "$main_jar" --main-class "$main_class" --runtime-image "$out/runtime" \
  --java-options -Xss8m --java-options -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  "${extra[@]}" --dest "$out/image"
image="$out/image/roundhouse"
# After the image is built: plugins/ and configs/ next to bin/ and lib/ (the host finds <image>/plugins
# from lib/app/roundhouse-core.jar).
cp -r "$dist/plugins" "$dist/configs" "$dist/docs" "$dist/README.md" "$image/"
echo "build-native: app-image $image"

# Uncompressed: this .deb is only unpacked and repacked below (xz here took minutes on two cores).
DPKG_DEB_COMPRESSOR_TYPE=none "$java_home/bin/jpackage" --type deb --app-image "$image" --name roundhouse --app-version "$appver" \
  --vendor Roundhouse --description "Research training of small Mixture-of-Experts language models" \
  --linux-package-deps libgtk-3-0 --linux-app-category science --install-dir /opt --dest "$out"
deb=("$out"/*.deb)

# jpackage (17) puts only the image's bin/ and lib/ into the .deb: without plugins/ the installed host
# finds no plugin and cannot train. Repack the .deb with everything the image has next to bin/.
tree="$out/deb-tree"
rm -rf "$tree"; dpkg-deb -R "${deb[0]}" "$tree"
installed="$tree/opt/roundhouse"
[ -d "$installed/bin" ] || { echo "build-native: ${deb[0]} has no /opt/roundhouse/bin" >&2; exit 2; }
cp -r "$image/plugins" "$image/configs" "$image/docs" "$image/README.md" "$installed/"
size_kb=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
sed -i "s/^Installed-Size:.*/Installed-Size: $size_kb/" "$tree/DEBIAN/control"
fakeroot dpkg-deb -Zgzip -b "$tree" "${deb[0]}" >/dev/null   # gzip: a third of xz's time
rm -rf "$tree"
listing="$(dpkg-deb -c "${deb[0]}")"
for part in bin/roundhouse bin/roundhouse-cli plugins/ configs/ docs/; do
  grep -q " \./opt/roundhouse/$part" <<<"$listing" \
    || { echo "build-native: ${deb[0]} lacks /opt/roundhouse/$part" >&2; exit 2; }
done
echo "build-native: ${deb[0]}"
