# No built-in public suffix list and no IDNA library: libsoup only needs
# libpsl for cookie domains, which the program does not use.
unpack "$tarball"
w_meson -Druntime=no -Dbuiltin=false -Ddocs=false
