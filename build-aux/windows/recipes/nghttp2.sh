unpack "$tarball"
# Debian's orig tarball is a git export: no configure script.
autoreconf -fi
w_configure --enable-lib-only --disable-python-bindings --disable-examples \
  --disable-hpack-tools --disable-failmalloc
