"""Attendee registration: capacity, waiting list, calendar file, cancel by private link."""
