"""The Panel response tracker (items, responses, actions and their history)."""
