# Only the runtime library of gettext (GLib and the program need it on
# Windows).  From the .orig tarball: Debian's patches touch m4 files and make
# `make` rerun aclocal.  NLS must stay enabled: without it intl/ builds
# nothing.  The DLL is libintl-8.dll; the import library records the name.
unpack "$tarball"
cd gettext-runtime
./configure --host=$HOST --build="$(gcc -dumpmachine)" --prefix="$PREFIX" \
  --enable-shared --disable-static --disable-java --disable-csharp \
  --disable-libasprintf --enable-threads=windows --with-included-gettext \
  --disable-c++ --disable-openmp --disable-curses
make -j "$JOBS" -C intl
make -C intl install
test -f "$PREFIX/include/libintl.h" && ls "$PREFIX"/lib/libintl.dll.a
