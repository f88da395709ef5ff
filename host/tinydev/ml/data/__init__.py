"""Data generated here, seeded and documented (no downloads): one module per scenario."""
