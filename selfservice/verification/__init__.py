"""Identity verification: binding an account to a citizen, an enterprise, or an agent of one."""
