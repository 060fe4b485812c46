"""gomodx's engine: Go module semantics in pure Python.

Nothing in this package imports Textual, Rich or :mod:`tui`, and nothing prints:
everything the terminal app shows can be computed, tested and scripted here.
"""
