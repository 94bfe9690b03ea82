import asyncio
import json
import time

import bcrypt
from asgiref.sync import sync_to_async
from django.http import JsonResponse

from .models import Customer, Order, Product
from .pricing import exchange_rate, price_in


async def order_detail(request, pk):
    order = Order.objects.get(pk=pk)
    return JsonResponse({"id": order.pk, "status": order.status})


async def order_detail_async(request, pk):
    order = await Order.objects.aget(pk=pk)
    return JsonResponse({"id": order.pk, "status": order.status})


async def product_price(request, sku):
    product = await Product.objects.aget(sku=sku)
    currency = request.GET.get("currency", "EUR")
    return JsonResponse({"sku": sku, "price": price_in(product, currency)})


async def product_price_offloaded(request, sku):
    product = await Product.objects.aget(sku=sku)
    rate = await asyncio.to_thread(exchange_rate, request.GET["currency"])
    return JsonResponse({"sku": sku, "price": round(product.price_cents * rate)})


async def login(request):
    body = json.loads(request.body)
    customer = await Customer.objects.aget(email=body["email"])
    if not bcrypt.checkpw(body["password"].encode(), customer.password_hash):
        time.sleep(1)
        return JsonResponse({"error": "invalid credentials"}, status=401)
    return JsonResponse({"ok": True})


async def export_orders(request):
    def render():
        with open("/tmp/orders.json", "w") as out:
            json.dump([o.pk for o in Order.objects.all()], out)

    await sync_to_async(render)()
    return JsonResponse({"status": "exported"})


def legacy_report(request):
    with open("/srv/reports/latest.csv") as f:
        return JsonResponse({"rows": f.read().splitlines()})
