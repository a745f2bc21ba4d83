"""French wording: dates, amounts, numbers in letters and typography. Pure functions."""
