"""The message catalogue's data: `id.toml` (the default) and `en.toml`, read by `bot.views.i18n`.

A package (not a plain folder) so `importlib.resources` finds the files in an installed
wheel as well as in a checkout.
"""
