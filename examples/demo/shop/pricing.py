"""Currency conversion for prices shown to customers."""

import requests

RATES_URL = "https://rates.example.com/latest"


def exchange_rate(currency):
    resp = requests.get(RATES_URL, params={"to": currency}, timeout=5)
    resp.raise_for_status()
    return resp.json()["rate"]


def price_in(product, currency):
    if currency == "EUR":
        return product.price_cents
    return round(product.price_cents * exchange_rate(currency))
