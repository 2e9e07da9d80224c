"""Backtests on real history through the same market/risk/optimize code as the live keeper."""
