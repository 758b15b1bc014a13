"""Tagging stored answers: the jobs, theme keys, people's corrections, retraining and evaluation."""
