unpack "$tarball"
w_configure --enable-pcre2-8 --disable-pcre2-16 --disable-pcre2-32 --enable-unicode \
  --disable-pcre2grep-libz --disable-pcre2grep-libbz2 --disable-pcre2test-libreadline
