"""Tables, plots and HTML reports for planners."""
