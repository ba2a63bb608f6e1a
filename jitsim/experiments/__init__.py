"""Experiments on top of the Monte Carlo engine: paired comparison, sweeps, break-even."""
