"""Property-based tests (hypothesis) for the code that reads untrusted text: numerals, citations, decoders, segmenter."""

from hypothesis import settings

# No example database: it would be written into the checkout as .hypothesis/. No deadline: the first call of
# a test pays for imports and caches.
PROPERTY = settings(database=None, deadline=None)
