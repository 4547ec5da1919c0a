"""The site: from the checked model to every file's bytes (plan, render, charts, feeds)."""
