"""smallville.world"""
