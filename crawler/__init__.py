"""Blog address → every public post URL."""
