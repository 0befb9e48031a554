"""Debian's Chromium as every benchmark here launches it (Playwright cannot download a browser on
this machine). The background-networking flags keep it from calling home, which the closed network
would refuse noisily. tests/conftest.py holds the same settings for the test suite."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
