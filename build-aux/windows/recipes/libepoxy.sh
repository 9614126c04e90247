unpack "$tarball"
w_meson -Dglx=no -Degl=no -Dx11=false -Dtests=false -Ddocs=false
