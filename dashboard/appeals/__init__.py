"""Citizen appeals: deadlines, attachment validation and storage, authorization rules."""
