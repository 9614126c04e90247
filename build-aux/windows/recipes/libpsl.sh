# No built-in suffix list and no IDNA library: libsoup only needs libpsl
# for cookie domains, which the program does not use.  Debian's tarball has
# no list/ (Debian ships it as the publicsuffix package), and meson reads a
# list file even without the built-in one: point it at Debian's.  Its psl
# tool uses localtime_r, which mingw-w64 declares only on request.
unpack "$tarball"
w_meson -Druntime=no -Dbuiltin=false -Ddocs=false \
  -Dpsl_file=/usr/share/publicsuffix/public_suffix_list.dat \
  -Dc_args=-D_POSIX_THREAD_SAFE_FUNCTIONS
