"""The program: built by organizers from the accepted papers and fixed items, checked and
published; the public program, speaker pages and calendars read the published copy."""
