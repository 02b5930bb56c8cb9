"""Full-text and faceted search."""
