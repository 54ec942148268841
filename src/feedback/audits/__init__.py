"""Audits of safeguarding partners' yearly reports: the audit framework,
the register of partnerships and reports received, audits, and their summaries."""
