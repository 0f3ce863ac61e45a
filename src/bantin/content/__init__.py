"""Content: the bulletin model, its YAML file format, and ingest of raw scraped text and news pages.

The model (:mod:`.model`) knows nothing of YAML; :mod:`.bulletin_file` reads and
writes the format, and :mod:`.ingest` structures raw text into the model.
:mod:`.html` extracts the article of a saved news page with trafilatura and hands
it to ingest's rules; :mod:`.fetch` fetches a page by URL, bounded and safe.
"""
