"""Demo SMS data for development and demos. Not used by the running service."""
