"""Benchmarks: `make bench` runs every one; each writes bench/results/<name>.json and prints a table."""
