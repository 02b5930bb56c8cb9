"""Story grouping."""
