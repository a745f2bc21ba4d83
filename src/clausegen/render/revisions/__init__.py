"""Documents with Word tracked changes (``w:ins``/``w:del``) a person accepts or refuses: the
review document of two library versions (``redline``) and the three-way update of a buyer's
document (``actualisation``). Built on :mod:`clausegen.render.writers`."""
