#!/bin/bash
# Completes a staged install tree (meson install --destdir) into what the
# installer ships: every DLL the programs load (found by walking their
# imports), GLib's gspawn helpers, the TLS module, the GTK and libadwaita
# translations, compiled GSettings schemas, PNG icons and the DejaVu fonts.
# Usage: stage-runtime.sh STAGE_DIR
set -euo pipefail
. "$(dirname "$0")/env.sh"
stage=$1
bin=$stage/bin
mkdir -p "$bin"

gccdir=$(dirname "$($HOST-gcc -print-file-name=libgcc_s_seh-1.dll)")
search="$PREFIX/bin $gccdir /usr/$HOST/lib /usr/$HOST/bin"

find_dll () {
  local d f
  for d in $search; do
    f=$(find "$d" -maxdepth 1 -iname "$1" -print -quit 2>/dev/null)
    [ -n "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}

# Copies the DLLs FILE needs into bin/, recursively; Windows' own DLLs are
# not found in the search path and stay out.
declare -A seen
copy_deps () {
  local dll src
  for dll in $($HOST-objdump -p "$1" | sed -n 's/^[[:space:]]*DLL Name: //p'); do
    [ -n "${seen[${dll,,}]:-}" ] && continue
    seen[${dll,,}]=1
    if src=$(find_dll "$dll"); then
      install -m 644 "$src" "$bin/$dll"
      copy_deps "$src"
    fi
  done
}

# GLib runs child processes through these helpers.
install -m 755 "$PREFIX/bin/gspawn-win64-helper.exe" "$PREFIX/bin/gspawn-win64-helper-console.exe" "$bin/"
# TLS for the sync: glib-networking's OpenSSL backend (system certificate store).
mkdir -p "$stage/lib/gio/modules"
install -m 644 "$PREFIX/lib/gio/modules/libgioopenssl.dll" "$stage/lib/gio/modules/"

for f in "$bin"/*.exe "$bin"/*.dll "$stage"/lib/gio/modules/*.dll; do
  [ -f "$f" ] && copy_deps "$f"
done
$HOST-strip --strip-unneeded "$bin"/*.dll "$stage"/lib/gio/modules/*.dll 2>/dev/null || true

# Translations of the libraries the window shows text from.
for mo in gtk40 libadwaita glib20 gdk-pixbuf json-glib-1.0; do
  for f in "$PREFIX"/share/locale/ru/LC_MESSAGES/$mo.mo; do
    [ -f "$f" ] && install -D -m 644 "$f" "$stage/share/locale/ru/LC_MESSAGES/$mo.mo"
  done
done

# GSettings schemas: GTK's and ours, compiled.
schemas=$stage/share/glib-2.0/schemas
mkdir -p "$schemas"
cp "$PREFIX"/share/glib-2.0/schemas/*.gschema.xml "$schemas/" 2>/dev/null || true
glib-compile-schemas "$schemas"

# Icons: the PNG sizes meson renders (data/meson.build; this GTK has no
# SVG loader) in the hicolor theme, which needs its index.
mkdir -p "$stage/share/icons/hicolor"
install -m 644 /usr/share/icons/hicolor/index.theme "$stage/share/icons/hicolor/"
test -f "$stage/share/icons/hicolor/48x48/apps/org.stupeni.Stupeni.png"
# The symbolic icons the window names (src/gui, ui): GTK carries only the
# few its own widgets use, the rest come from the Adwaita theme, whose
# Debian package has them prerendered as .symbolic.png (no SVG loader
# needed).  Without them GTK draws its "missing image" icon.
mkdir -p "$stage/share/icons/Adwaita"
install -m 644 /usr/share/icons/Adwaita/index.theme "$stage/share/icons/Adwaita/"
n_icons=0
for name in $(grep -rhoE '[a-z0-9-]+-symbolic' "$REPO_DIR/src/gui" "$REPO_DIR/ui" | sort -u); do
  for file in /usr/share/icons/Adwaita/{16x16,24x24,32x32,48x48}/*/"$name.symbolic.png"; do
    [ -f "$file" ] || continue
    rel=${file#/usr/share/icons/Adwaita/}
    install -D -m 644 "$file" "$stage/share/icons/Adwaita/$rel"
    n_icons=$((n_icons + 1))
  done
done
echo "stage-runtime: $n_icons symbolic icon files"

# Fonts: the DejaVu Sans faces the window and the reports use, from Debian's
# fonts-dejavu-core.  The installer puts them into Windows' Fonts folder
# (stupeni.nsi: pango 1.50 on Windows only sees DirectWrite's system
# fonts).  No Condensed or Light faces: Wine's DirectWrite cannot map those
# back from their GDI names and pango complains about each.
mkdir -p "$stage/share/fonts/dejavu"
for face in $WIN_FONT_FACES; do
  install -m 644 "/usr/share/fonts/truetype/dejavu/$face.ttf" "$stage/share/fonts/dejavu/"
done
install -m 644 /usr/share/doc/fonts-dejavu-core/copyright "$stage/share/fonts/dejavu/LICENSE.txt"

# Nothing that only matters when building against the tree.
rm -rf "$stage/include" "$stage/lib/pkgconfig" "$stage/share/applications" \
       "$stage/share/metainfo" "$stage/share/icons/hicolor/scalable" "$stage/share/icons/hicolor/symbolic"
find "$stage" -name '*.a' -delete
echo "stage-runtime: $(du -sh "$stage" | cut -f1) in $stage"
