"""The coalition's codebook: its one write path, its staff pages and emerging-theme candidates."""
