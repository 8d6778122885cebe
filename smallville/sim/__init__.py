"""smallville.sim"""

# how ticks are run (Simulation.advance); all write the same run file
ENGINES = ("auto", "out-of-order", "lockstep")
