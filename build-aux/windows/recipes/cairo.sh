# From the .orig tarball (Debian's patches make autotools rerun).  cairo
# 1.16 adds -D_FORTIFY_SOURCE=2, so it links libssp; libtool builds a
# static-only library unless it finds libssp.dll.a in a -L directory.
unpack "$tarball"
ssp=$($HOST-gcc -print-file-name=libssp.dll.a)
install -m 644 "$ssp" "$PREFIX/lib/"
LIBS=-lssp ./configure --host=$HOST --build="$(gcc -dumpmachine)" --prefix="$PREFIX" \
  --enable-shared --disable-static --enable-win32 --enable-win32-font \
  --disable-xlib --disable-xlib-xrender --disable-xcb --disable-ft --disable-fc \
  --disable-quartz --disable-gl --disable-egl --disable-glx --disable-wgl \
  --enable-png --enable-pdf --enable-ps --enable-svg --enable-gobject \
  --disable-trace --disable-interpreter --disable-symbol-lookup \
  --disable-gtk-doc --disable-valgrind --disable-full-testing
make -j "$JOBS" -C src
make -C src install
make -j "$JOBS" -C util/cairo-gobject
make -C util/cairo-gobject install
test -f "$PREFIX/bin/libcairo-2.dll"
test -f "$PREFIX/lib/pkgconfig/cairo-gobject.pc"
