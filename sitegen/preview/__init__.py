"""The preview (`build.py serve`): watch the inputs, rebuild with the build's own stages,
serve the last good site from memory, and tell the browser what changed.

watch (changes in debounced batches) → session (the build, and the order pages are
rendered in) → server (HTTP, live-reload events, guards). May import anything before it.
"""
