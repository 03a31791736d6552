"""The parts of ``bench/pipeline.py`` (its docstring defines the bench)."""
