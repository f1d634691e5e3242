"""User accounts: passwords, users and (later) sessions."""
