unpack "$tarball"
w_configure --enable-lib-only --disable-python-bindings --disable-examples \
  --disable-hpack-tools --disable-failmalloc
