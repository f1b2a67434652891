# Thin wrapper around CMake + Ninja. `make` builds Release into build/; `make test` runs every test.
# `make test SANITIZE=address,undefined` builds into build-san/ with those sanitizers and runs the
# unit, device and storage tests (SANITIZE_LABELS); `make fuzz` runs the fuzz targets (docs/security.md).
SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD_DIR ?= build
TEST_SELECTION ?=
else
BUILD_DIR ?= build-san
SANITIZE_LABELS ?= ^(unit|device|storage)$$
TEST_SELECTION ?= -L '$(SANITIZE_LABELS)'
endif
BUILD_TYPE ?= Release
WERROR ?= OFF
JOBS ?= $(shell nproc)
CCACHE := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all deps configure build guest debian-guest test sanitized-test demo bench install deb clean fuzz fuzz-build fuzz-seeds

all: build

deps:
	@./scripts/install-deps.sh

configure:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DVESSEL_WERROR=$(WERROR) \
	  -DVESSEL_SANITIZE=$(SANITIZE) $(CCACHE) >/dev/null

# A sanitized build compiles only what the selected tests need (target sanitized-tests).
build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) $(if $(SANITIZE),--target sanitized-tests)

# The guest the boot tests and the demo run, as a step of its own: ../shared/guest when it is
# there, else built once from Debian's sources by guest/build.sh (its progress on the terminal),
# so that no test starts a build of its own inside ctest's time limit.
guest:
	@./scripts/guest-dir.sh >/dev/null

# A stock Debian trixie riscv64 system (guest/debian/README.md): 15-30 minutes once, as root.
# The Debian boot tests (tests/debian) run when it is built and skip otherwise.
debian-guest: deps
	@./guest/debian/build.sh

test: deps build $(if $(SANITIZE),,guest)
	@cd $(BUILD_DIR) && $(if $(SANITIZE),ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1) ctest --output-on-failure -j $(JOBS) --timeout 600 \
	  $(TEST_SELECTION)

# The fuzz targets (fuzz/, clang with libFuzzer, ASan and UBSan) in $(FUZZ_DIR).
fuzz-build:
	@cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	  -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DVESSEL_FUZZ=ON \
	  $(CCACHE) >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz-all

# Every target for FUZZ_SECONDS (or FUZZ_RUNS executions), one after another.
fuzz: deps fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_DIR)

# Rewrites the seed-* files of fuzz/corpus from Vessel's own writers (fuzz/seeds/).
fuzz-seeds: fuzz-build
	@cmake --build $(FUZZ_DIR) --target vessel-fuzz-seeds
	@$(FUZZ_DIR)/vessel-fuzz-seeds fuzz/corpus

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
	@bench/vsock/run.sh $(BUILD_DIR)/vessel $(BUILD_DIR)/bench/vsock_stream-riscv64
	@bench/share/run.sh $(BUILD_DIR)/vessel
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
