# Sourced after env.sh: a Wine prefix of our own and the dependency DLLs on
# Wine's PATH, for running the Windows build's programs from the build tree.
# The prefix sees only the DejaVu faces the installer puts into Windows'
# Fonts folder (WIN_FONT_FACES), not every font of this Linux machine: Wine
# otherwise lists all fontconfig fonts as system fonts, among them DejaVu's
# Condensed and Light faces, which Wine's DirectWrite cannot map back from
# their GDI names (pango then logs a critical for each, fatal in the tests).
export WINEPREFIX=${STUPENI_WINEPREFIX:-$CACHE_ROOT/wine-fonts}
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono or Gecko download prompts (there is no network for them).
export WINEDLLOVERRIDES="mscoree,mshtml="
# gcc's runtime DLLs (libgcc_s_seh-1.dll, libwinpthread-1.dll) too: meson
# adds them for the test programs it starts, not for the test scripts.
gccdir=$(dirname "$($HOST-gcc -print-file-name=libgcc_s_seh-1.dll)")
export WINEPATH="Z:${PREFIX//\//\\}\\bin;Z:$gccdir;Z:/usr/$HOST/lib"
win_fonts=$CACHE_ROOT/fonts
if [ ! -f "$win_fonts/fonts.conf" ]; then
  mkdir -p "$win_fonts/dejavu"
  for face in $WIN_FONT_FACES; do
    cp "/usr/share/fonts/truetype/dejavu/$face.ttf" "$win_fonts/dejavu/"
  done
  cat > "$win_fonts/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>$win_fonts/dejavu</dir>
  <cachedir>$win_fonts/cache</cachedir>
</fontconfig>
CONF
fi
export FONTCONFIG_FILE=$win_fonts/fonts.conf
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  wineboot -i >/dev/null 2>&1 || true
fi
