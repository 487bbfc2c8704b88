"""entries layer."""
