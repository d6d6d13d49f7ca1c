"""One widget per module; the main screen composes them."""
