unpack "$tarball"
w_meson -Dintrospection=disabled -Dgtk_doc=disabled -Dtests=false -Dman=false
