"""The keyword-spotting scenario: config, speech dataset and MFCC recipe, DS-CNN model, pipeline
steps (train, convert, check, verify), the streaming detector and the report."""
