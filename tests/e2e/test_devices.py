"""A lost phone revoked from the back office: it queued a scan offline; when it comes back it hands the scan
over, is signed out, says why, and keeps nothing; the operator sees the held scan and accepts it, and the
parcel moves exactly once."""
import re

from playwright.sync_api import expect

from .conftest import (events, expect_waiting, follow, go_offline, login, read_code_from_the_notice, wait_until,
                       wedge)
from .test_offline import open_the_pickup

HANDED = "CE100001FR"  # one of Camille Martin's parcels in the demo

STORED = """new Promise(function (resolve) {
  var asked = indexedDB.open("comptoir");
  asked.onsuccess = function () {
    var db = asked.result, names = ["queue", "conflicts", "meta"], total = 0;
    var t = db.transaction(names, "readonly");
    names.forEach(function (name) {
      var counted = t.objectStore(name).count();
      counted.onsuccess = function () { total += counted.result; };
    });
    t.oncomplete = function () { db.close(); resolve(total); };
  };
})"""

CACHED = """caches.keys().then(function (names) {
  return Promise.all(names.map(function (name) {
    return caches.open(name).then(function (cache) { return cache.keys(); });
  }));
}).then(function (lists) { return lists.reduce(function (n, keys) { return n + keys.length; }, 0); })"""


def named_online_visit(page, server, name):
    """Sign in on a new phone, naming it, and wait until it holds what it needs offline."""
    page.goto(server.url + "/connexion")
    page.get_by_label("Nom d'utilisateur").fill("associe")
    page.get_by_label("Mot de passe").fill("demo1234")
    page.get_by_label("Nom de cet appareil").fill(name)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("html[data-offline-synced]")).to_have_count(1, timeout=30_000)
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout=15_000)
    return page


def revoke(operator, server, name, reason):
    login(operator, server, "admin-colis")
    operator.goto(server.url + "/admin/appareils/")
    operator.get_by_role("link", name=name).click()
    operator.get_by_text("Révoquer", exact=True).click()
    operator.get_by_label("Pourquoi (perdu, volé, cassé…)").fill(reason)
    operator.get_by_role("button", name="Révoquer cet appareil").click()
    expect(operator.locator("#device")).to_contain_text("Révoqué")


def test_a_revoked_phone_hands_over_its_queue_erases_its_data_and_the_operator_accepts_the_scan(live_server,
                                                                                                new_context):
    phone = named_online_visit(new_context().new_page(), live_server, "Téléphone du comptoir")
    code = read_code_from_the_notice(live_server, new_context, "Camille Martin")
    go_offline(phone)
    follow(phone, "Collecte du client")
    phone.get_by_text("Entrer le code", exact=True).click()
    open_the_pickup(phone, code)
    wedge(phone, HANDED)
    expect(phone.locator("#pickup [role=status]")).to_contain_text(f"Remis : {HANDED}")
    expect_waiting(phone, 1)

    operator = new_context(phone=False).new_page()
    revoke(operator, live_server, "Téléphone du comptoir", "téléphone volé")

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.get_by_role("heading", name="Appareil retiré")).to_be_visible(timeout=20_000)
    expect(phone.locator("#device-removed")).to_contain_text(
        re.compile(r"Cet appareil a été retiré par le réseau le .+ — téléphone volé\. Ses données hors ligne ont été effacées"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    wait_until(phone, CACHED + ".then(function (n) { return n === 0; })")
    assert phone.evaluate(STORED) == 0
    assert events(live_server, HANDED, "hand_to_customer") == []  # held, not applied
    phone.goto(live_server.url + "/")
    expect(phone.get_by_role("heading", name="Appareil retiré")).to_be_visible()

    operator.reload()
    held = operator.locator("#held-steps .held-step", has_text=HANDED)
    expect(held).to_contain_text("en attente d'une décision")
    held.get_by_role("button", name="Accepter").click()
    expect(operator.locator("#held-steps")).to_contain_text(f"Appliquée : Remis : {HANDED}.")
    assert [offline for offline, _ in events(live_server, HANDED, "hand_to_customer")] == [1]
