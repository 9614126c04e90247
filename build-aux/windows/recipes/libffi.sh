unpack "$tarball"
w_configure --disable-docs --disable-multi-os-directory
