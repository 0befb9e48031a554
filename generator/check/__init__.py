"""The link and anchor checker over a built site."""
