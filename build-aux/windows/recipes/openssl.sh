# OpenSSL 3 for glib-networking's TLS backend.  Only the libraries (no
# engines or providers as modules: the default provider is built in).
unpack "$tarball"
./Configure mingw64 --cross-compile-prefix=$HOST- --prefix="$PREFIX" \
  --libdir=lib shared no-tests no-docs no-engine no-module no-legacy \
  no-apps no-ui-console
make -j "$JOBS" build_libs
make install_dev
install -m 755 libcrypto-3-x64.dll libssl-3-x64.dll "$PREFIX/bin/"
