"""The bounds every search reads when it runs (so a test or a deployment that sets
``limits.TOTAL_CAP = 5`` changes them everywhere at once)."""

TOTAL_CAP = 1_000  # counting stops beyond ("plus de 1 000") unless the query asks for exact_total
FACET_SAMPLE = 1_000  # facets of a bigger result are counted over its first 1,000 articles
