"""The content: from the authors' files to the checked model (read, parse, model, validate)."""
