"""cpmis — Child Protection Management Information System."""
