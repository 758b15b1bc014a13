"""The stored codebook keeps each theme's exclusions, so "good job" is praise, not a jobs theme."""

from analysis.codebook.operations import load_codebook, seed_codebook
from analysis.text.themes import match_themes


def test_seeded_codebook_keeps_exclusions(app):
    seed_codebook()
    codebook = load_codebook()
    praise = {m.key for m in match_themes("The staff do a good job with us", codebook)}
    need = {m.key for m in match_themes("I need a summer job", codebook)}
    assert "jobs" not in praise
    assert "jobs" in need
