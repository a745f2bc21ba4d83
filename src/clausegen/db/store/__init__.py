"""Persistence of the web application: every read and write of the database goes through here.

Web routes call these functions and :mod:`clausegen.api`; they hold no SQL of their own. One module
per subject (dossiers, generations, suivi, comptes, bibliotheque, journal).
"""
