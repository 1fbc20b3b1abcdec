"""On the day: the check-in page (search, check in or undo, walk-ins, live counts) and the
catering and access needs for the dashboard and the caterer."""
