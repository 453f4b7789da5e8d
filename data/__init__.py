"""This folder's files ship inside the package as `bot.data` (pyproject.toml: package-dir), read with
importlib.resources through `bot.config.data_file`, from a wheel and from the source tree alike."""
