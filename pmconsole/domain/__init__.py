"""Pure domain: the model and its rules. Imports no UI, storage or other pmconsole layer."""
