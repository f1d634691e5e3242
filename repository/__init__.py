"""Practice Hub: the anti-trafficking good-practice repository."""
