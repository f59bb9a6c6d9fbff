"""RWA liquidity-paradox testbed: scenarios, engine, agents, metrics and reports."""
