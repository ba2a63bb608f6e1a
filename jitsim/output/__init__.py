"""Output: tables, exports and text renderings of results and scenarios.

It reads result objects, results directories and the KPI catalogue's names; it never builds or
runs a model.
"""
