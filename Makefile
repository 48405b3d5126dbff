# Benchmarks (nested package Benchmarks/): see Benchmarks/README.md.
.PHONY: bench bench-quick

bench:
	swift run -c release --package-path Benchmarks mis-bench report

bench-quick:
	swift run -c release --package-path Benchmarks mis-bench report --quick
