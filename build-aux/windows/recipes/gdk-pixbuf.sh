# PNG and JPEG loaders built in: no loader modules to find at run time.
unpack "$tarball"
w_meson -Dpng=enabled -Djpeg=enabled -Dtiff=disabled -Dbuiltin_loaders=all \
  -Dintrospection=disabled -Dman=false -Dgtk_doc=false -Ddocs=false \
  -Drelocatable=true -Dnative_windows_loaders=false -Dtests=false \
  -Dinstalled_tests=false -Dgio_sniffing=false
