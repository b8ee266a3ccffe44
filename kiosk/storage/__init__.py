"""Where records go: the `--events` JSON-lines file, and the shift database (SQLite) that
`kiosk run` writes and the dashboard reads."""
