"""Site-visit verification, the recommendation, the vote tally and agreement."""
