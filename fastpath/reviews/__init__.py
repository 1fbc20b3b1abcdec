"""The committee's review: reviewers, conflicts, bids, assignments, reviews, discussion, and
the chairs' table the decisions are taken from."""
