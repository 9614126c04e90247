# Debian's orig tarball is a git export: generate configure first.
unpack "$tarball"
./autogen.sh -s || ./autogen.sh
w_configure --disable-ssp
