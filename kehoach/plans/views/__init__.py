"""Pages of planning rounds and village plans, one module per part of the plan."""
