"""smallville.memory"""
