"""Market intelligence: what pools and yield sources did and do (history from files, state from the chain), and the
features derived from it (fee APR, volatility, volume trend, depth, regime changes)."""
