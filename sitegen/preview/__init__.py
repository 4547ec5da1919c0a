"""The preview (`build.py serve`): watch, rebuild with the build's own stages, serve, reload."""
