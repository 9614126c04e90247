unpack "$tarball"
w_meson -Dgtk=disabled -Dlibpng=disabled -Dtests=disabled -Dopenmp=disabled
