"""Staff accounts: sign-in, account pages, forms and their writes."""
