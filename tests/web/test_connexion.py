"""Login, logout, session cookie, CSRF and throttling."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from clausegen.web import WebConfig, create_app
from tests.web.conftest import MOT_DE_PASSE, Client, courriel


def test_login_leads_to_the_dossiers(client: Client) -> None:
    reponse = client.connecter("acheteur")
    assert reponse.headers["Location"] == "/dossiers"
    page = client.get("/dossiers").get_data(as_text=True)
    assert "Acheteur A" in page
    assert "Ville de Saint-Aubin" in page


def test_wrong_password_is_refused_at_the_field(client: Client) -> None:
    reponse = client.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": "faux"})
    page = reponse.get_data(as_text=True)
    assert reponse.status_code == 422
    assert "adresse électronique ou mot de passe incorrect" in page
    assert 'aria-invalid="true"' in page
    assert client.get("/dossiers").status_code == 302


def test_unknown_account_gets_the_same_message(client: Client) -> None:
    reponse = client.post("/connexion", {"courriel": "personne@a.fr", "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 422
    assert "adresse électronique ou mot de passe incorrect" in reponse.get_data(as_text=True)


def test_login_is_throttled_after_five_failures(client: Client) -> None:
    for _ in range(5):
        client.post("/connexion", {"courriel": courriel("juriste"), "mot_de_passe": "faux"})
    reponse = client.post("/connexion", {"courriel": courriel("juriste"), "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 429
    assert "Attendez 15 minutes" in reponse.get_data(as_text=True)


def test_throttling_is_per_account(client: Client) -> None:
    for _ in range(5):
        client.post("/connexion", {"courriel": courriel("juriste"), "mot_de_passe": "faux"})
    assert client.connecter("acheteur").status_code == 302


def test_post_without_csrf_token_is_refused_in_french(client: Client) -> None:
    reponse = client.http.post("/connexion", data={"courriel": courriel("acheteur"),
                                                     "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 400
    assert "jeton de sécurité absent ou périmé" in reponse.get_data(as_text=True)


def test_csrf_token_of_another_session_is_refused(app: Flask, client: Client) -> None:
    autre = Client(app.test_client())
    jeton = autre.jeton()
    reponse = client.http.post("/connexion", data={"csrf_token": jeton, "courriel": courriel("acheteur"),
                                                     "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 400


def test_session_cookie_is_httponly_and_samesite(client: Client) -> None:
    cookie = client.connecter("acheteur").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_behind_https(base_modele: Path, tmp_path: Path) -> None:
    copie = tmp_path / "b.sqlite3"
    copie.write_bytes(base_modele.read_bytes())
    app = create_app(WebConfig(base=f"sqlite:///{copie}", https=True, cle_secrete="k"))
    client = Client(app.test_client())
    jeton = client.jeton()
    reponse = client.http.post("/connexion", base_url="https://localhost", headers={"Referer": "https://localhost/connexion"},
                               data={"csrf_token": jeton, "courriel": courriel("acheteur"),
                                     "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 302
    assert "Secure" in reponse.headers["Set-Cookie"]


def test_logout_voids_the_old_cookie_everywhere(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    vieux = client.http.get_cookie("clausegen_session")
    assert vieux is not None
    assert client.post("/deconnexion").status_code == 302
    rejoue = app.test_client()
    rejoue.set_cookie("clausegen_session", vieux.value)
    assert rejoue.get("/dossiers").status_code == 302


def test_after_login_the_visitor_returns_to_the_page_asked(client: Client) -> None:
    assert client.get("/admin/comptes").headers["Location"].startswith("/connexion?suite=/admin/comptes")
    reponse = client.post("/connexion", {"courriel": courriel("administrateur"),
                                         "mot_de_passe": MOT_DE_PASSE, "suite": "/admin/comptes"})
    assert reponse.headers["Location"] == "/admin/comptes"


def test_login_never_redirects_to_another_site(client: Client) -> None:
    reponse = client.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": MOT_DE_PASSE,
                                         "suite": "//exemple.org/piege"})
    assert reponse.headers["Location"] == "/dossiers"


def test_pages_carry_security_headers_and_french(client: Client) -> None:
    reponse = client.get("/connexion")
    assert "default-src 'self'" in reponse.headers["Content-Security-Policy"]
    assert '<html lang="fr">' in reponse.get_data(as_text=True)


def test_unknown_page_is_a_french_404(client: Client) -> None:
    reponse = client.get("/nulle-part")
    assert reponse.status_code == 404
    assert "Page introuvable" in reponse.get_data(as_text=True)


def test_unexpected_error_is_a_french_500_without_traceback(app: Flask) -> None:
    def casse() -> str:
        raise RuntimeError("détail interne à ne pas montrer")

    app.add_url_rule("/casse", view_func=casse)
    reponse = app.test_client().get("/casse")
    page = reponse.get_data(as_text=True)
    assert reponse.status_code == 500
    assert "rien n’a été enregistré" in page  # typographic apostrophe (issue 9)
    assert "Traceback" not in page
    assert "détail interne" not in page


def test_times_are_shown_in_paris_time() -> None:
    from datetime import datetime

    from clausegen.web.filtres import date_heure

    assert date_heure(datetime(2026, 11, 30, 11, 42)) == "30\u00a0novembre 2026 à 12\u00a0h\u00a042"
    assert date_heure(datetime(2026, 7, 1, 22, 5)) == "2\u00a0juillet 2026 à 00\u00a0h\u00a005"
