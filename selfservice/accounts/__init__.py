"""End-user accounts (mini-program, official account, H5 phone) and enterprise agent authorisations."""
