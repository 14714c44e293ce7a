"""Files in and out: Markdown minutes, JSON, CSV timeline, safe writes. Never touches the database."""
