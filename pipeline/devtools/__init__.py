"""Developer tools: the local Elasticsearch node and the benchmark."""
