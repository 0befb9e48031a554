"""The write phase: every output path proven inside the destination, then a journaled all-or-nothing write."""
