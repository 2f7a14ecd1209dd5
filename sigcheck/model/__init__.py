"""The gallery model: what every loader normalizes into and every rule reads."""
