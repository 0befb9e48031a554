"""The dev server: watcher, one rebuild path, HTTP side with live reload."""
