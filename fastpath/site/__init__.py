"""The public workshop pages."""
