"""The headless control channel: ``moonai-tui ctl`` talking to a running engine.

``server`` runs inside the engine process (TUI or ``--no-ui``) and serves a
Unix-domain socket only its owner can open; ``client`` is the short-lived
``ctl`` command. ``protocol`` holds what both sides share. Nothing is imported
here so that ``ctl`` starts without loading the engine.
"""
