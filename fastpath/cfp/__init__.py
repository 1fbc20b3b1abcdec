"""Call for papers: abstract submission without accounts, the private link, deadlines."""
