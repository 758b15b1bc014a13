"""Demo seeder (after the web and SMS answers): the shipped codebook, then every seeded
comment tagged.

Runs synchronously in batches so the demo is tagged on first run without a worker; idempotent
(existing themes are kept, current tags are skipped).
"""

from __future__ import annotations

from analysis.codebook.operations import seed_codebook
from analysis.tagging.jobs import retag_batches


def seed_demo_analysis() -> None:
    """Seed DEFAULT_CODEBOOK and tag all comments that are not tagged with it yet."""
    seed_codebook()
    for _ in retag_batches(batch_size=500):
        pass
