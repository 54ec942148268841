"""Issue 4: the Panel response tracker (items, responses, actions and their history)."""
