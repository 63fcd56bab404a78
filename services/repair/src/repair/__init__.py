"""reloop repair: the unlimited-repair subscription, repair tickets through the workshop, and its parts."""
