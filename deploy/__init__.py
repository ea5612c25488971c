"""Deployment of the refserver behind nginx: the config (refserver.nginx.conf) and a real nginx run from it for the
tests (nginx.py)."""
