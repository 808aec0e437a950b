"""URL → Wayback Machine capture, within the Archive's limits."""
