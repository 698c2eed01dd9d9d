"""The one parser for values people type or files carry: numbers, dates, text folding, stage labels and
the legacy Vietnamese encodings (TCVN3/VNI). Every layer below the views that reads such a value uses it.
"""
