"""Benchmarks of program evaluation, policy evaluation and the test command, each beside its floor.

Run ``.venv/bin/python -m benchmarks`` (``--quick`` for a smoke run); it rewrites
``docs/performance.md``.
"""
