# `make test` runs every test: Go vet, the Go tests on SQLite and PostgreSQL, and the browser tests.
# It installs what is missing first when run as root (scripts/deps.sh).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test
# The steps of `test` must run in order even under `make -j`.
.NOTPARALLEL:

# Debian's Go lives in /usr/local/go; a non-login shell may not have it on PATH.
ifeq ($(shell command -v go 2>/dev/null),)
export PATH := /usr/local/go/bin:$(PATH)
endif

GO ?= go
CACHE := $(CURDIR)/.cache
BIN := $(CACHE)/bin/holdfast
# -count=1: always run (the PostgreSQL server differs between runs, the test cache cannot see it).
GOTESTFLAGS ?= -count=1 -timeout=20m
# Extra arguments for Playwright, e.g. make test-e2e E2E_ARGS='tests/smoke.spec.ts'
E2E_ARGS ?=

.PHONY: test deps vet test-go test-e2e build fmt-check bench

test: deps fmt-check vet test-go test-e2e

deps:
	scripts/deps.sh

vet:
	$(GO) vet ./...

test-go: deps
	scripts/with-postgres.sh $(GO) test $(GOTESTFLAGS) ./...

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/holdfast

test-e2e: deps build
	cd e2e && HOLDFAST_BIN=$(BIN) npx playwright test $(E2E_ARGS)

fmt-check:
	@files=$$(git ls-files --cached --others --exclude-standard '*.go'); \
	out=$$(if [ -n "$$files" ]; then gofmt -l $$files; fi); \
	if [ -n "$$out" ]; then echo "gofmt would change these files:"; echo "$$out"; exit 1; fi

# The benchmark harness (not part of `make test`; a scale-0.01 smoke run is).
# BENCH_ARGS, e.g. BENCH_ARGS='-scales 0.1,1 -duration 2s'
BENCH_ARGS ?=
bench: deps build
	scripts/with-postgres.sh $(GO) run ./bench -bin $(BIN) $(BENCH_ARGS)
