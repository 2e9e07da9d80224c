"""Risk management: what an opportunity can cost (impermanent loss, depth, reputation, incentives) and how much of
it a depositor's profile accepts."""
