"""Product names are stored per language and shown in the page's language, never both at once."""

from __future__ import annotations

import html
import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from contracts.models import Product
from tests.accounts.factories import make_customer
from tests.conftest import login
from tests.contracts.factories import make_contract, make_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("zh-hans", "消费分期贷", "Consumer"), ("en", "Consumer installment loan", "消费分期贷")],
)
def test_the_dashboard_and_contract_page_show_the_product_name_in_the_pages_language(language, shown, hidden):
    me = make_customer()
    product = make_product(name="消费分期贷", name_en="Consumer installment loan")
    contract = make_contract(customer=me, product=product)
    client = Client()
    login(client, me.user)
    client.post("/i18n/setlang/", {"language": language, "next": "/me/"})
    for url in (reverse("portal:dashboard"), reverse("portal:contract", kwargs={"pk": contract.pk})):
        body = html.unescape(client.get(url).content.decode())
        assert shown in body and hidden not in body, url


def test_a_product_without_an_english_name_falls_back_to_the_chinese_one():
    product = make_product(name="上门维修订阅")
    assert product.name_for("en") == "上门维修订阅" and product.name_for("zh-hans") == "上门维修订阅"


def test_the_migration_splits_bilingual_names_and_the_demo_defines_both():
    migration = importlib.import_module("contracts.migrations.0006_pf_product_name_en")
    product = make_product(name="消费分期贷 Consumer installment loan")
    plain = make_product(name="Test loan")
    migration.split_bilingual_names(apps, None)
    product.refresh_from_db()
    plain.refresh_from_db()
    assert (product.name, product.name_en) == ("消费分期贷", "Consumer installment loan")
    assert (plain.name, plain.name_en) == ("Test loan", "")
    from portal import demo

    source = importlib.util.find_spec(demo.__name__).origin
    text = open(source, encoding="utf-8").read()
    assert "消费分期贷 Consumer" not in text and '"name_en": "Consumer installment loan"' in text
    assert Product._meta.get_field("name_en")
