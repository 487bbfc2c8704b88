"""readme layer."""
