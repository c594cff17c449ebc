"""Reading response exports and forms, validating them against the instrument, size categories."""
