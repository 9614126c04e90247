unpack "$tarball"
w_meson -Dintrospection=disabled -Dtests=false -Dinstalled_tests=false -Dgtk_doc=false
