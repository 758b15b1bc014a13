"""Disclosure control: the one gate every published figure, quote and export passes through.

- :mod:`analysis.disclosure.gate`: the release policy (threshold withholding, complementary
  suppression, rounding, whole windows, quotes) applied to a review before any output;
- :mod:`analysis.disclosure.rounding`: rounding of published counts to a base;
- :mod:`analysis.disclosure.windows`: whole weeks, months and quarters;
- :mod:`analysis.disclosure.kanon`: k-anonymity over the answers CSV's demographic fields;
- :mod:`analysis.disclosure.redaction`: phone numbers and e-mails out of free text, CSV cells
  that cannot run as formulas.

The rules, for staff, are in the README ("Privacy and disclosure control") and docs/privacy.md.
"""
