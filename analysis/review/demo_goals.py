"""Demo agenda (seed-demo, order 50): goals linked to codebook themes, with indicators."""

from __future__ import annotations


def seed_demo_goals() -> None:
    """Placeholder until filled in below."""
