"""coproduce: a platform for co-produced applied health research collaborations."""
