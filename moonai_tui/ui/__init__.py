"""The Textual console. Start it with :func:`moonai_tui.ui.app.run_tui`.

Nothing is imported here so that ``import moonai_tui.ui`` stays cheap; the
app, screens and widgets load when the console starts.
"""
