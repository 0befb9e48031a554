"""Publishing: `blog deploy` to a gh-pages branch and the GitHub Pages workflow `blog init` writes."""
