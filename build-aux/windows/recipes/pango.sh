# Windows backend only (no fontconfig, no FreeType): fonts come from the
# system plus the ones the program registers at start-up.
unpack "$tarball"
w_meson -Dintrospection=disabled -Dfontconfig=disabled -Dfreetype=disabled \
  -Dxft=disabled -Dlibthai=disabled -Dsysprof=disabled -Dcairo=enabled \
  -Dinstall-tests=false -Dgtk_doc=false
