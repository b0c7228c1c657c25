def test_the_home_screen_speaks_french_to_a_french_browser(associate):
    page = associate.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert "Livraison par le livreur" in page
    assert "Collecte du client" in page
    assert "Collecte du livreur" in page
