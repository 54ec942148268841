"""The annual report's annexes, drafted from the results: Word document and figures register."""
