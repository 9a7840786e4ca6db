"""Groups of generated server behaviours, joined in order by `tests.browser.generator.behaviours()`."""
