"""Browser tests (Playwright + Debian Chromium). A package so that module names such as
`test_theme` may repeat those under tests/ without clashing."""
