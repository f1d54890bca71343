"""The ingest side: article → sentences → vectors → Chroma. Knows nothing of answering."""
