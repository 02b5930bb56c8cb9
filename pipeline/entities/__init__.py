"""Named entities: the gazetteer, the spaCy NER pipeline, mention cleaning and linking, and their evaluation.

Owns turning article text into normalised `Entity` records and facet values (`extractor.EntityExtractor`,
`extractor.facets`). May import: `pipeline.core` and `pipeline.lang` (the article language's word lists).
"""
