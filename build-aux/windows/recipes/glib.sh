unpack "$tarball"
w_meson -Dtests=false -Dinstalled_tests=false -Dnls=enabled -Dman=false \
  -Dgtk_doc=false -Dxattr=false -Dlibmount=disabled -Dselinux=disabled \
  -Dsysprof=disabled -Dglib_debug=disabled -Dlibelf=disabled
