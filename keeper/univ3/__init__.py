"""Uniswap V3 maths in Python, in the pool's own integer arithmetic where exactness matters.

Pure functions over ints: the backtest, the optimizer, the market builder and the keeper's checks share them, and
tests compare them with the real pool contract on anvil.
"""
