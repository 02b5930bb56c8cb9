"""Topic detection: the `config/topics.yaml` rules, term matching, scoring with evidence, and their evaluation.

Owns deciding which topics an item is about and why (`detector.Detector`). May import: `pipeline.core` and
`pipeline.lang` (the item language's list separators and sentence breaks).
"""
