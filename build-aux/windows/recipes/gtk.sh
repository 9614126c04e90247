unpack "$tarball"
w_meson -Dx11-backend=false -Dwayland-backend=false -Dbroadway-backend=false \
  -Dwin32-backend=true -Dmacos-backend=false -Dmedia-gstreamer=disabled \
  -Dprint-cups=disabled -Dvulkan=disabled -Dcloudproviders=disabled \
  -Dsysprof=disabled -Dtracker=disabled -Dcolord=disabled \
  -Dintrospection=disabled -Dbuild-examples=false -Dbuild-tests=false \
  -Ddemos=false -Dmedia-ffmpeg=disabled -Dgtk_doc=false -Dman-pages=false
