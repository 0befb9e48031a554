"""The `blog` command line: argument parsing and the init/new scaffolding; everything else is called from here."""
