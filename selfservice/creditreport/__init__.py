"""Credit reports of a subject's public credit information, as JSON and PDF, with verification."""
