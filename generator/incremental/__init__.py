"""What lets a rebuild redo only what changed: dependency-recording views, fingerprints, render reuse."""
