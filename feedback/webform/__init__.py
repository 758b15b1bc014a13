"""The public web survey (/s/<slug>): its views, its logic and its writes."""
