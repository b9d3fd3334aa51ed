"""Benchmarks at the scale of the largest unions: `bench/run.py` (see docs/performance.md)."""
