"""The keeper's decisions as pure functions of a market snapshot and the vault's book: the live cycle, the
backtest and the demo build the snapshot from their own data and call the same functions here."""
