# Only the runtime library of gettext.  From the .orig tarball: Debian's
# patches touch m4 files and make `make` rerun aclocal.
unpack "$tarball"
cd gettext-runtime
./configure --host=$HOST --build="$(gcc -dumpmachine)" --prefix="$PREFIX" \
  --enable-shared --disable-static --disable-java --disable-csharp \
  --disable-libasprintf --enable-threads=windows --disable-nls --disable-c++
make -j "$JOBS" -C intl
make -C intl install
