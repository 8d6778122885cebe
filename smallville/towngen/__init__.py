"""Text to town: generated worlds and residents for any World Scaffold world.

``plan`` says what a town has, by name; ``layout`` decides where, so that the checks
hold by construction; ``kit`` and ``catalogue`` build it (and the shipped towns).
"""
