unpack "$tarball"
w_configure --disable-jbig --disable-lzma --disable-zstd --disable-webp \
  --disable-lerc --disable-libdeflate --disable-cxx --disable-tools \
  --disable-tests --disable-contrib --disable-docs
