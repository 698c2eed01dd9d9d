"""Domain vocabulary shared by every layer (stages, flags, labels)."""
