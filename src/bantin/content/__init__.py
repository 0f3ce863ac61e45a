"""Content: the bulletin model, its YAML file format, and ingest of raw scraped text.

The model (:mod:`.model`) knows nothing of YAML; :mod:`.bulletin_file` reads and
writes the format, and :mod:`.ingest` structures raw text into the model.
"""
