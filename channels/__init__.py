"""Channel adapters: WeChat official account, mini-program and web chat wire formats."""
