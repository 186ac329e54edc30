"""The SimPy model of issue arrivals and worker capacity."""
