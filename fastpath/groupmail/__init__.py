"""Mail to groups: an organizer writes one mail (Markdown, with placeholders) to a group of
people (attendees, authors, reviewers); each gets their own copy through the outbox, and a
progress page follows the batch until every copy is sent."""
