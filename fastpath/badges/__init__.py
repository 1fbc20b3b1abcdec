"""Printable PDFs for the registration desk: name badges (2×4 on A4 or US Letter, with cut
marks, in every script the names use) and the attendee list sorted by last name."""
