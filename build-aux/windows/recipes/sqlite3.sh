# The amalgamation is generated natively (tclsh), then cross-compiled into a
# DLL with the compile-time options of Debian's libsqlite3 that matter here.
unpack "$tarball"
mkdir native && cd native
../configure >/dev/null
make -j "$JOBS" sqlite3.c
ver=$(cat ../VERSION)
x86_64-w64-mingw32-gcc -O2 -shared -o libsqlite3-0.dll sqlite3.c \
  -DSQLITE_API='__declspec(dllexport)' -DSQLITE_ENABLE_FTS3 \
  -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5 \
  -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_UNLOCK_NOTIFY \
  -DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ENABLE_MATH_FUNCTIONS \
  -DSQLITE_THREADSAFE=1 -DSQLITE_MAX_VARIABLE_NUMBER=250000 \
  -Wl,--out-implib,libsqlite3.dll.a
install -m 644 libsqlite3-0.dll "$PREFIX/bin/"
install -m 644 libsqlite3.dll.a "$PREFIX/lib/"
install -m 644 sqlite3.h sqlite3ext.h "$PREFIX/include/"
cat > "$PREFIX/lib/pkgconfig/sqlite3.pc" <<PC
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: SQLite
Description: SQL database engine
Version: $ver
Libs: -L\${libdir} -lsqlite3
Cflags: -I\${includedir}
PC
