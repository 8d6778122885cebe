"""smallville.sim"""
