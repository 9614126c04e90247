unpack "$tarball"
# Debian's orig tarball is a git export: no configure script.
autoreconf -fi
w_configure --disable-jbig --disable-lzma --disable-zstd --disable-webp \
  --disable-lerc --disable-libdeflate --disable-cxx --disable-tools \
  --disable-tests --disable-contrib --disable-docs
