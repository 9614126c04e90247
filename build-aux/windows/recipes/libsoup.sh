unpack "$tarball"
w_meson -Dgssapi=disabled -Dntlm=disabled -Dbrotli=disabled -Dtls_check=false \
  -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled -Dtests=false \
  -Dautobahn=disabled -Dsysprof=disabled -Dpkcs11_tests=disabled
