"""Tables for registration."""
