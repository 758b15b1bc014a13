"""The response store (organisations, sites, staff, respondents, responses, answers) and the one
intake both channels call."""
