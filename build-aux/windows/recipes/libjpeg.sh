unpack "$tarball"
# libjpeg-turbo's own GNUInstallDirs reads a relative directory as relative
# to the source tree (CMake then refuses the include path): give them whole.
w_cmake -DENABLE_STATIC=OFF -DWITH_TURBOJPEG=OFF -DWITH_SIMD=OFF \
  -DCMAKE_INSTALL_LIBDIR="$PREFIX/lib" -DCMAKE_INSTALL_BINDIR="$PREFIX/bin" \
  -DCMAKE_INSTALL_INCLUDEDIR="$PREFIX/include"
