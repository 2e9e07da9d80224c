"""A local web page for depositors and operators: the vault against its control, allocations, ranges, risk,
guardrail headroom, the keeper's decisions and alerts. Reads the keeper's store and the chain; never writes."""
