"""Loading and running the pipeline: the `bankgen` command line, the loader and its value checks,
day-by-day simulation, the warehouse summary, and the settings every part shares."""
