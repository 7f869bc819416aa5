"""Flask extensions through the bridge; see conftest.py."""
