"""A Jekyll-style static-site generator: markdown posts with front matter, Jinja2 layouts, live demos."""

__version__ = "0.1.0"
