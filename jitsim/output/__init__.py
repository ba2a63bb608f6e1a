"""Output: tables, exports and text renderings of results (never the model)."""
