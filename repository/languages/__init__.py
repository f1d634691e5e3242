"""Choosing the interface language: negotiation per request, the switcher, the profile."""
