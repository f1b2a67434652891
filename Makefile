# Thin wrapper around CMake + Ninja. `make` builds Release into build/; `make test` runs every test.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
WERROR ?= OFF
JOBS ?= $(shell nproc)

.PHONY: all deps configure build guest debian-guest test demo bench install deb clean

all: build

deps:
	@./scripts/install-deps.sh

configure:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DVESSEL_WERROR=$(WERROR) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The guest the boot tests and the demo run, as a step of its own: ../shared/guest when it is
# there, else built once from Debian's sources by guest/build.sh (its progress on the terminal),
# so that no test starts a build of its own inside ctest's time limit.
guest:
	@./scripts/guest-dir.sh >/dev/null

# A stock Debian trixie riscv64 system (guest/debian/README.md): 15-30 minutes once, as root.
# The Debian boot tests (tests/debian) run when it is built and skip otherwise.
debian-guest: deps
	@./guest/debian/build.sh

test: deps build guest
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Boots the default guest to an interactive shell on this terminal.
demo: deps build guest
	@dir=$$(./scripts/guest-dir.sh) && exec $(BUILD_DIR)/vessel run --kernel $$dir/Image \
	  --initrd $$dir/initramfs.cpio.gz --append "console=ttyS0 quiet" --cpus 2 --memory 512M

bench: deps build
	@cmake --build $(BUILD_DIR) --target vessel-bench-all
	@bench/interp/run.sh $(BUILD_DIR)/vessel $(BUILD_DIR)/bench/loop.elf $(BUILD_DIR)/bench/chain.elf
	@bench/boot/run.sh $(BUILD_DIR)/vessel
	@bench/disk/run.sh $(BUILD_DIR)/vessel
	@FORMAT=qcow2 bench/disk/run.sh $(BUILD_DIR)/vessel
	@bench/compare/run.sh $(BUILD_DIR)/vessel $(BUILD_DIR)/bench/cpubench-riscv64 $(BUILD_DIR)/bench/cpubench-native
	@ENGINE=interp RUNS=1 bench/compare/run.sh $(BUILD_DIR)/vessel $(BUILD_DIR)/bench/cpubench-riscv64 \
	  $(BUILD_DIR)/bench/cpubench-native
	@bench/programs/run.sh $(BUILD_DIR)/vessel $(BUILD_DIR)/bench/programs
	@bench/net/run.sh $(BUILD_DIR)/vessel
	@bench/snapshot/run.sh $(BUILD_DIR)/vessel

# Installs into $(DESTDIR)$(PREFIX) (default /usr/local); the systemd units go to
# $(DESTDIR)$(PREFIX)/lib/systemd/system.
PREFIX ?= /usr/local
install: build
	@DESTDIR=$(DESTDIR) cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# The Debian package (CPack's DEB generator): build/vessel_VERSION_ARCH.deb.
deb: deps build
	@cd $(BUILD_DIR) && cpack -G DEB >/dev/null && ls $(CURDIR)/$(BUILD_DIR)/vessel_*.deb

clean:
	@rm -rf $(BUILD_DIR)
