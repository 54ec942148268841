"""Survey engine: readers, codebook, rates, significance."""
