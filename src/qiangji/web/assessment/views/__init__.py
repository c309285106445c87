"""Staff-only pages of the assessment (login required; per-role access comes with the accounts issue)."""
