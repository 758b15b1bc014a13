"""Demo data for development and demos: the coalition, its staff and a few hundred web answers. Not
used by the running service."""
