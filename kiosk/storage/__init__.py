"""Where records go: the `--events` JSON-lines file now, the shift database later."""
