"""Back-office reports: plain (sync) Django views that grew with the data."""

import functools

from django.db.models import Count
from django.http import JsonResponse

from .models import Customer, Order, Product

# Per-process memo of customer summaries: every worker keeps its own copy,
# nothing expires, and nothing is evicted.
_SUMMARY_CACHE = {}


def customer_summary(customer_id):
    if customer_id not in _SUMMARY_CACHE:
        _SUMMARY_CACHE[customer_id] = {
            "orders": Order.objects.filter(customer_id=customer_id).count(),
            "last": Order.objects.filter(customer_id=customer_id).order_by("-created_at").first(),
        }
    return _SUMMARY_CACHE[customer_id]


@functools.lru_cache(maxsize=None)
def catalogue():
    return list(Product.objects.values_list("sku", "price_cents"))


@functools.lru_cache(maxsize=256)
def cents_to_display(cents):
    return f"{cents / 100:.2f}"


def order_counts(request):
    # One COUNT query per customer: 10,000 customers, 10,000 round trips.
    rows = []
    for customer in Customer.objects.all():
        rows.append({"email": customer.email, "orders": Order.objects.filter(customer=customer).count()})
    return JsonResponse({"rows": rows})


def order_counts_batched(request):
    # The same report in one query.
    rows = Customer.objects.annotate(orders_count=Count("orders")).values("email", "orders_count")
    return JsonResponse({"rows": list(rows)})


def paid_orders(request):
    # `order.customer` loads each customer with its own query.
    rows = [(o.pk, o.customer.email) for o in Order.objects.filter(status="paid")]
    return JsonResponse({"rows": rows})


def paid_orders_joined(request):
    paid = Order.objects.filter(status="paid").select_related("customer")
    return JsonResponse({"rows": [(o.pk, o.customer.email) for o in paid]})


def pending_orders(request):
    # Filters and sorts on columns no index serves: a full scan of orders per request.
    latest = Order.objects.filter(status="pending").order_by("-created_at")[:50]
    return JsonResponse({"ids": [o.pk for o in latest]})


def price_list(request):
    skus = ["A-1", "B-2", "C-3"]
    prices = {sku: cents_to_display(cents) for sku, cents in catalogue() if sku in skus}
    return JsonResponse(prices)
