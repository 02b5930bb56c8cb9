"""Topic rules and their evaluation."""
