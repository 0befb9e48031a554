"""The render phase: markdown and math to HTML, Jinja layouts (trusted) and post Jinja (sandboxed), generated pages."""
