"""Benchmarks (not tests): `make bench` measures the pipeline against the broker's limit (issue #8)."""
