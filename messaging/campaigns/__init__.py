"""Campaigns: invite a contact group to an SMS survey, or text past respondents an update."""
