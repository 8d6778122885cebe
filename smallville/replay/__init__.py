"""smallville.replay"""
