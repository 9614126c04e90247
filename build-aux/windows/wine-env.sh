# Sourced after env.sh: a Wine prefix of our own and the dependency DLLs on
# Wine's PATH, for running the Windows build's programs from the build tree.
export WINEPREFIX=${STUPENI_WINEPREFIX:-$CACHE_ROOT/wine}
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono or Gecko download prompts (there is no network for them).
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPATH="Z:${PREFIX//\//\\}\\bin"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  wineboot -i >/dev/null 2>&1 || true
fi
