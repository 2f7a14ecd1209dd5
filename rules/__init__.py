"""Fact data read by sigcheck's rules (installed as the package `sigcheck.data`).

Every JSON file here carries `_meta` with its source and date. Generated files name the script
that regenerates them under scripts/.
"""
