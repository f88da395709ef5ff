"""The vibration anomaly scenario: config, feature recipe, model, pipeline steps and report."""
