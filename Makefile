SHELL := /bin/bash

# Thin wrapper over Meson. `make check` and `make demo` install their dependencies first (scripts/deps.sh).
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
CHECK_FUZZ_RUNS ?= 50000
BIN := $(BUILD)/container-compose

.PHONY: all build deps check unit unit-asan system test-native conformance conformance-native conformance-crun conformance-docker conformance-dockerd conformance-podman docker-suites fuzz fuzz-short demo bench format clean

all: build

deps:
	@./scripts/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

unit: build
	meson test -C $(BUILD) --suite unit --print-errorlogs

$(ASAN_BUILD)/build.ninja:
	CC=clang meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

unit-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(abspath fuzz/lsan.supp) \
		meson test -C $(ASAN_BUILD) --suite unit --print-errorlogs

# The system tests, the conformance suite's CLI half against the mock backend, the image store against a
# registry on loopback, the native backend's containers under runc (skipped unless root with runc), the
# daemon (routes, streams, lifecycle, auth, TLS), and the conformance suite's CLI half again through a
# daemon (remote backend -> serve -> mock).
system: build
	set -o pipefail; CC_BIN=$(abspath $(BIN)) CC_CONFORMANCE_BACKEND=mock \
		bats --tap tests/system tests/conformance tests/images tests/native tests/daemon | tee $(BUILD)/system-tests.tap
	set -o pipefail; CC_BIN=$(abspath $(BIN)) CC_CONFORMANCE_BACKEND=remote \
		bats --tap tests/conformance | tee $(BUILD)/system-tests-remote.tap
	$(MAKE) --no-print-directory conformance-native
	$(MAKE) --no-print-directory conformance-crun
	$(MAKE) --no-print-directory conformance-docker

# The runtime conformance suite (C) on real containers: native, and native behind a daemon (remote).
# Needs root, runc and busybox-static; says so and skips otherwise.
conformance-native: build
	@if [ "$$(id -u)" != 0 ] || ! command -v runc >/dev/null || [ ! -x /bin/busybox ]; then \
		echo "skipped: conformance on native needs root, runc and busybox-static"; exit 0; fi; \
	set -eo pipefail; rm -rf $(BUILD)/conformance-image; \
	python3 tests/images/mkimage.py multi $(BUILD)/conformance-image >/dev/null; \
	tar -C $(BUILD)/conformance-image -cf $(BUILD)/conformance-image.tar .; \
	CC_CONFORMANCE_BACKEND=native CC_CONFORMANCE_IMAGE_TAR=$(abspath $(BUILD))/conformance-image.tar \
		$(BUILD)/test_runtime_conformance | tee $(BUILD)/conformance-native.log; \
	CC_BIN=$(abspath $(BIN)) CC_CONFORMANCE_BACKEND=remote CC_REMOTE_INNER=native \
		CC_CONFORMANCE_IMAGE_TAR=$(abspath $(BUILD))/conformance-image.tar \
		$(BUILD)/test_runtime_conformance | tee $(BUILD)/conformance-remote-native.log

# The runtime conformance suite (C) on native under crun: the automatic pick takes crun once hugetlb is bound
# to a v1 hierarchy (scripts/crun-cgroups.sh, undone whatever happens). Needs root, crun and busybox-static.
conformance-crun: build
	@if [ "$$(id -u)" != 0 ] || ! command -v crun >/dev/null || [ ! -x /bin/busybox ]; then \
		echo "skipped: conformance on crun needs root, crun and busybox-static"; exit 0; fi; \
	set -o pipefail; rm -rf $(BUILD)/conformance-image $(BUILD)/crun-cgroups; mkdir -p $(BUILD)/crun-cgroups; \
	python3 tests/images/mkimage.py multi $(BUILD)/conformance-image >/dev/null; \
	tar -C $(BUILD)/conformance-image -cf $(BUILD)/conformance-image.tar .; \
	scripts/crun-cgroups.sh apply $(BUILD)/crun-cgroups || exit 1; \
	CC_CONFORMANCE_BACKEND=native CC_CONFORMANCE_IMAGE_TAR=$(abspath $(BUILD))/conformance-image.tar \
		CC_CONFORMANCE_OCI=crun $(BUILD)/test_runtime_conformance | tee $(BUILD)/conformance-crun.log; \
	rc=$$?; scripts/crun-cgroups.sh undo $(BUILD)/crun-cgroups || rc=1; exit $$rc

# The native backend's containers under runc (needs root, runc and busybox-static; skips otherwise).
test-native: build
	CC_BIN=$(abspath $(BIN)) bats --tap tests/native

