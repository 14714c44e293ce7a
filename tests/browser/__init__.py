"""Browser tests of `pmconsole serve` (headless Chromium) and of its command line."""
