"""Site-visit candidates per category with reasons, frozen before names are shown."""
