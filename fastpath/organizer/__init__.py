"""The organizers' area: sign-in, dashboard, decisions, mail, CSV exports, audit."""
