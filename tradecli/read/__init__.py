"""The engines that read figure files: the pandas reader (``flows``) for small files, DuckDB
(``bigfiles``) for Parquet and big CSV, and the one bounded screen both run first (``screen``).

One rule set: both apply ``validation``'s catalogue, so a file gets the same findings from either.
"""
