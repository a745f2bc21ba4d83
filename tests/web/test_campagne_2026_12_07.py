"""The findings of the hostile campaign of 2026-12-07 (../shared/reviews/2026-12-07/fiabilite.md),
one reproduction per finding id, on SQLite here and on PostgreSQL through test_sur_postgresql."""

from __future__ import annotations

import pytest

from tests.web.conftest import MOT_DE_PASSE, Client, courriel


@pytest.mark.parametrize("suite", ["/\t/evil.example", "/\t\t/evil.example", "/\n/evil.example",
                                   "/\r\n/x", "/ /evil.example", "/\x0b/evil.example",
                                   "/\u3000/evil.example", "/\x00/x", "/%09/evil.example\t"])
def test_W2_login_follows_only_a_path_on_this_site(client: Client, suite: str) -> None:
    page = client.get("/connexion", query_string={"suite": suite}).get_data(as_text=True)
    assert "evil.example" not in page
    reponse = client.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": MOT_DE_PASSE,
                                         "suite": suite})
    assert reponse.status_code == 302
    assert reponse.headers["Location"] == "/dossiers"


def test_W2_a_local_path_and_its_query_are_kept(client: Client) -> None:
    reponse = client.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": MOT_DE_PASSE,
                                         "suite": "/dossiers?page=2"})
    assert reponse.headers["Location"] == "/dossiers?page=2"
