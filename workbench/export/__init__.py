"""Exports: plain data in, file bytes out. No Flask, no database."""
