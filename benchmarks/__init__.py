"""Benchmarks (`make bench`): generator and loader throughput, the end-to-end suite, and the case
study's trigger design re-created for comparison. Figures go to bench/LATEST.md and bench/latest.json."""
