"""Widgets of the app and the plain data behind them (rows.py)."""
