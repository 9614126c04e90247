# OpenSSL 3 for glib-networking's TLS backend: the two libraries only (the
# default provider is built in; no engines, no loadable modules).
unpack "$tarball"
./Configure mingw64 --cross-compile-prefix=$HOST- --prefix="$PREFIX" \
  --libdir=lib shared no-tests no-engine no-module no-legacy no-ui-console
make -j "$JOBS" build_libs
make install_dev
test -f "$PREFIX/bin/libcrypto-3-x64.dll" -a -f "$PREFIX/bin/libssl-3-x64.dll"
