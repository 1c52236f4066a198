# Eddy's developer commands. `make test` is what CI runs (.ci/run).
GO ?= go
PKGS ?= ./...
BENCH ?= .
BENCHTIME ?= 1x

.PHONY: test test-short servers jupyter vet lint fmt bench bench-csv fuzz

## test: install missing test servers and jupyter, vet, then every test with the race detector, and the plain-Go vector kernels (-tags purego).
test: servers jupyter vet
	$(GO) test -race -timeout 20m $(PKGS)
	$(GO) test -tags purego ./estimators/internal/vecmath/ ./estimators/kmeans/ ./estimators/bisectingkmeans/

## test-short: the quick suite (skips slow tests marked with testing.Short).
test-short: vet
	$(GO) test -short -timeout 10m $(PKGS)

## servers: install redis-server (and nats-server) with apt-get when missing.
servers:
	@bash scripts/install-servers.sh

## jupyter: install Debian's jupyter nbconvert when missing (for notebooks/).
jupyter:
	@bash scripts/install-jupyter.sh

vet:
	$(GO) vet $(PKGS)

## lint: gofmt check and vet.
lint: vet
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: every Go benchmark, once each (BENCH=regexp BENCHTIME=3x to narrow).
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -benchmem $(PKGS)

## bench-csv: Eddy's CSV reader against pandas.read_csv on the same 1M x 20 file.
bench-csv:
	bash scripts/bench_csv.sh

## fuzz: run each fuzzer briefly (FUZZTIME=60s to go longer).
FUZZTIME ?= 20s
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)
