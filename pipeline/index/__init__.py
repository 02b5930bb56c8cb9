"""The Elasticsearch edge, index names, mappings and documents."""
