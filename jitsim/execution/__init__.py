"""Execution: simulate one replication, run batches on a backend, keep results on disk."""
