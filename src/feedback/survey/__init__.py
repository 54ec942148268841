"""Survey engine (issue 2): readers, codebook, rates, significance."""