# One backend through the whole conformance suite: `make conformance BACKEND=mock`.
BACKEND ?= mock
# Both halves always run; the target fails if either did.
conformance: build
	rc=0; CC_CONFORMANCE_BACKEND=$(BACKEND) $(BUILD)/test_runtime_conformance || rc=1; \
	CC_BIN=$(abspath $(BIN)) CC_CONFORMANCE_BACKEND=$(BACKEND) bats tests/conformance || rc=1; exit $$rc

# The docker backend on both engines it speaks to: a private dockerd, then a private podman API service
# (scripts/dockerd-test.sh, scripts/podman-test.sh), each stopped again whatever happens. The whole
# conformance suite runs against each, then tests/docker (a project with DNS and a published port, pull,
# push and build through a loopback registry). An engine that is not installed is skipped with a line
# saying so; so is everything without root.
DOCKER_TEST_DIR ?= /tmp/cc-dockerd-test
PODMAN_TEST_DIR ?= /tmp/cc-podman-test
conformance-docker: conformance-dockerd conformance-podman

# Both halves of the conformance suite and tests/docker on the engine DOCKER_HOST names; every part runs,
# and the target fails if any did. Logs: build/docker-<engine>*.{log,tap}, counted by check-summary.sh.
ENGINE ?= dockerd
docker-suites: build
	@set -o pipefail; rc=0; \
	CC_CONFORMANCE_BACKEND=docker $(BUILD)/test_runtime_conformance | tee $(BUILD)/docker-$(ENGINE).log || rc=1; \
	CC_BIN=$(abspath $(BIN)) CC_CONFORMANCE_BACKEND=docker \
		bats --tap tests/conformance | tee $(BUILD)/docker-$(ENGINE)-cli.tap || rc=1; \
	CC_BIN=$(abspath $(BIN)) bats --tap tests/docker | tee $(BUILD)/docker-$(ENGINE)-project.tap || rc=1; \
	exit $$rc

conformance-dockerd: build
	@if [ "$$(id -u)" != 0 ] || ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then \
		echo "skipped: the docker backend on dockerd needs root, dockerd and the docker CLI (docker.io)"; \
		exit 0; fi; \
	trap 'scripts/dockerd-test.sh stop $(DOCKER_TEST_DIR)' EXIT; \
	scripts/dockerd-test.sh start $(DOCKER_TEST_DIR) && \
	export DOCKER_HOST=unix://$(DOCKER_TEST_DIR)/docker.sock CC_DOCKER_ENGINE=dockerd CC_CONFORMANCE_ENGINE=dockerd \
		CC_DOCKER_TLS_DIR=$(DOCKER_TEST_DIR) && \
	$(MAKE) --no-print-directory docker-suites ENGINE=dockerd

conformance-podman: build
	@if [ "$$(id -u)" != 0 ] || ! command -v podman >/dev/null; then \
		echo "skipped: the docker backend on podman's service needs root and podman"; exit 0; fi; \
	trap 'scripts/podman-test.sh stop $(PODMAN_TEST_DIR)' EXIT; \
	scripts/podman-test.sh start $(PODMAN_TEST_DIR) && \
	export DOCKER_HOST=unix://$(PODMAN_TEST_DIR)/podman.sock CC_CONFORMANCE_ENGINE=podman \
		CC_DOCKER_ENGINE=podman && \
	$(MAKE) --no-print-directory docker-suites ENGINE=podman

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) --buildtype=debug -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false

fuzz-build: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)

# A short, bounded run that must find nothing (part of `make check`).
fuzz-short: fuzz-build
	./scripts/fuzz.sh $(FUZZ_BUILD) runs $(CHECK_FUZZ_RUNS)

# A longer exploration: `make fuzz FUZZ_SECONDS=600`.
fuzz: fuzz-build
	./scripts/fuzz.sh $(FUZZ_BUILD) seconds $(FUZZ_SECONDS)

check: deps
	$(MAKE) build
	$(MAKE) unit
	$(MAKE) system
	$(MAKE) unit-asan
	$(MAKE) fuzz-short
	@./scripts/check-summary.sh

demo: deps build
	./scripts/demo.sh $(abspath $(BIN))

bench: deps build
	./scripts/deps.sh bench
	./bench/loader/run.sh $(abspath $(BIN))
	./bench/orchestrator/run.sh $(abspath $(BIN))
	./bench/pull/run.sh $(abspath $(BIN))
	./bench/start/run.sh $(abspath $(BIN))
	./bench/network/run.sh $(abspath $(BIN))
	./bench/network/updown.sh $(abspath $(BIN))
	./bench/docker-backend/run.sh $(abspath $(BIN))

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
