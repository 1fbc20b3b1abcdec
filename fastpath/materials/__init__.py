"""Final materials: what accepted authors hand in through their private link (final
version, slides, video link, presenter, bio)."""
