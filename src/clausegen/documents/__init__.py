"""Computed content of the post-award pieces (letter headers, plan and bilan tables, chart).

Between assembly and render: builds blocks from the dossier and the domain services; the
fixed wording stays in the library's fragments.
"""
