# MIS — the commands of the README. Every target that builds first makes sure GLPK is
# installed (scripts/install-deps.sh; needs root when it is missing).

SWIFT ?= swift
# Extra SwiftPM flags for the root package, e.g. SWIFTPM_FLAGS="--scratch-path .build-ci".
SWIFTPM_FLAGS ?=
EMBEDDING := Examples/Embedding

.PHONY: run test bench bench-quick bench-real fixtures lint deps docs

deps:
	./scripts/install-deps.sh

## run: the demo — every method on the built-in instances, as a comparison table
run: deps
	$(SWIFT) run $(SWIFTPM_FLAGS) -c release mis demo

## fixtures: the real-image fixtures of the import tests (built once, kept in .fixtures/)
fixtures: deps
	./scripts/build-import-fixtures.sh

## test: lint, build, build the import fixtures, run the whole test suite, build and run the embedding example, compile the doc samples
test: deps lint
	$(SWIFT) build $(SWIFTPM_FLAGS)
	./scripts/build-import-fixtures.sh
	$(SWIFT) test $(SWIFTPM_FLAGS)
	$(SWIFT) build --package-path $(EMBEDDING) --scratch-path $(EMBEDDING)/.build
	$(SWIFT) run --package-path $(EMBEDDING) --scratch-path $(EMBEDDING)/.build embedding
	python3 scripts/check-doc-samples.py

## bench: the benchmark report (nested package in Benchmarks/; see Benchmarks/README.md)
bench: deps
	$(SWIFT) run -c release --package-path Benchmarks mis-bench report

## bench-quick: the same report on fewer, smaller points (about a minute)
bench-quick: deps
	$(SWIFT) run -c release --package-path Benchmarks mis-bench report --quick

## bench-real: the real-image benchmark (debootstrap images, cached in $(REAL_CACHE); see Benchmarks/real/README.md)
REAL_CACHE ?= $(HOME)/.cache/mis-bench-real
bench-real: deps
	$(SWIFT) build -c release --product mis
	REAL_CACHE=$(REAL_CACHE) ./Benchmarks/real/run.sh

## docs: compile every Swift sample of README.md and Docs/
docs: deps
	python3 scripts/check-doc-samples.py

## lint: swift-format in strict mode with the checked-in .swift-format
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Examples
