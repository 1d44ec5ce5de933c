"""foilog: turn a folder of FOI response letters into a searchable disclosure log."""

__version__ = "0.1.0"
