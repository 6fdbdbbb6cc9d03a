"""Risk indicators: write, review, version, back-test and score (see docs/risk.md)."""
