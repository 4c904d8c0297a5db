# Makefile: developer and CI entry points for sluice (demo, test, lint, bench, fuzz, cover).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

GO                  ?= go
FUZZTIME            ?= 10s
FUZZMINIMIZETIME    ?= 100x
# staticcheck 2026.2.2 == module version v0.8.2 (supports Go 1.26).
STATICCHECK_VERSION := v0.8.2
STATICCHECK         := $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
# golang.org/x/perf has no tagged releases; this is the pseudo-version @latest resolved to.
BENCHSTAT_VERSION   := v0.0.0-20260908200009-22c9c6c9d4da
BENCHSTAT           := $(GO) run golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)

.PHONY: all demo test lint bench fuzz cover

all: test

demo:
	$(GO) run ./examples/lineserver -demo

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 10m ./...
	if [ -f bench/go.mod ]; then \
		cd bench && $(GO) vet ./... && $(GO) test -count=1 ./...; \
	fi

lint:
	$(STATICCHECK) ./...
	if [ -f bench/go.mod ]; then cd bench && $(STATICCHECK) ./...; fi

bench:
	cd bench && $(GO) test -run '^$$' -bench . -count 6 -benchmem -timeout 60m ./... | tee results.txt
	$(BENCHSTAT) bench/results.txt || echo "benchstat unavailable; raw results in bench/results.txt"

fuzz:
	FUZZTIME=$(FUZZTIME) FUZZMINIMIZETIME=$(FUZZMINIMIZETIME) bash .ci/fuzz.sh

cover:
	$(GO) test -coverprofile=cover.out ./...
	$(GO) tool cover -func=cover.out | tail -1
