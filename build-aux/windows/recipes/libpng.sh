unpack "$tarball"
w_configure
