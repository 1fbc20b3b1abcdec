"""Tables for cfp."""
