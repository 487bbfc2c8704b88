"""awesome-catalog: validate an awesome list kept as YAML data and regenerate its README."""

__version__ = "0.1.0"
__url__ = "https://github.com/awesome-mi/awesome-mi"
"""Where the tool lives: its published pre-commit hooks, and what lists install it from."""
