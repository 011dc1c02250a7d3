"""Article code: one module per post; every function here is shown in a page and tested."""
