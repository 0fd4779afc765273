"""Pipeline stages: cleaning, relevance, dedup, NLP extraction, storage."""
