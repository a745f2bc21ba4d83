"""Routes, one module per audience: compte (login), admin, dossiers (buyer), pieces."""
