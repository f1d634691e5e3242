"""Practices: validation, the documents built from them, the services that write them."""
