# TLS through OpenSSL; on Windows its database reads the system's ROOT
# certificate store (no CA bundle to ship).
unpack "$tarball"
w_meson -Dgnutls=disabled -Dopenssl=enabled -Dlibproxy=disabled \
  -Dgnome_proxy=disabled -Denvironment_proxy=enabled -Dinstalled_tests=false
