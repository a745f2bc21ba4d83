"""Typed models: the dossier (domain data) and the clause library (fragments, canevas)."""

from clausegen.models._base import label
from clausegen.models.dossier import Dossier
from clausegen.models.fragment import Canevas, Fragment, FragmentMeta, Statut

__all__ = ["Canevas", "Dossier", "Fragment", "FragmentMeta", "Statut", "label"]
