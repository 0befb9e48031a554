"""The load phase: read the source tree into the immutable model (discover, front matter, documents, data, demos)."""
