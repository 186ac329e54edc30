"""Experiments: random streams, replications, confidence intervals and run folders."""
