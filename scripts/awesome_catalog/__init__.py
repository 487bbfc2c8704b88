"""awesome-catalog: validate an awesome list kept as YAML data and regenerate its README."""

__version__ = "0.1.0"
