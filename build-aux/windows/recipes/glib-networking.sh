# TLS through OpenSSL; on Windows its database reads the system's ROOT
# certificate store (no CA bundle to ship).
unpack "$tarball"
# The install step would run the Windows gio-querymodules here; the
# module cache is optional (GIO scans the directory without it), so a
# second cross file names a no-op for it.
printf "[binaries]\ngio-querymodules = 'true'\n" > ../no-querymodules.ini
w_meson --cross-file ../no-querymodules.ini \
  -Dgnutls=disabled -Dopenssl=enabled -Dlibproxy=disabled \
  -Dgnome_proxy=disabled -Denvironment_proxy=enabled -Dinstalled_tests=false
