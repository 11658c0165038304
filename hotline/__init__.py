"""Settings, bootstrap (the one place that wires adapters) and the CLI ``python -m hotline``."""
