"""One screen per module: the main console and its modal dialogs."""
