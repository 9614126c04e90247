unpack "$tarball"
cd build/meson
w_meson -Dbin_programs=false -Dbin_contrib=false -Dbin_tests=false \
  -Dzlib=disabled -Dlzma=disabled -Dlz4=disabled -Dmulti_thread=enabled
