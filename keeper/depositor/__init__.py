"""A depositor's commands: deposit, withdraw or redeem with a max loss, and the truth about a position."""
