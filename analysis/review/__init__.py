"""The agenda review: goals, indicators, dashboard, exports, closing the loop."""
