"""CRM's read model: events applied to it in bulk (the projection), and read from it (the 360 view,
the channel reports). Set-based SQL on PostgreSQL, proved by the connected tests."""
