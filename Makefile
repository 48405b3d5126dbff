# MIS — the commands of the README. Every target that builds first makes sure GLPK is
# installed (scripts/install-deps.sh; needs root when it is missing).

SWIFT ?= swift
# Extra SwiftPM flags for the root package, e.g. SWIFTPM_FLAGS="--scratch-path .build-ci".
SWIFTPM_FLAGS ?=
EMBEDDING := Examples/Embedding

.PHONY: run test bench lint deps

deps:
	./scripts/install-deps.sh

## run: the demo — every method on the built-in instances, as a comparison table
run: deps
	$(SWIFT) run $(SWIFTPM_FLAGS) -c release mis demo

## test: build, run the whole test suite, then build and run the embedding example
test: deps
	$(SWIFT) build $(SWIFTPM_FLAGS)
	$(SWIFT) test $(SWIFTPM_FLAGS)
	$(SWIFT) build --package-path $(EMBEDDING) --scratch-path $(EMBEDDING)/.build
	$(SWIFT) run --package-path $(EMBEDDING) --scratch-path $(EMBEDDING)/.build embedding

## bench: the benchmark report (nested package in Benchmarks/)
bench: deps
	$(SWIFT) run -c release --package-path Benchmarks mis-bench report

## lint: swift-format in strict mode with the checked-in .swift-format
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Examples
