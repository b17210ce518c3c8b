# The README's two commands: `make run` and `make test`. Both install missing Debian packages first
# (packaging/install-deps.sh, idempotent), configure with the `dev` CMake preset and build.
PRESET ?= dev
BUILD  := build/$(PRESET)
JOBS   ?= $(shell nproc)
DEMO_WS ?= build/demo/demo.sqlite
CLI    := $(BUILD)/app/cli/tiltbench-cli
GUI    := $(BUILD)/app/gui/tiltbench

.PHONY: all deps configure build run demo test test-asan test-tsan bench package clean format

all: build

deps:
	@TILTBENCH_DEPS_QUIET=1 packaging/install-deps.sh

configure: deps
	@test -f $(BUILD)/build.ninja || cmake --preset $(PRESET)

build: configure
	cmake --build $(BUILD) -j$(JOBS)

# Opens the workbench on a demo workspace (generated on first use). Without a display it says so and runs
# the headless demo instead: generate -> summary.
run: build demo
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "Opening the workbench on $(DEMO_WS)"; \
	  $(GUI) $(DEMO_WS); \
	else \
	  echo "No display found (DISPLAY/WAYLAND_DISPLAY unset): running the headless demo instead."; \
	  $(CLI) datasets --workspace $(DEMO_WS); \
	  $(CLI) info --workspace $(DEMO_WS) --dataset demo; \
	  echo; echo "How exp(r/lambda) reweights the demo's training targets at lambda = 0.5:"; \
	  $(CLI) weights --workspace $(DEMO_WS) --dataset demo --lambda 0.5 --top 5; \
	fi

demo: build
	@mkdir -p $(dir $(DEMO_WS))
	@if [ -f $(DEMO_WS) ] && $(CLI) info --workspace $(DEMO_WS) --dataset demo --json >/dev/null 2>&1; then \
	  echo "Demo workspace $(DEMO_WS) already has dataset 'demo'"; \
	else \
	  $(CLI) generate --workspace $(DEMO_WS) --name demo; \
	fi

# The whole suite on the dev build, then the core, CLI and UI suites again under AddressSanitizer + UBSan
# (preset asan; TILTBENCH_SKIP_ASAN=1 skips that second pass).
test: build
	cd $(BUILD) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j$(JOBS) --timeout 600
	@if [ "$(PRESET)" = dev ] && [ -z "$(TILTBENCH_SKIP_ASAN)" ]; then $(MAKE) --no-print-directory test-asan; fi

# Sanitizer passes: the test binaries and the CLI they start, built with the preset's flags; the packaging test
# (which would package the sanitizer build) is left out.
SANITIZER_TARGETS := tiltbench_core_tests tiltbench_torch_tests tiltbench_ui_tests tiltbench-cli
test-asan: deps
	@test -f build/asan/build.ninja || cmake --preset asan
	cmake --build build/asan -j$(JOBS) --target $(SANITIZER_TARGETS)
	cd build/asan && QT_QPA_PLATFORM=offscreen ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS) --timeout 900 -E '^packaging[.]'

test-tsan: deps
	@test -f build/tsan/build.ninja || cmake --preset tsan
	cmake --build build/tsan -j$(JOBS) --target $(SANITIZER_TARGETS)
	cd build/tsan && QT_QPA_PLATFORM=offscreen \
	  TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1 die_after_fork=0" \
	  ctest --output-on-failure -j$(JOBS) --timeout 1800 -E '^packaging[.]'

bench: deps
	@test -f build/release/build.ninja || cmake --preset release -DTILTBENCH_BENCH=ON
	cmake --build build/release -j$(JOBS)
	bench/import_throughput.sh

# The .deb (CPack, packaging/TiltbenchPackage.cmake) from the release preset: build/release/tiltbench_<version>_<arch>.deb
package: deps
	@test -f build/release/build.ninja || cmake --preset release
	cmake --build build/release -j$(JOBS)
	cd build/release && rm -f tiltbench_*.deb && cpack -G DEB
	@deb=$$(ls build/release/tiltbench_*.deb) && echo "Package: $(CURDIR)/$$deb" && \
	  echo "Install it with: sudo apt install ./$$deb"

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build

# libFuzzer targets for the importers (fuzz/, docs/RELIABILITY.md): a clang build in build/fuzz, then every
# target for FUZZ_SECONDS (default 60) on a work corpus under build/fuzz/corpus; fails if any target finds a
# crash, sanitizer report, leak, timeout or unexpected exception.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	@test -f build/fuzz/build.ninja || cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DTILTBENCH_FUZZ=ON
	cmake --build build/fuzz -j$(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run-fuzzers.sh
