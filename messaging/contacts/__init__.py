"""Contacts, the only place phone numbers live: the CSV import, staff pages, consent changes on
request (opt-out, opt-in, erasure) and group counts."""
