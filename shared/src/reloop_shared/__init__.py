"""reloop's infrastructure runtime. Named by purpose; never holds domain types."""
