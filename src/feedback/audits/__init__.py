"""Audits of safeguarding partners' yearly reports (issue 6): the audit framework,
the register of partnerships and reports received, audits, and their summaries."""
