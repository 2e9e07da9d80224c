"""Forecasts of a pool's near future from its past: volatility and full-range fee APR, by several models, each
chosen per pool by its walk-forward out-of-sample error (the market layer's output, the risk layer's input)."""
