"""Benchmarks (`make bench`): gunicorn on 127.0.0.1 driven by wrk, ratios to a baseline."""
