"""Regional roundtable notes: read notes, split them into points,
code the points against a theme codebook, count themes by region, and link
points to the Panel's response tracker."""
