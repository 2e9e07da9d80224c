"""Optimization: target weights per strategy and a range per concentrated position, maximising expected net return
under the risk budget and the on-chain caps. Pure functions; the same code runs live and in backtests."""
