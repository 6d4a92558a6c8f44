"""Benchmarks: speed measured on demand (`make bench`), reported as ratios against a baseline timed in
the same run. Never part of the test suite."""
