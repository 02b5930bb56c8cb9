"""Named entities: gazetteer, NER, linking, evaluation."""
