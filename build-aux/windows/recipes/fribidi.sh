unpack "$tarball"
w_meson -Ddocs=false
