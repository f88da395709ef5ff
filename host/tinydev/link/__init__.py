"""The link to a board: port selection and mpremote's transport (never a raw-REPL of our own)."""
