# The two commands of the README: `make run` and `make test`.
# Both install what is missing (Debian packages), configure and build first.

BUILDDIR ?= build
MESON_SETUP = meson setup $(BUILDDIR) --buildtype=debugoptimized

.PHONY: all deps setup build run test test-asan test-tsan fuzz bench clean deb test-deb test-deb-systemd check-split windows test-windows

all: build

deps:
	@sh build-aux/install-deps.sh

$(BUILDDIR)/build.ninja:
	$(MESON_SETUP)

setup: deps $(BUILDDIR)/build.ninja

build: setup
	meson compile -C $(BUILDDIR)

# Uninstalled: the Russian catalogue and the settings schema come from the
# build tree.
run: build
	STUPENI_LOCALEDIR="$(abspath $(BUILDDIR))/po" \
	GSETTINGS_SCHEMA_DIR="$(abspath $(BUILDDIR))/data" \
	  $(BUILDDIR)/src/stupeni $(ARGS)

test: build
	xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
	  meson test -C $(BUILDDIR) --print-errorlogs --num-processes 2

# The suites built with AddressSanitizer and UndefinedBehaviorSanitizer
# (README.md, "Sanitizers"): every suite.  SUITES="--suite server" runs
# fewer; ASAN_LEAKS=1 turns LeakSanitizer on, with the libraries' own leaks
# in tests/lsan.supp suppressed, for every suite but the GTK tests (suites
# gui and gtk): leak stacks need full unwinding, which deadlocks inside
# Mesa's llvmpipe under Xvfb.
ASAN_BUILDDIR ?= build-asan
ASAN_LEAKS ?= 0
ASAN_TIMEOUT ?= 4
SUITES ?= $(if $(filter 1,$(ASAN_LEAKS)),--no-suite gui --no-suite gtk)
# The suppressions name functions deep in GLib and libsoup, which frame
# pointers do not reach: full stacks when leaks are checked.  GCC 12's
# LeakSanitizer follows dynamic TLS blocks through glibc's thread vectors
# and crashes on a stale one at exit ("Tracer caught signal 11", seen in
# the sync test's killed-during-pull child): intercept_tls_get_addr=0
# stops it tracking them.
ASAN_UNWIND = $(if $(filter 1,$(ASAN_LEAKS)),:fast_unwind_on_malloc=0:intercept_tls_get_addr=0)

test-asan: deps
	test -f $(ASAN_BUILDDIR)/build.ninja || \
	  meson setup $(ASAN_BUILDDIR) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
	meson compile -C $(ASAN_BUILDDIR)
	ASAN_OPTIONS=detect_leaks=$(ASAN_LEAKS)$(ASAN_UNWIND):abort_on_error=1 \
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	G_SLICE=always-malloc GIO_USE_PROXY_RESOLVER=dummy \
	xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
	  meson test -C $(ASAN_BUILDDIR) --print-errorlogs --num-processes 2 --timeout-multiplier $(ASAN_TIMEOUT) $(SUITES)

# The thread-safety test built with ThreadSanitizer (README.md,
# "Sanitizers"): the list pages' query workers run while the window writes.
# GLib's own synchronization is made visible by tests/tsan-glib-shim.c;
# tests/tsan.supp names the uninstrumented libraries.  Any report fails it.
TSAN_BUILDDIR ?= build-tsan
TSAN_TESTS ?= gui-list-workers

test-tsan: deps
	test -f $(TSAN_BUILDDIR)/build.ninja || \
	  meson setup $(TSAN_BUILDDIR) --buildtype=debug -Db_sanitize=thread -Db_lundef=false \
	    -Dserver=false -Dbenchmarks=false
	ninja -C $(TSAN_BUILDDIR) data/gschemas.compiled $(foreach t,$(TSAN_TESTS),tests/gui/test-$(t:gui-%=%))
	TSAN_OPTIONS="suppressions=$(abspath tests/tsan.supp) halt_on_error=0" \
	G_SLICE=always-malloc \
	xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
	  meson test -C $(TSAN_BUILDDIR) --no-rebuild --print-errorlogs --timeout-multiplier 4 $(TSAN_TESTS)

# libFuzzer targets (README.md, "Fuzzing"); needs clang and libclang-rt-14-dev.
FUZZ_BUILDDIR ?= build-fuzz

fuzz:
	@sh build-aux/install-deps.sh --fuzz
	test -f $(FUZZ_BUILDDIR)/build.ninja || \
	  CC=clang CFLAGS=-fsanitize=fuzzer-no-link meson setup $(FUZZ_BUILDDIR) -Dfuzzing=true \
	    -Db_sanitize=address,undefined -Db_lundef=false
	meson compile -C $(FUZZ_BUILDDIR) tests/fuzz/fuzz-envelope tests/fuzz/fuzz-snapshot \
	  tests/fuzz/fuzz-batch tests/fuzz/fuzz-server tests/fuzz/fuzz-validate \
	  tests/fuzz/fuzz-exchange tests/fuzz/fuzz-sync-reply

bench: build
	meson compile -C $(BUILDDIR) bench/stupeni-generate bench/stupeni-bench-core bench/stupeni-bench-overview bench/stupeni-bench-gui \
	  bench/stupeni-bench-server-load

# Debian packages stupeni and stupeni-server into $(DEBDIR) (dpkg-buildpackage
# on a copy of the tree, then lintian).  test-deb installs them on this
# machine (root), runs both programs from the packages and purges them; it is
# not part of `make test`.  Both use the packages already in $(DEBDIR) (make
# deb first after changing the tree).
DEBDIR ?= build-deb

deb:
	@sh build-aux/install-deps.sh --deb
	sh build-aux/build-deb.sh $(DEBDIR)

test-deb:
	@ls $(DEBDIR)/stupeni_*.deb $(DEBDIR)/stupeni-server_*.deb >/dev/null 2>&1 || $(MAKE) deb
	sh build-aux/test-deb.sh $(DEBDIR)

# The packaged unit under a real systemd booted in a systemd-nspawn
# container over an overlay of this machine's root (needs systemd-container).
test-deb-systemd:
	@ls $(DEBDIR)/stupeni_*.deb $(DEBDIR)/stupeni-server_*.deb >/dev/null 2>&1 || $(MAKE) deb
	sh build-aux/test-deb-systemd.sh $(DEBDIR)

# The desktop-only build (the flatpak's options) without libpq and the
# server-only build without GTK, through a pkg-config overlay.
check-split: deps
	sh build-aux/check-split-builds.sh build-split

# Windows (build-aux/windows, README "Windows"): the installer
# dist/stupeni-<version>-setup.exe, cross-built here from Debian's sources;
# and the Windows build's tests under Wine.  Not part of `make test`.
windows:
	@sh build-aux/windows/install-deps.sh
	bash build-aux/windows/build.sh

test-windows:
	@sh build-aux/windows/install-deps.sh
	bash build-aux/windows/test-windows.sh

clean:
	rm -rf $(BUILDDIR) $(DEBDIR) build-split
