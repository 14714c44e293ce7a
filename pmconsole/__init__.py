"""pmconsole: run a blameless post-mortem meeting from the terminal."""

__version__ = "0.1.0"
