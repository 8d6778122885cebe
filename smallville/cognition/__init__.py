"""smallville.cognition"""
