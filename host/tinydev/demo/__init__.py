"""`tinydev demo`: the vibration anomaly detector on the virtual board, end to end."""
