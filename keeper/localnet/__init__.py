"""A local Uniswap V3 market from the real npm bytecode, and the replay of real history onto it."""
