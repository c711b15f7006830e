"""Demo data sets, shipped with the code and loaded by `coproduce loaddemo`."""
