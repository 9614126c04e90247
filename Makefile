# The two commands of the README: `make run` and `make test`.
# Both install what is missing (Debian packages), configure and build first.

BUILDDIR ?= build
MESON_SETUP = meson setup $(BUILDDIR) --buildtype=debugoptimized

.PHONY: all deps setup build run test bench clean

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

bench: build
	meson compile -C $(BUILDDIR) bench/stupeni-generate bench/stupeni-bench-core bench/stupeni-bench-overview bench/stupeni-bench-gui

clean:
	rm -rf $(BUILDDIR)
