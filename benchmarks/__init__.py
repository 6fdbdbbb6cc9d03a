"""Reproducible timing runs at 10k / 100k / 1M cases. Run ``python -m benchmarks`` (or ``make bench``)."""
