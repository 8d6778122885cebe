"""smallville.viewer"""
