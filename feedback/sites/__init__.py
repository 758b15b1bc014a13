"""Partner sites: staff pages, forms, QR posters and their writes."""
