"""One module per measured section; each adds its figures and details to the report."""
