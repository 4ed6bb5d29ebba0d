"""edepot: the e-depot and archive-by-design records service of Provincie Limburg."""

__version__ = "0.1.0"
AGENT = f"edepot {__version__}"
