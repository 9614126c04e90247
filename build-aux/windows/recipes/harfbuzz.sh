unpack "$tarball"
w_meson -Dglib=enabled -Dgobject=disabled -Dcairo=disabled -Dchafa=disabled \
  -Dicu=disabled -Dfreetype=disabled -Dgdi=enabled -Ddirectwrite=disabled \
  -Dintrospection=disabled -Ddocs=disabled -Dtests=disabled \
  -Dbenchmark=disabled
