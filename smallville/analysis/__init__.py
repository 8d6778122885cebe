"""smallville.analysis"""
