unpack "$tarball"
# libadwaita builds with -fstack-protector-strong: mingw's __stack_chk_*
# live in libssp.
w_meson -Dintrospection=disabled -Dvapi=false -Dgtk_doc=false -Dtests=false -Dexamples=false \
  -Dc_link_args=-lssp
