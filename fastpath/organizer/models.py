"""Tables for organizer."""
