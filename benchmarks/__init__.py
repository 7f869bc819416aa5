"""Benchmarks that compare microflask with Flask, raw Werkzeug and bare WSGI.

Nothing in ``microflask/`` imports from here; this package may import Flask.
"""
