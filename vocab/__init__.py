"""The display vocabulary: Vietnamese labels for every code and the one number/date formatting.

``vocab.labels`` turns codes into words; ``vocab.format`` turns numbers, areas, money, percentages
and dates into Vietnamese text (``1.234,5``, ``dd/mm/yyyy``); ``vocab.headers`` holds the one set of
parcel-table headers. Nothing here computes or parses.
"""
